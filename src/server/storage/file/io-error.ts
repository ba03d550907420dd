import { SealboxError } from '../../../lib/errors.ts';

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENOTDIR: 'a path component is not a directory',
};

export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The client-safe form of a file system failure: what was attempted and the errno, never a path
 * (paths and the original error stay in `cause` for the logs).
 */
export function storageIoError(action: string, error: unknown): SealboxError {
  if (error instanceof SealboxError) return error;
  const code = errnoCode(error);
  if (code === 'ENAMETOOLONG') {
    return new SealboxError('invalid_request', 'storage key is too long for the file backend', { cause: error });
  }
  return new SealboxError('storage_unavailable', `storage unavailable: ${action} failed${detail(code)}`, { cause: error });
}

function detail(code: string | undefined): string {
  if (code === undefined) return '';
  const description = DESCRIPTIONS[code];
  return description === undefined ? ` (${code})` : ` (${code}: ${description})`;
}
