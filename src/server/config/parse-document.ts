import { parse as parseHcl } from '@cdktf/hcl2json';
import { configInvalid } from './config-problems.ts';

export type ConfigFormat = 'hcl' | 'json';

/**
 * Reads config text into a plain document, before any validation. Syntax errors become a
 * config_invalid SealboxError with `file:line,col` for each problem the parser found.
 */
export async function parseDocument(
  text: string,
  format: ConfigFormat,
  sourceName: string,
): Promise<unknown> {
  if (format === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw configInvalid(sourceName, [jsonProblem(error, sourceName)]);
    }
  }
  try {
    return await parseHcl(sourceName, text);
  } catch (error) {
    throw configInvalid(sourceName, hclProblems(error, sourceName));
  }
}

/**
 * hcl2json reports `parse config: [<file>:3,7-4,1: Summary; Detail. <file>:2,5-3,1: ...]`.
 * Each diagnostic is kept, its range shortened to where it starts.
 */
function hclProblems(error: unknown, sourceName: string): string[] {
  const message = error instanceof Error ? error.message : String(error);
  const body = /^parse config: \[([\s\S]*)\]$/.exec(message)?.[1] ?? message;
  const file = sourceName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const diagnostic = new RegExp(
    `${file}:(\\d+),(\\d+)(?:-[\\d,]+)?: ([\\s\\S]*?)(?= ${file}:\\d+,\\d+|$)`,
    'g',
  );
  const problems = [...body.matchAll(diagnostic)].map(
    ([, lineNo, column, text = '']) => `${sourceName}:${lineNo},${column}: ${text.trim()}`,
  );
  return problems.length > 0 ? problems : [`${sourceName}: ${body}`];
}

/**
 * V8's positioned messages end in `at position N (line L column C)`; the others quote
 * the source around the error, which may be a secret, so only their first clause is kept.
 */
function jsonProblem(error: unknown, sourceName: string): string {
  const message = error instanceof Error ? error.message : '';
  const positioned = / (?:in JSON )?at position \d+ \(line (\d+) column (\d+)\)$/.exec(message);
  if (positioned) {
    return `${sourceName}:${positioned[1]},${positioned[2]}: ${message.slice(0, positioned.index)}`;
  }
  const token = /^Unexpected token '.*?'(?=, )/.exec(message)?.[0];
  const known = token ?? (message === 'Unexpected end of JSON input' ? message : undefined);
  return `${sourceName}: invalid JSON${known === undefined ? '' : `: ${known}`}`;
}
