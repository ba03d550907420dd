import { chmod, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface FileContent {
  readonly data: Buffer;
  readonly mode: number;
}

/** Relative path (may contain '/') to content. */
export type FileSet = ReadonlyMap<string, FileContent>;

const DATA_LINK = '..data';

/**
 * Writes a set of files into `dir` the way the kubelet's atomic writer does for ConfigMap,
 * Secret, downward API and projected volumes: the files live in a timestamped directory that the
 * `..data` symlink points to, and each top-level name is a symlink through `..data`. An update
 * swaps `..data` with one rename, so a reader never sees half of an update.
 * Returns false when the content was already there.
 */
export async function writeAtomicDir(dir: string, files: FileSet): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  const current = await currentTarget(dir);
  if (current !== undefined && (await sameContent(join(dir, current), files))) return false;
  const generation = `..${new Date().toISOString().replace(/[-:.]/g, '_')}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
  const generationDir = join(dir, generation);
  await mkdir(generationDir);
  for (const [path, content] of files) {
    const file = join(generationDir, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content.data);
    await chmod(file, content.mode & 0o777);
  }
  const tmpLink = join(dir, '..data_tmp');
  await rm(tmpLink, { force: true });
  await symlink(generation, tmpLink);
  await rename(tmpLink, join(dir, DATA_LINK));
  const topLevel = new Set([...files.keys()].map((path) => path.split('/')[0] ?? path));
  for (const name of topLevel) {
    const link = join(dir, name);
    const existing = await readlink(link).catch(() => undefined);
    if (existing === join(DATA_LINK, name)) continue;
    await rm(link, { recursive: true, force: true });
    await symlink(join(DATA_LINK, name), link);
  }
  for (const entry of await readdir(dir)) {
    const stale = entry.startsWith('..') ? entry !== DATA_LINK && entry !== generation : !topLevel.has(entry);
    if (stale) await rm(join(dir, entry), { recursive: true, force: true });
  }
  return true;
}

async function currentTarget(dir: string): Promise<string | undefined> {
  return readlink(join(dir, DATA_LINK)).catch(() => undefined);
}

async function sameContent(dir: string, files: FileSet): Promise<boolean> {
  const existing = await listFiles(dir, '');
  if (existing.length !== files.size) return false;
  for (const path of existing) {
    const wanted = files.get(path);
    if (wanted === undefined) return false;
    const file = join(dir, path);
    const [data, info] = await Promise.all([readFile(file), stat(file)]);
    if (!data.equals(wanted.data) || (info.mode & 0o777) !== (wanted.mode & 0o777)) return false;
  }
  return true;
}

async function listFiles(dir: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), path)));
    else out.push(path);
  }
  return out;
}
