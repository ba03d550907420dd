/**
 * The vault CLI's tables (ryanuber/columnize as Vault configures it): rows split on '|', cells
 * trimmed, empty cells shown as n/a, columns padded to their widest cell and joined by four
 * spaces, the last column unpadded.
 */
const DELIMITER = '|';
const GLUE = '    ';
const EMPTY = 'n/a';

/** Rows without a header, e.g. `Key Term | 2`. */
export function columnOutput(rows: readonly string[]): string {
  const cells = rows.map((row) => row.split(DELIMITER).map((cell) => cell.trim() || EMPTY));
  const widths: number[] = [];
  for (const row of cells) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return cells
    .map((row) => row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index]!) + GLUE)).join(''))
    .join('\n');
}

/** The first row is the header; it is underlined with dashes, as `Key | Value` over `--- | -----`. */
export function tableOutput(rows: readonly string[]): string {
  const [header, ...body] = rows;
  if (header === undefined) return '';
  const underline = header
    .split(DELIMITER)
    .map((cell) => '-'.repeat(cell.trim().length))
    .join(DELIMITER);
  return columnOutput([header, underline, ...body]);
}
