import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Mountpoints that pod runners had to create on the host: a bind mount inside a container's
 * private mount namespace needs its target to exist, and directories are not namespaced.
 *
 * Each runner appends what it creates to its record in the machine-wide runner registry. The last
 * runner to stop removes everything recorded by any runner (empty directories and files only):
 * removing a directory that is a mountpoint in another runner's container would detach that
 * mount, and a runner that was killed could not clean up after itself.
 */
export interface HostMountpoints {
  /** Makes `path` exist as a directory (or an empty file), recording what did not exist before. */
  ensure(path: string, kind: 'directory' | 'file'): void;
  /** With no other runner alive, removes every recorded mountpoint, deepest first. */
  cleanUp(othersAlive: boolean): void;
}

const RECORD_SUFFIX = '.mountpoints';

export function hostMountpoints(registryDir: string, runnerId: string): HostMountpoints {
  mkdirSync(registryDir, { recursive: true });
  const record = join(registryDir, `${runnerId}${RECORD_SUFFIX}`);
  const remember = (kind: 'd' | 'f', path: string) => appendFileSync(record, `${kind} ${path}\n`);
  const ensureDir = (path: string): void => {
    if (exists(path)) return;
    ensureDir(dirname(path));
    try {
      mkdirSync(path);
      remember('d', path);
    } catch (error) {
      // Another runner made it a moment ago: its record has it.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  };
  return {
    ensure(path, kind) {
      if (exists(path)) return;
      if (kind === 'directory') {
        ensureDir(path);
        return;
      }
      ensureDir(dirname(path));
      writeFileSync(path, '', { flag: 'wx' });
      remember('f', path);
    },
    cleanUp(othersAlive) {
      if (othersAlive) return;
      const records = readdirSync(registryDir).filter((name) => name.endsWith(RECORD_SUFFIX)).map((name) => join(registryDir, name));
      const entries = records.flatMap((file) => readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 2));
      const deepestFirst = [...new Set(entries)].sort((a, b) => b.split('/').length - a.split('/').length);
      for (const entry of deepestFirst) {
        const path = entry.slice(2);
        if (entry.startsWith('f ')) tryRemove(() => statSync(path).size === 0 && unlinkSync(path));
        else tryRemove(() => rmdirSync(path));
      }
      for (const file of records) rmSync(file, { force: true });
    },
  };
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function tryRemove(remove: () => unknown): void {
  try {
    remove();
  } catch {
    // Not empty (someone put something there) or gone already: leave it.
  }
}
