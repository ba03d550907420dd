import { SealboxError } from '../../../lib/errors.ts';

/**
 * Longest secret path accepted, in UTF-8 bytes. Storage keys are capped at 4096 bytes
 * (storage-key.ts); this leaves room for the mount prefix (`logical/<uuid>/`), a cubbyhole scope
 * (64 hex digits and '/') and `metadata/`, so an accepted path always makes a valid key.
 */
export const MAX_SECRET_PATH_BYTES = 3072;

// C0 controls, DEL and C1 controls, which no storage backend takes in a key.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Throws a 400 unless `path` can name a storage key. The message never repeats the path: it is
 * client input and may be huge.
 */
export function assertSecretPath(path: string): void {
  const problem = pathProblem(path);
  if (problem !== undefined) throw new SealboxError('invalid_request', problem);
}

/** A list prefix: '' or a valid path followed by '/'; a missing trailing '/' is added. */
export function listPrefix(path: string): string {
  if (path === '') return '';
  const folder = path.endsWith('/') ? path.slice(0, -1) : path;
  assertSecretPath(folder);
  return `${folder}/`;
}

function pathProblem(path: string): string | undefined {
  if (path === '') return 'missing path';
  const bytes = Buffer.byteLength(path, 'utf8');
  if (bytes > MAX_SECRET_PATH_BYTES) return `path is too long: ${bytes} bytes, at most ${MAX_SECRET_PATH_BYTES} are allowed`;
  if (CONTROL_CHARACTER.test(path)) return 'path cannot contain control characters';
  if (!path.isWellFormed()) return 'path is not well-formed Unicode';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '')) return "path cannot start or end with '/' or contain '//'";
  if (segments.some((segment) => segment === '.' || segment === '..')) return 'path cannot contain parent references';
  return undefined;
}
