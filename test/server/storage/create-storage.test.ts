import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { createStorage } from '../../../src/server/storage/create-storage.ts';
import { isHALock, isTransactional, isWatchable } from '../../../src/server/storage/physical-backend.ts';
import { etcdStorageConfig, useEtcd } from '../../helpers/etcd.ts';
import { bytes } from './conformance.ts';

const etcd = useEtcd(test);

test('inmem: transactional, no HA', async (t) => {
  const storage = await createStorage({ type: 'inmem' });
  t.teardown(() => storage.close());
  t.is(storage.type, 'inmem');
  t.true(isTransactional(storage));
  t.false(isHALock(storage));
  t.false(isWatchable(storage));
});

test('file: stores under the configured path', async (t) => {
  const scratch = await mkdtemp(join(tmpdir(), 'sealbox-create-storage-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  const path = join(scratch, 'data');
  const storage = await createStorage({ type: 'file', path });
  await storage.put('k', bytes('v'));
  await storage.close();
  const reopened = await createStorage({ type: 'file', path });
  t.teardown(() => reopened.close());
  t.is(reopened.type, 'file');
  t.true(isTransactional(reopened));
  t.false(isHALock(reopened));
  t.deepEqual(await reopened.get('k'), bytes('v'));
});

test('etcd: transactional, HA lock and watchable', async (t) => {
  const storage = await createStorage(etcdStorageConfig(etcd().endpoint));
  t.teardown(() => storage.close());
  t.is(storage.type, 'etcd');
  t.true(isTransactional(storage));
  t.true(isHALock(storage));
  t.true(isWatchable(storage));
  await storage.put('k', bytes('v'));
  t.deepEqual(await storage.get('k'), bytes('v'));
});
