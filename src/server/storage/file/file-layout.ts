import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SealboxError } from '../../../lib/errors.ts';
import { assertValidKey, assertValidPrefix } from '../storage-key.ts';

/*
 * Vault's file layout: key a/b/c lives in the file <root>/a/b/_c, so a key and a folder of the same
 * name coexist. Unlike Vault, a folder whose name starts with '_' or '%' is stored with that first
 * character percent-encoded (`_x/` -> `%5Fx`), so folder `_c/` can never collide with the file of
 * key `c`. Every other name starting with '%' belongs to the backend itself: temp files and the
 * transaction journal, which therefore can never be mistaken for a key or a folder.
 */

const KEY_MARK = '_';
const ESCAPE = '%';
const TEMP_PREFIX = '%tmp-';
export const JOURNAL_NAME = '%journal';

// NAME_MAX is 255 bytes; the key mark or a folder escape adds at most 2.
const MAX_SEGMENT_BYTES = 250;

export interface EntryPath {
  readonly dir: string;
  readonly file: string;
}

/** Throws invalid_request unless `key` is valid and every segment fits in a file name. */
export function assertFileKey(key: string): void {
  assertValidKey(key);
  for (const segment of key.split('/')) {
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      throw new SealboxError(
        'invalid_request',
        `invalid storage key: a segment is longer than ${MAX_SEGMENT_BYTES} bytes, the file backend's limit`,
      );
    }
  }
}

export function entryPath(root: string, key: string): EntryPath {
  const segments = key.split('/');
  const name = segments.pop() ?? key;
  const dir = join(root, ...segments.map(folderName));
  return { dir, file: join(dir, KEY_MARK + name) };
}

/** The directory holding the children of `prefix` ('' or ending with '/'). */
export function folderPath(root: string, prefix: string): string {
  assertValidPrefix(prefix);
  if (prefix === '') return root;
  return join(root, ...prefix.slice(0, -1).split('/').map(folderName));
}

/** The listing entry for a directory entry, or undefined for the backend's own files. */
export function listEntry(name: string, isDirectory: boolean, isFile: boolean): string | undefined {
  if (isFile) return name.startsWith(KEY_MARK) ? name.slice(KEY_MARK.length) : undefined;
  if (!isDirectory) return undefined;
  const segment = folderSegment(name);
  return segment === undefined ? undefined : `${segment}/`;
}

export function tempName(): string {
  return TEMP_PREFIX + randomBytes(8).toString('hex');
}

export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

function folderName(segment: string): string {
  const first = segment[0];
  if (first !== KEY_MARK && first !== ESCAPE) return segment;
  return ESCAPE + first.charCodeAt(0).toString(16).toUpperCase() + segment.slice(1);
}

function folderSegment(name: string): string | undefined {
  if (name.startsWith(KEY_MARK)) return undefined;
  if (!name.startsWith(ESCAPE)) return name;
  const escaped = name.slice(0, 3);
  if (escaped === folderName(KEY_MARK)) return KEY_MARK + name.slice(3);
  if (escaped === folderName(ESCAPE)) return ESCAPE + name.slice(3);
  return undefined;
}
