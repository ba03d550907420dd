import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { isSealboxError } from '../../../../src/lib/errors.ts';
import { FileBackend } from '../../../../src/server/storage/file/file-backend.ts';
import { registerConformanceTests, bytes } from '../conformance.ts';

let scratch = '';
let opened = 0;

test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sealbox-file-backend-'));
});

test.after.always(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function freshDir(): string {
  opened += 1;
  return join(scratch, `store-${opened}`);
}

registerConformanceTests(test, 'file', () => FileBackend.open(freshDir()));

test('file: entries survive reopening', async (t) => {
  const dir = freshDir();
  const first = await FileBackend.open(dir);
  await first.put('a/b', bytes('persisted'));
  await first.transaction([
    { type: 'put', key: 'a/c', value: bytes('c') },
    { type: 'put', key: 'd', value: bytes('d') },
  ]);
  await first.close();
  const second = await FileBackend.open(dir);
  t.teardown(() => second.close());
  t.deepEqual(await second.get('a/b'), bytes('persisted'));
  t.deepEqual(await second.list(''), ['a/', 'd']);
  t.deepEqual(await second.list('a/'), ['b', 'c']);
});

test('file: layout is Vault-like with private modes', async (t) => {
  const dir = freshDir();
  const backend = await FileBackend.open(dir);
  t.teardown(() => backend.close());
  await backend.put('a/b/c', bytes('x'));
  await backend.put('a/b', bytes('y'));
  t.deepEqual((await readdir(join(dir, 'a'))).sort(), ['_b', 'b']);
  t.deepEqual(await readdir(join(dir, 'a', 'b')), ['_c']);
  t.is((await stat(dir)).mode & 0o777, 0o700);
  t.is((await stat(join(dir, 'a', 'b'))).mode & 0o777, 0o700);
  t.is((await stat(join(dir, 'a', 'b', '_c'))).mode & 0o777, 0o600);
});

test('file: files that are not entries are invisible to list', async (t) => {
  const dir = freshDir();
  const backend = await FileBackend.open(dir);
  t.teardown(() => backend.close());
  await backend.put('k', bytes('v'));
  await writeFile(join(dir, 'README'), 'not an entry');
  await writeFile(join(dir, '%tmp-0123456789abcdef'), 'a leftover temp file');
  t.deepEqual(await backend.list(''), ['k']);
});

test('file: a key segment longer than a file name allows is invalid_request', async (t) => {
  const backend = await FileBackend.open(freshDir());
  t.teardown(() => backend.close());
  const error = await t.throwsAsync(backend.put(`a/${'s'.repeat(251)}`, bytes('v')));
  t.true(isSealboxError(error, 'invalid_request'));
});

test('file: operations after close fail with storage_unavailable', async (t) => {
  const backend = await FileBackend.open(freshDir());
  await backend.close();
  const error = await t.throwsAsync(backend.get('k'));
  t.true(isSealboxError(error, 'storage_unavailable'));
});

test('file: a storage path that is not a directory is storage_unavailable', async (t) => {
  const path = join(scratch, 'plain-file');
  await writeFile(path, 'not a directory');
  const error = await t.throwsAsync(FileBackend.open(path));
  t.true(isSealboxError(error, 'storage_unavailable'));
  t.regex(error?.message ?? '', /^storage unavailable: /);
  t.false((error?.message ?? '').includes(scratch), 'paths stay out of client-visible messages');
});

// Writes issued while others are applied are applied together (group commit); these issue them
// in one turn so that they land in one batch.
test('file: concurrent writes applied together all survive reopening, deletes included', async (t) => {
  const dir = freshDir();
  const first = await FileBackend.open(dir);
  await first.put('gone/x', bytes('old'));
  await Promise.all([
    ...Array.from({ length: 100 }, (_, index) => first.put(`many/${index % 10}/${index}`, bytes(`v${index}`))),
    first.delete('gone/x'),
    first.transaction([
      { type: 'put', key: 'pair/a', value: bytes('a') },
      { type: 'put', key: 'pair/b', value: bytes('b') },
    ]),
  ]);
  await first.close();
  const second = await FileBackend.open(dir);
  t.teardown(() => second.close());
  for (let index = 0; index < 100; index++) t.deepEqual(await second.get(`many/${index % 10}/${index}`), bytes(`v${index}`));
  t.deepEqual(await second.list(''), ['many/', 'pair/']);
  t.deepEqual(await second.list('pair/'), ['a', 'b']);
});

test('file: in a batch, each condition sees the writes before it', async (t) => {
  const backend = await FileBackend.open(freshDir());
  t.teardown(() => backend.close());
  await backend.put('counter', bytes('0'));
  // Compare-and-swap increments racing in one turn: exactly one of each round applies.
  for (let round = 0; round < 5; round++) {
    const current = new TextDecoder().decode(await backend.get('counter'));
    const applied = await Promise.all(
      Array.from({ length: 5 }, () =>
        backend.transaction([{ type: 'put', key: 'counter', value: bytes(String(Number(current) + 1)) }], [{ key: 'counter', value: bytes(current) }]),
      ),
    );
    t.is(applied.filter(Boolean).length, 1, `round ${round}`);
  }
  t.deepEqual(await backend.get('counter'), bytes('5'));
  // A put and a transaction that expects it, issued together: the transaction applies.
  const [, applied] = await Promise.all([
    backend.put('flag', bytes('set')),
    backend.transaction([{ type: 'put', key: 'after-flag', value: bytes('yes') }], [{ key: 'flag', value: bytes('set') }]),
  ]);
  t.true(applied);
  t.deepEqual(await backend.get('after-flag'), bytes('yes'));
});

test('file: writes issued before close complete; writes after it fail', async (t) => {
  const dir = freshDir();
  const backend = await FileBackend.open(dir);
  const before = [backend.put('a', bytes('1')), backend.transaction([{ type: 'put', key: 'b', value: bytes('2') }])];
  await backend.close();
  await Promise.all(before);
  const error = await t.throwsAsync(backend.put('c', bytes('3')));
  t.true(isSealboxError(error, 'storage_unavailable'));
  const reopened = await FileBackend.open(dir);
  t.teardown(() => reopened.close());
  t.deepEqual(await reopened.list(''), ['a', 'b']);
});
