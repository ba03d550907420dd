import { SealboxError } from '../../../../lib/errors.ts';
import type { FieldData } from '../../../logical/field-data.ts';
import type { KeyedMutex } from '../../../../lib/keyed-mutex.ts';
import { assertSecretPath } from '../secret-path.ts';

/** What every KV v2 path handler shares within one mount. */
export interface VersionedKvContext {
  readonly now: () => Date;
  /** Serialises read-modify-write of one secret's metadata; the key is the secret path. */
  readonly locks: KeyedMutex;
}

/** The `path` field, checked; '' when the request named none. */
export function pathField(fields: FieldData): string {
  const path = fields.string('path') ?? '';
  if (path !== '') assertSecretPath(path);
  return path;
}

/** The `path` field of a write, which must name a secret. */
export function requiredPath(fields: FieldData): string {
  const path = pathField(fields);
  if (path === '') throw new SealboxError('invalid_request', 'missing path');
  return path;
}

/** A non-negative integer field, or undefined when absent. */
export function nonNegativeInt(fields: FieldData, name: string): number | undefined {
  const value = fields.int(name);
  if (value !== undefined && value < 0) throw new SealboxError('invalid_request', `invalid value for field "${name}": must not be negative`);
  return value;
}
