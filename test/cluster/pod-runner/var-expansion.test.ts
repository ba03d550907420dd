import test from 'ava';
import { expandVars } from './var-expansion.ts';

const vars: Record<string, string> = { POD_IP: '127.10.1.1', EMPTY: '' };
const lookup = (name: string) => vars[name];

test('defined variables are replaced, undefined ones stay as written', (t) => {
  t.is(expandVars('$(POD_IP):8080', lookup), '127.10.1.1:8080');
  t.is(expandVars('a$(EMPTY)b', lookup), 'ab');
  t.is(expandVars('$(MISSING)/x', lookup), '$(MISSING)/x');
});

test('$$ escapes a dollar; a lone or unclosed $ is literal', (t) => {
  t.is(expandVars('$$(POD_IP)', lookup), '$(POD_IP)');
  t.is(expandVars('cost: 5$', lookup), 'cost: 5$');
  t.is(expandVars('$HOME and $(POD_IP', lookup), '$HOME and $(POD_IP');
});
