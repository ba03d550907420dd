import test from 'ava';
import { Etcd3 } from 'etcd3';
import { EtcdBackend } from '../../../src/server/storage/etcd/etcd-backend.ts';
import { FencedBackend } from '../../../src/server/storage/fenced-backend.ts';
import { ACTIVE_NODE_LOCK } from '../../../src/server/storage/ha-lock-name.ts';
import { etcdStorageConfig, useEtcd } from '../../helpers/etcd.ts';

const etcd = useEtcd(test);

test('a node that lost the HA lock cannot write, while the new holder can', async (t) => {
  const config = etcdStorageConfig(etcd().endpoint);
  const first = await EtcdBackend.create(config);
  const second = await EtcdBackend.create(config);
  t.teardown(async () => {
    await first.close();
    await second.close();
  });
  const fencedFirst = new FencedBackend(first);
  const lock = await first.acquireLock(ACTIVE_NODE_LOCK, 'node-a', 2, new AbortController().signal);
  fencedFirst.fence(first.lockCondition(ACTIVE_NODE_LOCK, 'node-a'));
  await fencedFirst.put('data/x', Buffer.from('written by a'));

  // Someone deletes the lock key (as a lease expiry would); the second node takes the lock.
  const client = new Etcd3({ hosts: etcd().endpoint });
  t.teardown(() => client.close());
  await client.delete().key(`${config.prefix}core/lock/${ACTIVE_NODE_LOCK}`);
  await lock.lost;
  const fencedSecond = new FencedBackend(second);
  await second.acquireLock(ACTIVE_NODE_LOCK, 'node-b', 2, new AbortController().signal);
  fencedSecond.fence(second.lockCondition(ACTIVE_NODE_LOCK, 'node-b'));

  const error = await t.throwsAsync(fencedFirst.put('data/x', Buffer.from('stale write by a')));
  t.regex(error.message, /no longer the active node/);
  await t.throwsAsync(fencedFirst.delete('data/x'));
  await t.throwsAsync(fencedFirst.transaction([{ type: 'put', key: 'data/y', value: Buffer.from('stale') }]));
  t.is(Buffer.from((await first.get('data/x'))!).toString(), 'written by a');
  t.is(await first.get('data/y'), undefined);

  await fencedSecond.put('data/x', Buffer.from('written by b'));
  t.is(Buffer.from((await second.get('data/x'))!).toString(), 'written by b');
});

test('a failed condition of the caller is not mistaken for a lost lock', async (t) => {
  const backend = await EtcdBackend.create(etcdStorageConfig(etcd().endpoint));
  t.teardown(() => backend.close());
  await backend.acquireLock(ACTIVE_NODE_LOCK, 'node-a', 2, new AbortController().signal);
  const fenced = new FencedBackend(backend);
  fenced.fence(backend.lockCondition(ACTIVE_NODE_LOCK, 'node-a'));
  const applied = await fenced.transaction([{ type: 'put', key: 'k', value: Buffer.from('v') }], [{ key: 'k', value: Buffer.from('other') }]);
  t.false(applied);
  t.true(await fenced.transaction([{ type: 'put', key: 'k', value: Buffer.from('v') }], [{ key: 'k', value: undefined }]));
});
