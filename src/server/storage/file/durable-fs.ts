import { mkdir, open, rename, rmdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errnoCode } from './io-error.ts';
import { tempName } from './file-layout.ts';

/*
 * The file system steps that survive kill -9 and power loss: data reaches the disk under a temp
 * name first, then a rename gives it its real name atomically, and every name change is synced in
 * its directory before the call returns.
 */

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** Creates `dir` and any missing parents (mode 0700), each made durable in its parent. */
export async function ensureDir(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: DIR_MODE });
  if (first === undefined) return;
  for (let created = dir; ; created = dirname(created)) {
    await syncDir(dirname(created));
    if (created === first) return;
  }
}

/** Writes `data` to a new temp file (mode 0600) in `dir`, synced; returns the temp file's name. */
export async function writeTempFile(dir: string, data: Uint8Array): Promise<string> {
  const name = tempName();
  const path = join(dir, name);
  try {
    const handle = await open(path, 'wx', FILE_MODE);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return name;
  } catch (error) {
    await removeQuietly(path);
    throw error;
  }
}

/** Renames `from` over `to` (both in the same directory) and syncs the directory. */
export async function renameDurably(from: string, to: string): Promise<void> {
  await rename(from, to);
  await syncDir(dirname(to));
}

/** Removes `file` durably; a missing file is not an error. */
export async function removeFileDurably(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw error;
  }
  await syncDir(dirname(file));
}

/** For cleanup on a path that already failed: the original error is the one worth reporting. */
export async function removeQuietly(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}

/**
 * Removes `dir` and its parents up to (not including) `root` while they are empty. Not synced: an
 * empty directory that reappears after a crash is swept on the next open.
 */
export async function removeEmptyDirs(root: string, dir: string): Promise<void> {
  for (let current = dir; current !== root && current.startsWith(root); current = dirname(current)) {
    try {
      await rmdir(current);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') return;
    }
  }
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
