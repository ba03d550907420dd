import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { isSealboxError } from '../../../../src/lib/errors.ts';
import { ensureDir, renameDurably, writeTempFile } from '../../../../src/server/storage/file/durable-fs.ts';
import { FileBackend } from '../../../../src/server/storage/file/file-backend.ts';
import { entryPath, JOURNAL_NAME } from '../../../../src/server/storage/file/file-layout.ts';
import type { JournalStep } from '../../../../src/server/storage/file/txn-journal.ts';
import { writeJournal } from '../../../../src/server/storage/file/txn-journal.ts';
import { allKeys } from '../all-keys.ts';
import { bytes } from '../conformance.ts';

/*
 * The on-disk states a kill -9 can leave in the middle of a transaction, built with the backend's
 * own staging and journal functions, then opened as after a restart.
 */

async function storeWith(t: ExecutionContext, keys: readonly string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-file-journal-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const backend = await FileBackend.open(dir);
  for (const key of keys) await backend.put(key, bytes(`old ${key}`));
  await backend.close();
  return dir;
}

async function stage(root: string, key: string, value: string): Promise<JournalStep> {
  const { dir } = entryPath(root, key);
  await ensureDir(dir);
  return { type: 'put', key, temp: await writeTempFile(dir, bytes(value)) };
}

async function stagedTransaction(root: string): Promise<JournalStep[]> {
  return [
    await stage(root, 'a', 'new a'),
    await stage(root, 'folder/b', 'new b'),
    await stage(root, 'fresh/deep/c', 'new c'),
    { type: 'delete', key: 'doomed/d' },
  ];
}

async function openAndRead(t: ExecutionContext, root: string): Promise<Record<string, string>> {
  const backend = await FileBackend.open(root);
  t.teardown(() => backend.close());
  const entries: Record<string, string> = {};
  for (const key of await allKeys(backend)) entries[key] = new TextDecoder().decode(await backend.get(key));
  return entries;
}

async function nonEntryFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && !entry.name.startsWith('_')).map((entry) => entry.name);
}

const AFTER = { a: 'new a', 'folder/b': 'new b', 'fresh/deep/c': 'new c' };
const BEFORE = { a: 'old a', 'folder/b': 'old folder/b', 'doomed/d': 'old doomed/d' };

test('a journal written before the crash is replayed in full on open', async (t) => {
  const root = await storeWith(t, Object.keys(BEFORE));
  await writeJournal(root, await stagedTransaction(root));
  t.deepEqual(await openAndRead(t, root), AFTER);
  t.deepEqual(await nonEntryFiles(root), []);
});

test('a journal whose steps were partly done before the crash is finished on open', async (t) => {
  const root = await storeWith(t, Object.keys(BEFORE));
  const steps = await stagedTransaction(root);
  await writeJournal(root, steps);
  const [first] = steps;
  if (first?.type !== 'put') throw new Error('the first step stages a put');
  const { dir, file } = entryPath(root, first.key);
  await renameDurably(join(dir, first.temp), file);
  t.deepEqual(await openAndRead(t, root), AFTER);
  t.deepEqual(await nonEntryFiles(root), []);
});

test('staged values without a journal are discarded on open', async (t) => {
  const root = await storeWith(t, Object.keys(BEFORE));
  await stagedTransaction(root);
  t.deepEqual(await openAndRead(t, root), BEFORE);
  t.deepEqual(await nonEntryFiles(root), []);
  t.deepEqual((await readdir(root)).sort(), ['_a', 'doomed', 'folder'], 'folders made only for staging are gone');
});

test('an unreadable journal stops the open instead of guessing', async (t) => {
  const root = await storeWith(t, Object.keys(BEFORE));
  await writeFile(join(root, JOURNAL_NAME), '{"version":1,"steps":[{"type":"put","key":"a"');
  const error = await t.throwsAsync(FileBackend.open(root));
  t.true(isSealboxError(error, 'storage_unavailable'));
  t.regex(error?.message ?? '', /journal is unreadable/);
});
