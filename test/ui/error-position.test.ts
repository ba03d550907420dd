import test from 'ava';
import { errorPosition } from '../../ui/src/lib/error-position.ts';

// The policy editor marks the line a server error points at; these are the server's own wordings.

test('syntax errors carry their position', (t) => {
  t.deepEqual(errorPosition('failed to parse policy: At 8:1: Missing item separator'), { line: 8, column: 1 });
  t.deepEqual(errorPosition('failed to parse policy: 1 error occurred:\n\t* path "kv/*": invalid key "capabilitys" on line 4\n\n'), { line: 4, column: 1 });
  t.deepEqual(errorPosition('Unexpected token } in JSON (line 3 column 7)'), { line: 3, column: 7 });
});

test('an invalid capability or legacy policy is found below its path', (t) => {
  const policy = ['path "kv/data/*" {', '  capabilities = ["read"]', '}', '', 'path "kv/metadata/*" {', '  capabilities = [', '    "list",', '    "fly",', '  ]', '}'].join('\n');
  t.deepEqual(errorPosition('failed to parse policy: path "kv/metadata/*": invalid capability "fly"', policy), { line: 8, column: 5 });
  const legacy = 'path "a" {\n  policy = "readish"\n}';
  t.deepEqual(errorPosition('failed to parse policy: path "a": invalid policy "readish"', legacy), { line: 2, column: 12 });
});

test('no position when the message has none or the text does not hold it', (t) => {
  t.is(errorPosition('failed to parse policy: max_wrapping_ttl cannot be less than min_wrapping_ttl', 'path "a" {}'), undefined);
  t.is(errorPosition('failed to parse policy: path "gone": invalid capability "fly"', 'path "a" {}'), undefined);
  t.deepEqual(errorPosition('failed to parse policy: path "a": invalid capability "fly"', 'path "a" {\n  capabilities = "x"\n}'), { line: 1, column: 1 });
});
