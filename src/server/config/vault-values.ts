import { z } from 'zod';
import { parseDurationMs } from '../../lib/duration.ts';
import { parseGoBool } from '../../lib/parse-bool.ts';
import { splitHostPort } from './host-port.ts';
import type { LogLevel } from './server-config.ts';

/**
 * Field types that read values the lenient way Vault does (HCL authors write `"true"`, `1`,
 * `"30s"` or `30` interchangeably), each with a message that names the problem. The rejected
 * value is quoted in messages, so these are only for fields that hold no secret.
 */

/** A short rendering of a rejected value; long strings are cut so a message stays one line. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  }
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a block';
  return String(value);
}

function coerced<T>(parse: (value: unknown) => T | undefined, problem: (value: unknown) => string) {
  return z.unknown().transform((value, ctx): T => {
    const result = parse(value);
    if (result === undefined) {
      ctx.addIssue(problem(value));
      return z.NEVER;
    }
    return result;
  });
}

// Vault's parseutil.ParseBool: booleans, 0 and 1, and Go's strconv.ParseBool strings.
export const boolish = coerced(
  (value) => {
    if (typeof value === 'boolean') return value;
    if (value === 0 || value === 1) return value === 1;
    return typeof value === 'string' ? parseGoBool(value.trim()) : undefined;
  },
  (value) => `expected true or false, got ${describeValue(value)}`,
);

/** Milliseconds. */
export const durationMs = coerced(
  parseDurationMs,
  (value) => `invalid duration ${describeValue(value)}`,
);

/** A whole number of bytes, written as a number or a digit string. */
export const byteCount = coerced(
  (value) => {
    const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    return typeof number === 'number' && Number.isSafeInteger(number) ? number : undefined;
  },
  (value) => `expected a whole number of bytes, got ${describeValue(value)}`,
);

export const hostPort = coerced(
  (value) => (typeof value === 'string' && splitHostPort(value) ? value : undefined),
  (value) => `expected host:port, got ${describeValue(value)}`,
);

export function isHttpUrl(value: string): boolean {
  const protocol = URL.parse(value)?.protocol;
  return protocol === 'http:' || protocol === 'https:';
}

export const httpUrl = coerced(
  (value) => (typeof value === 'string' && isHttpUrl(value) ? value : undefined),
  (value) => `expected an http(s) URL, got ${describeValue(value)}`,
);

// Vault's spellings (`notice`, `warning`, `err`, empty for the default) mapped onto ours.
const LOG_LEVELS: ReadonlyMap<string, LogLevel> = new Map([
  ['', 'info'], ['trace', 'trace'], ['debug', 'debug'], ['notice', 'info'], ['info', 'info'],
  ['warn', 'warn'], ['warning', 'warn'], ['err', 'error'], ['error', 'error'],
]);

export const logLevel = coerced(
  (value) => (typeof value === 'string' ? LOG_LEVELS.get(value.trim().toLowerCase()) : undefined),
  (value) => `invalid log level ${describeValue(value)}; expected trace, debug, info, warn or error`,
);

/** A non-empty string; "required" when the key is missing. */
export const text = z
  .string({ error: (issue) => (issue.input === undefined ? 'required' : 'expected a string') })
  .min(1, 'must not be empty');

/** An optional string where "" counts as unset, as Vault reads `username = ""` and the like. */
export const optionalText = z
  .string({ error: 'expected a string' })
  .optional()
  .transform((value) => (value === '' ? undefined : value));
