export interface ErrorPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Where a parse error points: HCL's `At 4:12:` (as Vault and Sealbox word policy syntax errors),
 * a policy's `invalid key "x" on line 4`, or a JSON parser's `(line 4 column 12)`.
 */
export function errorPosition(message: string): ErrorPosition | undefined {
  const match = /\bAt (\d+):(\d+):/.exec(message) ?? /\bline (\d+) column (\d+)/.exec(message) ?? /\bon line (\d+)/.exec(message);
  if (match === null) return undefined;
  return { line: Number(match[1]), column: Number(match[2] ?? 1) };
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
