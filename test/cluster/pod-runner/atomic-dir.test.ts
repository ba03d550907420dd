import test from 'ava';
import { readFile, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../helpers/server-process.ts';
import { writeAtomicDir } from './atomic-dir.ts';

const file = (text: string, mode = 0o644) => ({ data: Buffer.from(text), mode });

test('files appear through ..data, with their modes, and an update swaps them all at once', async (t) => {
  const dir = await tempDir();
  t.teardown(() => dir.remove());
  t.true(await writeAtomicDir(dir.path, new Map([['a.txt', file('one')], ['sub/b.txt', file('two', 0o600)]])));
  t.is(await readFile(join(dir.path, 'a.txt'), 'utf8'), 'one');
  t.is(await readFile(join(dir.path, 'sub', 'b.txt'), 'utf8'), 'two');
  t.is((await stat(join(dir.path, 'sub', 'b.txt'))).mode & 0o777, 0o600);
  t.is(await readlink(join(dir.path, 'a.txt')), join('..data', 'a.txt'));
  const first = await readlink(join(dir.path, '..data'));

  t.false(await writeAtomicDir(dir.path, new Map([['a.txt', file('one')], ['sub/b.txt', file('two', 0o600)]])), 'unchanged content is not rewritten');
  t.is(await readlink(join(dir.path, '..data')), first);

  t.true(await writeAtomicDir(dir.path, new Map([['c.txt', file('three')]])));
  t.is(await readFile(join(dir.path, 'c.txt'), 'utf8'), 'three');
  const entries = (await readdir(dir.path)).sort();
  t.deepEqual(entries.filter((entry) => !entry.startsWith('..')), ['c.txt'], 'keys that went away are removed');
  t.is(entries.filter((entry) => entry.startsWith('..') && entry !== '..data').length, 1, 'only the current generation is kept');
});
