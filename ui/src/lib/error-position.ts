export interface ErrorPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Where a policy or JSON error points. Syntax errors say it: HCL's `At 4:12:` (as Vault and
 * Sealbox word policy syntax errors), a policy's `invalid key "x" on line 4`, or a JSON parser's
 * `(line 4 column 12)`. Vault words the others by path and value (`path "kv/*": invalid capability
 * "fly"`), so `text`, the policy as sent, is searched for them.
 */
export function errorPosition(message: string, text = ''): ErrorPosition | undefined {
  const match = /\bAt (\d+):(\d+):/.exec(message) ?? /\bline (\d+) column (\d+)/.exec(message) ?? /\bon line (\d+)/.exec(message);
  if (match === null) return valuePosition(message, text);
  return { line: Number(match[1]), column: Number(match[2] ?? 1) };
}

const QUOTED = '"(?:[^"\\\\]|\\\\.)*"';
const INVALID_VALUE = new RegExp(`path (${QUOTED}): invalid (?:capability|policy) (${QUOTED})`);

/** The first line from the path's own that holds the refused value; the path's line without one. */
function valuePosition(message: string, text: string): ErrorPosition | undefined {
  const match = INVALID_VALUE.exec(message);
  if (match === null) return undefined;
  const [, path = '', value = ''] = match;
  const lines = text.split('\n');
  const pathLine = lines.findIndex((line) => line.includes(path));
  if (pathLine === -1) return undefined;
  const valueLine = lines.findIndex((line, index) => index >= pathLine && line.includes(value));
  if (valueLine === -1) return { line: pathLine + 1, column: 1 };
  return { line: valueLine + 1, column: (lines[valueLine] ?? '').indexOf(value) + 1 };
}

/** The character offsets of a 1-based line, for selecting it in a textarea. */
export function lineRange(text: string, line: number): { start: number; end: number } {
  let start = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', start);
    if (next === -1) return { start: text.length, end: text.length };
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return { start, end: end === -1 ? text.length : end };
}
