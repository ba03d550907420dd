import { randomBytes } from 'node:crypto';
import test from 'ava';
import { isSealboxError } from '../../../src/lib/errors.ts';
import { EtcdBackend } from '../../../src/server/storage/etcd/etcd-backend.ts';
import { FileBackend } from '../../../src/server/storage/file/file-backend.ts';
import { ACTIVE_NODE_LOCK } from '../../../src/server/storage/ha-lock-name.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';
import { MIGRATION_LOCK_KEY, readMigrationLock } from '../../../src/server/storage/migrate-lock.ts';
import { keysToCopy } from '../../../src/server/storage/migrate-walk.ts';
import { migrateStorage, resetMigration } from '../../../src/server/storage/migrate.ts';
import type { PhysicalBackend } from '../../../src/server/storage/physical-backend.ts';
import { etcdStorageConfig, useEtcd } from '../../helpers/etcd.ts';
import { tempDir } from '../../helpers/server-process.ts';
import { allKeys } from './all-keys.ts';

const etcd = useEtcd(test);

/** Keys across folders, nested folders, and a key beside a folder of the same name. */
const KEYS = [
  'core/seal-config',
  'core/keyring',
  'core/hsm/barrier-unseal-keys',
  'logical/3f1a/secret/a',
  'logical/3f1a/secret/b',
  'logical/3f1a/secret',
  'logical/9c2e/data/deep/er/key',
  'sys/policy/default',
  'sys/token/id/h1',
  'sys/token/id/h2',
  'zz-last',
];

async function filled(backend: PhysicalBackend, keys = KEYS): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>();
  for (const key of keys) {
    const value = randomBytes(64);
    await backend.put(key, value);
    entries.set(key, value);
  }
  return entries;
}

async function contents(backend: PhysicalBackend): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>();
  for (const key of (await allKeys(backend)).sort()) entries.set(key, Buffer.from((await backend.get(key))!));
  return entries;
}

/** `backend` with some of its methods replaced, to watch what the migration does to it. */
function observed(backend: PhysicalBackend, overrides: Partial<PhysicalBackend>): PhysicalBackend {
  return {
    type: backend.type,
    get: (key) => backend.get(key),
    put: (key, value) => backend.put(key, value),
    delete: (key) => backend.delete(key),
    list: (prefix) => backend.list(prefix),
    close: () => backend.close(),
    ...overrides,
  };
}

async function fileBackend(t: { teardown(fn: () => Promise<void>): void }): Promise<FileBackend> {
  const dir = await tempDir('sealbox-migrate-');
  const backend = await FileBackend.open(dir.path);
  t.teardown(async () => {
    await backend.close();
    await dir.remove();
  });
  return backend;
}

async function etcdBackend(t: { teardown(fn: () => Promise<void>): void }): Promise<EtcdBackend> {
  const backend = await EtcdBackend.create(etcdStorageConfig(etcd().endpoint));
  t.teardown(() => backend.close());
  return backend;
}

test('copies every entry byte for byte, in key order, and removes its lock from the source', async (t) => {
  const source = await fileBackend(t);
  const destination = await etcdBackend(t);
  const written = await filled(source);
  const seen: string[] = [];
  let announced = -1;
  const result = await migrateStorage({
    source,
    destination,
    maxParallel: 1,
    onStart: (total) => (announced = total),
    onCopied: ({ key, copied, total }) => {
      seen.push(key);
      t.is(total, KEYS.length);
      t.is(copied, seen.length);
    },
  });
  t.deepEqual(result, { copied: KEYS.length, total: KEYS.length });
  t.is(announced, KEYS.length);
  t.deepEqual(seen, [...KEYS].sort());
  t.deepEqual(await contents(destination), new Map([...written].sort(([a], [b]) => (a < b ? -1 : 1))));
  t.deepEqual(await contents(source), await contents(destination), 'the source is left as it was');
  t.is(await readMigrationLock(source), undefined);
});

test('leaves out the migration lock and the HA locks', async (t) => {
  const source = await etcdBackend(t);
  const destination = new InmemBackend();
  await filled(source, ['core/keyring', 'logical/x/y']);
  const held = await source.acquireLock('some-other-lock', 'node-a', 5, AbortSignal.timeout(10_000));
  t.teardown(() => held.release());
  t.deepEqual(await source.list('core/lock/'), ['some-other-lock']);
  await migrateStorage({ source, destination });
  t.deepEqual(await allKeys(destination), ['core/keyring', 'logical/x/y']);
});

test('with many copies in flight every key still arrives', async (t) => {
  const source = new InmemBackend();
  const destination = await fileBackend(t);
  const keys = Array.from({ length: 120 }, (_, index) => `logical/m/${String(index).padStart(3, '0')}`);
  const written = await filled(source, keys);
  const result = await migrateStorage({ source, destination, maxParallel: 16 });
  t.is(result.copied, 120);
  t.deepEqual(await contents(destination), await contents(source));
  t.is(written.size, 120);
});

test('refuses a destination that is not empty, and changes nothing on either side', async (t) => {
  const source = await fileBackend(t);
  const destination = await fileBackend(t);
  await filled(source);
  await destination.put('core/seal-config', Buffer.from('someone else'));
  const before = await contents(source);
  const error = await t.throwsAsync(migrateStorage({ source, destination }));
  t.true(isSealboxError(error, 'invalid_request'));
  t.is(
    error?.message,
    'the destination storage is not empty (it holds core/); migrate into empty storage, or pass -start KEY to resume an interrupted migration',
  );
  t.deepEqual(await contents(source), before);
  t.deepEqual(await allKeys(destination), ['core/seal-config']);
});

