import { SealboxError } from '../../lib/errors.ts';

/** Bytes of UTF-8; far above any barrier key, and below PATH_MAX for the file backend. */
export const MAX_KEY_BYTES = 4096;

// C0 controls, DEL and C1 controls: they break file names, logs and terminals alike.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** Throws invalid_request unless `key` is a storage key every backend can hold. */
export function assertValidKey(key: string): void {
  const problem = keyProblem(key);
  if (problem !== undefined) throw invalidKey(key, problem);
}

/** Throws invalid_request unless `prefix` is '' or a valid key followed by '/'. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  if (!prefix.endsWith('/')) throw invalidKey(prefix, "a list prefix must be empty or end with '/'");
  const problem = keyProblem(prefix.slice(0, -1));
  if (problem !== undefined) throw invalidKey(prefix, problem);
}

function keyProblem(key: string): string | undefined {
  if (key === '') return 'it is empty';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `it is longer than ${MAX_KEY_BYTES} bytes`;
  if (CONTROL_CHARACTER.test(key)) return 'it contains a NUL or control character';
  if (!key.isWellFormed()) return 'it is not well-formed Unicode';
  if (key.startsWith('/')) return "it starts with '/'";
  if (key.endsWith('/')) return "it ends with '/'";
  for (const segment of key.split('/')) {
    if (segment === '') return "it contains an empty segment ('//')";
    if (segment === '.' || segment === '..') return `it contains a '${segment}' segment`;
  }
  return undefined;
}

function invalidKey(key: string, problem: string): SealboxError {
  return new SealboxError('invalid_request', `invalid storage key ${quote(key)}: ${problem}`);
}

/** A bounded, escaped rendering, so a hostile key cannot flood or forge log lines. */
function quote(key: string): string {
  const shown = key.length > 100 ? `${key.slice(0, 100)}...` : key;
  return JSON.stringify(shown);
}
