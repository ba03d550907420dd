import type { z } from 'zod';
import { SealboxError } from '../../lib/errors.ts';

/**
 * Turns validation issues into `path: message` lines, the form every config problem and warning
 * is reported in, e.g. `listener.tcp[0].address: expected host:port, got "x"`.
 */

type Issue = z.core.$ZodIssue;

export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][\w-]*$/.test(segment)) {
      text += text === '' ? segment : `.${segment}`;
    } else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

function line(path: readonly PropertyKey[], message: string): string {
  const where = formatPath(path);
  return where === '' ? message : `${where}: ${message}`;
}

/** Every issue except unknown keys, which are warnings (see unknownKeyWarnings). */
export function problemLines(issues: readonly Issue[]): string[] {
  return issues
    .filter((issue) => issue.code !== 'unrecognized_keys')
    .map((issue) => line(issue.path, issue.message));
}

/** One warning per key a strict parse did not recognise. Keys are named, values never. */
export function unknownKeyWarnings(issues: readonly Issue[]): string[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => line([...issue.path, key], 'not a Sealbox setting; ignored'))
      : [],
  );
}

export function configInvalid(sourceName: string, lines: readonly string[]): SealboxError {
  return new SealboxError(
    'config_invalid',
    `invalid configuration in ${sourceName}:\n${lines.map((text) => `  ${text}`).join('\n')}`,
  );
}