test('refuses while a server holds the HA lock of the source, and changes nothing', async (t) => {
  const source = await etcdBackend(t);
  const destination = await fileBackend(t);
  await filled(source);
  const held = await source.acquireLock(ACTIVE_NODE_LOCK, 'active-node', 5, AbortSignal.timeout(10_000));
  t.teardown(() => held.release());
  const before = await contents(source);
  const error = await t.throwsAsync(migrateStorage({ source, destination }));
  t.true(isSealboxError(error, 'invalid_request'));
  t.is(error?.message, 'a server holds the HA lock of the source storage; stop every server that uses it before migrating');
  t.deepEqual(await contents(source), before);
  t.deepEqual(await allKeys(destination), []);

  await held.release();
  const result = await migrateStorage({ source, destination });
  t.is(result.copied, KEYS.length, 'once the server is gone the migration runs');
});

test('refuses while a server holds the HA lock of the destination', async (t) => {
  const source = await fileBackend(t);
  const destination = await etcdBackend(t);
  await filled(source);
  const held = await destination.acquireLock(ACTIVE_NODE_LOCK, 'active-node', 5, AbortSignal.timeout(10_000));
  t.teardown(() => held.release());
  const error = await t.throwsAsync(migrateStorage({ source, destination, startKey: 'a' }));
  t.regex(error?.message ?? '', /HA lock of the destination storage/);
  t.is(await readMigrationLock(source), undefined);
});

test('refuses while another migration holds the source, naming when it started', async (t) => {
  const source = await fileBackend(t);
  const destination = await fileBackend(t);
  await filled(source);
  await source.put(MIGRATION_LOCK_KEY, Buffer.from('{"start":"2024-05-01T10:00:00Z"}'));
  const error = await t.throwsAsync(migrateStorage({ source, destination }));
  t.is(error?.message, 'storage migration in progress (started: 2024-05-01T10:00:00Z)');
  t.deepEqual(await allKeys(destination), []);
  t.deepEqual(await readMigrationLock(source), { start: '2024-05-01T10:00:00Z' }, 'the other migration keeps its lock');

  await resetMigration(source);
  t.is(await readMigrationLock(source), undefined);
  t.is((await migrateStorage({ source, destination })).copied, KEYS.length);
});

test('the lock is written before the copy, with the start time, and removed after', async (t) => {
  const source = await fileBackend(t);
  await filled(source);
  const inmem = new InmemBackend();
  const locksSeen: unknown[] = [];
  const destination = observed(inmem, {
    put: async (key, value) => {
      locksSeen.push(await readMigrationLock(source));
      await inmem.put(key, value);
    },
  });
  await migrateStorage({ source, destination, maxParallel: 1, now: () => new Date('2025-03-04T05:06:07.890Z') });
  t.is(locksSeen.length, KEYS.length);
  t.true(locksSeen.every((lock) => JSON.stringify(lock) === '{"start":"2025-03-04T05:06:07Z"}'));
  t.is(await readMigrationLock(source), undefined);
  t.false((await allKeys(inmem)).includes(MIGRATION_LOCK_KEY));
});

test('an interrupted migration says where to resume, and -start finishes it', async (t) => {
  const source = await fileBackend(t);
  const destination = await etcdBackend(t);
  await filled(source);
  const stop = new AbortController();
  const first = await migrateStorage({
    source,
    destination,
    maxParallel: 1,
    signal: stop.signal,
    onCopied: ({ copied }) => {
      if (copied === 4) stop.abort();
    },
  });
  const sorted = [...KEYS].sort();
  t.deepEqual(first, { copied: 4, total: KEYS.length, resumeFrom: sorted[4] });
  t.deepEqual(await allKeys(destination), sorted.slice(0, 4));
  t.is(await readMigrationLock(source), undefined, 'the lock does not outlive an interruption');

  const second = await migrateStorage({ source, destination, startKey: first.resumeFrom! });
  t.deepEqual(second, { copied: KEYS.length - 4, total: KEYS.length - 4 });
  t.deepEqual(await contents(destination), await contents(source));
});

test('a failing destination stops the copy with the key to resume from', async (t) => {
  const source = await fileBackend(t);
  const dir = await tempDir('sealbox-migrate-');
  t.teardown(() => dir.remove());
  const destination = await FileBackend.open(dir.path);
  await filled(source);
  const error = await t.throwsAsync(
    migrateStorage({
      source,
      destination,
      maxParallel: 1,
      // The destination disappears under the copy, as a disk or an etcd cluster can.
      onCopied: ({ copied }) => void (copied === 3 && destination.close()),
    }),
  );
  const sorted = [...KEYS].sort();
  t.true(isSealboxError(error, 'storage_unavailable'), String(error));
  t.regex(error?.message ?? '', new RegExp(`^migration stopped after 3 of ${KEYS.length} keys: .*closed; resume with -start "${sorted[3]}"$`));
  t.is(await readMigrationLock(source), undefined);
});

test('the walk lists only folders that can hold keys at or after the start key', async (t) => {
  const source = new InmemBackend();
  await filled(source);
  const listed: string[] = [];
  const listing = observed(source, {
    list: (prefix) => {
      listed.push(prefix);
      return source.list(prefix);
    },
  });
  t.deepEqual(await keysToCopy(listing, 'logical/3f1a/secret/b'), [
    'logical/3f1a/secret/b',
    'logical/9c2e/data/deep/er/key',
    'sys/policy/default',
    'sys/token/id/h1',
    'sys/token/id/h2',
    'zz-last',
  ]);
  t.false(listed.includes('core/'), 'folders wholly before the start are not listed');
  t.false(listed.includes('core/hsm/'));
  t.true(listed.includes('logical/3f1a/secret/'));
});
