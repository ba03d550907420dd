import test from 'ava';
import type { ExecutionContext } from 'ava';
import { EtcdBackend } from '../../../../src/server/storage/etcd/etcd-backend.ts';
import type { StorageChange } from '../../../../src/server/storage/physical-backend.ts';
import { etcdStorageConfig, uniquePrefix, useEtcd } from '../../../helpers/etcd.ts';
import { bytes } from '../conformance.ts';

const etcd = useEtcd(test);

async function open(t: ExecutionContext, prefix = uniquePrefix()): Promise<EtcdBackend> {
  const backend = await EtcdBackend.create(etcdStorageConfig(etcd().endpoint, { prefix }));
  t.teardown(() => backend.close());
  return backend;
}

/** Collects changes (their revisions apart) and lets a test wait until a given number arrived. */
function recorder() {
  const changes: StorageChange[] = [];
  const revisions: Array<number | undefined> = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const listener = ({ revision, ...change }: StorageChange) => {
    changes.push(change);
    revisions.push(revision);
    for (const waiter of waiters.filter((candidate) => changes.length >= candidate.count)) waiter.resolve();
  };
  const received = (count: number) =>
    changes.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
  return { changes, revisions, listener, received };
}

test('watch reports puts and deletes below the prefix, with keys relative to the storage prefix', async (t) => {
  const backend = await open(t);
  const { changes, revisions, listener, received } = recorder();
  const unwatch = await backend.watch('', listener);
  await backend.put('core/keyring', bytes('k'));
  await backend.delete('core/keyring');
  const committed = await backend.commit([
    { type: 'put', key: 'logical/x/a', value: bytes('a') },
    { type: 'put', key: 'logical/x/b', value: bytes('b') },
  ]);
  await received(4);
  t.true(revisions[0]! < revisions[1]! && revisions[1]! < revisions[2]!, 'changes carry increasing revisions');
  t.deepEqual(revisions.slice(2), [committed, committed], 'both keys of the transaction at the revision its commit reported');
  t.deepEqual(changes, [
    { key: 'core/keyring', type: 'put' },
    { key: 'core/keyring', type: 'delete' },
    { key: 'logical/x/a', type: 'put' },
    { key: 'logical/x/b', type: 'put' },
  ]);
  await unwatch();
});

test('watch sees only its own folder, and nothing after unwatch', async (t) => {
  const backend = await open(t);
  const core = recorder();
  const everything = recorder();
  const unwatchCore = await backend.watch('core/', core.listener);
  const unwatchAll = await backend.watch('', everything.listener);
  await backend.put('sys/policy/x', bytes('p'));
  await backend.put('core/seal-config', bytes('s'));
  await everything.received(2);
  await unwatchCore();
  await backend.put('core/after-unwatch', bytes('late'));
  await everything.received(3);
  t.deepEqual(core.changes, [{ key: 'core/seal-config', type: 'put' }]);
  await unwatchAll();
});

test('backends with different prefixes do not see each other', async (t) => {
  const [left, right] = [await open(t), await open(t)];
  const seen = recorder();
  const unwatch = await left.watch('', seen.listener);
  await left.put('shared/key', bytes('left'));
  await right.put('shared/key', bytes('right'));
  await right.put('only-right', bytes('right'));
  await left.put('marker', bytes('left'));
  await seen.received(2);
  t.deepEqual(seen.changes, [
    { key: 'shared/key', type: 'put' },
    { key: 'marker', type: 'put' },
  ]);
  t.deepEqual(await left.get('shared/key'), bytes('left'));
  t.deepEqual(await right.get('shared/key'), bytes('right'));
  t.deepEqual(await left.list(''), ['marker', 'shared/']);
  t.deepEqual(await right.list(''), ['only-right', 'shared/']);
  t.true(await right.transaction([{ type: 'put', key: 'marker', value: bytes('right') }], [{ key: 'marker', value: undefined }]));
  t.deepEqual(await left.get('marker'), bytes('left'));
  await unwatch();
});

test('a prefix that is a string prefix of another stays separate', async (t) => {
  const base = uniquePrefix();
  const [short, long] = [await open(t, base), await open(t, `${base.slice(0, -1)}-more/`)];
  await short.put('k', bytes('short'));
  await long.put('k', bytes('long'));
  t.deepEqual(await short.list(''), ['k']);
  t.deepEqual(await short.get('k'), bytes('short'));
});
