import { readdir, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isTempName } from './file-layout.ts';

/**
 * Removes what a crash can leave behind: temp files of interrupted writes, and folders emptied by a
 * delete whose directory removal never ran. Returns how many temp files it removed. Runs on open,
 * before anyone else can see the tree.
 */
export async function sweepStale(root: string): Promise<number> {
  return sweepDir(root, root);
}

async function sweepDir(root: string, dir: string): Promise<number> {
  let removed = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) removed += await sweepDir(root, path);
    else if (entry.isFile() && isTempName(entry.name)) {
      await unlink(path);
      removed += 1;
    }
  }
  if (dir !== root) await removeIfEmpty(dir);
  return removed;
}

async function removeIfEmpty(dir: string): Promise<void> {
  if ((await readdir(dir)).length === 0) await rmdir(dir);
}
