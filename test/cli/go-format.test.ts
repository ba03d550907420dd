import test from 'ava';
import { goValue } from '../../src/cli/go-format.ts';

test("values print as Go's %v: maps with sorted keys, lists space-separated", (t) => {
  t.is(goValue({ b: ['x', 'y'], a: [] }), 'map[a:[] b:[x y]]');
  t.is(goValue('nonce'), 'nonce');
  t.is(goValue(null), '<nil>');
  t.is(goValue([1, true]), '[1 true]');
});
