import { SealboxError } from '../../../../lib/errors.ts';

const MAX_KEYS = 64;
const MAX_KEY_BYTES = 128;
const MAX_VALUE_BYTES = 512;
const PREFIX = 'custom_metadata validation failed';
// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u;

/**
 * The `custom_metadata` of a request as strings, with Vault's weak decoding (numbers as digits,
 * booleans as "1"/"0"). A patch keeps nulls, which remove keys; elsewhere null is an empty string,
 * which validation then refuses.
 */
export function customMetadataFrom(raw: unknown, keepNulls: boolean): Record<string, string | null> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SealboxError('invalid_request', `${PREFIX}: expected a map of strings`);
  }
  const entries = Object.entries(raw).map(([key, value]): [string, string | null] => {
    if (value === null) return [key, keepNulls ? null : ''];
    if (typeof value === 'string') return [key, value];
    if (typeof value === 'number' && Number.isFinite(value)) return [key, String(value)];
    if (typeof value === 'boolean') return [key, value ? '1' : '0'];
    throw new SealboxError('invalid_request', `${PREFIX}: value for key ${JSON.stringify(key)} is not a string`);
  });
  return Object.fromEntries(entries);
}

/** Vault's limits: at most 64 keys, keys of 1-128 bytes, values of 1-512 bytes, all printable. */
export function validateCustomMetadata(metadata: Readonly<Record<string, string>>): void {
  const keys = Object.keys(metadata).sort();
  if (keys.length > MAX_KEYS) {
    throw multiError([`${PREFIX}: payload must contain at most ${MAX_KEYS} keys, provided ${keys.length}`]);
  }
  const problems: string[] = [];
  for (const key of keys) {
    const value = metadata[key] ?? '';
    const quoted = JSON.stringify(key);
    const keyBytes = Buffer.byteLength(key, 'utf8');
    const valueBytes = Buffer.byteLength(value, 'utf8');
    if (keyBytes === 0 || keyBytes > MAX_KEY_BYTES) {
      problems.push(`${PREFIX}: length of key ${quoted} is ${keyBytes} but must be 0 < len(key) <= ${MAX_KEY_BYTES}`);
    }
    if (valueBytes === 0 || valueBytes > MAX_VALUE_BYTES) {
      problems.push(`${PREFIX}: length of value for key ${quoted} is ${valueBytes} but must be 0 < len(value) <= ${MAX_VALUE_BYTES}`);
    }
    if (!PRINTABLE.test(key)) problems.push(`${PREFIX}: key ${quoted} contains unprintable characters`);
    if (!PRINTABLE.test(value)) problems.push(`${PREFIX}: value for key ${quoted} contains unprintable characters`);
  }
  if (problems.length > 0) throw multiError(problems);
}

/** Vault reports these as a go-multierror, and clients show that text as it is. */
function multiError(problems: readonly string[]): SealboxError {
  const count = problems.length === 1 ? '1 error occurred' : `${problems.length} errors occurred`;
  return new SealboxError('invalid_request', `${count}:\n${problems.map((problem) => `\t* ${problem}`).join('\n')}\n\n`);
}
