import test from 'ava';
import { columnOutput, tableOutput } from '../../src/cli/columns.ts';
import { wrapAtLength } from '../../src/cli/wrap-text.ts';

test('tables are laid out as the vault CLI does: header underlined, four spaces, empty cells n/a', (t) => {
  t.is(
    tableOutput(['Key | Value', 'Seal Type | shamir', 'Unseal Nonce | ', 'Total Shares | 5']),
    ['Key             Value', '---             -----', 'Seal Type       shamir', 'Unseal Nonce    n/a', 'Total Shares    5'].join('\n'),
  );
});

test('rows without a header, and rows with fewer cells', (t) => {
  t.is(columnOutput(['Key Term | 2', 'Install Time | 01 Jan 25 10:00 UTC']), 'Key Term        2\nInstall Time    01 Jan 25 10:00 UTC');
  t.is(columnOutput(['a | b | c', 'longer']), 'a         b    c\nlonger');
});

test('prose wraps at 78 columns on word boundaries', (t) => {
  const text = 'word '.repeat(40).trim();
  const lines = wrapAtLength(text).split('\n');
  t.true(lines.every((line) => line.length <= 78));
  t.is(lines.join(' '), text);
  t.is(lines[0]!.length, 74);
  t.is(wrapAtLength('short\n\nkept'), 'short\n\nkept');
});
