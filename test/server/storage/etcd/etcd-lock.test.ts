import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { Etcd3 } from 'etcd3';
import { EtcdBackend } from '../../../../src/server/storage/etcd/etcd-backend.ts';
import { etcdStorageConfig, uniquePrefix, useEtcd } from '../../../helpers/etcd.ts';

const etcd = useEtcd(test);

const TTL_SECONDS = 1;
// How long a second acquirer gets to (wrongly) take a held lock before the test moves on.
const GRACE_MS = 400;

/** Two nodes on one prefix, and a raw client for what a node cannot do to itself. */
async function cluster(t: ExecutionContext) {
  const prefix = uniquePrefix();
  const config = etcdStorageConfig(etcd().endpoint, { prefix });
  const [first, second] = [await EtcdBackend.create(config), await EtcdBackend.create(config)];
  const client = new Etcd3({ hosts: etcd().endpoint });
  const raw = client.namespace(prefix);
  t.teardown(async () => {
    await first.close();
    await second.close();
    client.close();
  });
  return { first, second, raw };
}

function neverAborted(): AbortSignal {
  return new AbortController().signal;
}

test('the holder is visible through lockHolder, and release frees the lock', async (t) => {
  const { first, second } = await cluster(t);
  t.is(await second.lockHolder('leader'), undefined);
  const lock = await first.acquireLock('leader', 'https://node-1:8200', TTL_SECONDS, neverAborted());
  t.is(await second.lockHolder('leader'), 'https://node-1:8200');
  await lock.release();
  await lock.lost;
  t.is(await second.lockHolder('leader'), undefined);
});

test('a second acquirer waits until the first releases', async (t) => {
  const { first, second } = await cluster(t);
  const events: string[] = [];
  const held = await first.acquireLock('leader', 'node-1', TTL_SECONDS, neverAborted());
  const waiting = second.acquireLock('leader', 'node-2', TTL_SECONDS, neverAborted()).then((lock) => {
    events.push('second acquired');
    return lock;
  });
  await sleep(GRACE_MS);
  t.is(await first.lockHolder('leader'), 'node-1');
  events.push('first releasing');
  await held.release();
  const next = await waiting;
  t.deepEqual(events, ['first releasing', 'second acquired']);
  t.is(await first.lockHolder('leader'), 'node-2');
  await next.release();
});

test('the lock is held for longer than its TTL while renewed', async (t) => {
  const { first, second } = await cluster(t);
  const lock = await first.acquireLock('leader', 'node-1', TTL_SECONDS, neverAborted());
  const lostEarly = await Promise.race([lock.lost.then(() => true), sleep(TTL_SECONDS * 3000).then(() => false)]);
  t.false(lostEarly);
  t.is(await second.lockHolder('leader'), 'node-1');
  await lock.release();
});

test('lost settles when the lease is revoked by someone else, and a waiter takes over', async (t) => {
  const { first, second, raw } = await cluster(t);
  const lock = await first.acquireLock('leader', 'node-1', TTL_SECONDS, neverAborted());
  const waiting = second.acquireLock('leader', 'node-2', TTL_SECONDS, neverAborted());
  const { kvs } = await raw.get('core/lock/leader').exec();
  const leaseId = kvs[0]?.lease ?? '0';
  t.not(leaseId, '0', 'the lock key is bound to a lease');
  await raw.leaseClient.leaseRevoke({ ID: leaseId });
  await lock.lost;
  const next = await waiting;
  t.is(await first.lockHolder('leader'), 'node-2');
  await next.release();
});

test('lost settles when the lock key is deleted', async (t) => {
  const { first, second, raw } = await cluster(t);
  const lock = await first.acquireLock('leader', 'node-1', TTL_SECONDS, neverAborted());
  await raw.delete().key('core/lock/leader');
  await lock.lost;
  t.is(await second.lockHolder('leader'), undefined, 'the holder revoked its lease after losing');
});

test('an abort signal rejects a waiting acquirer with an AbortError', async (t) => {
  const { first, second } = await cluster(t);
  const held = await first.acquireLock('leader', 'node-1', TTL_SECONDS, neverAborted());
  const controller = new AbortController();
  const waiting = second.acquireLock('leader', 'node-2', TTL_SECONDS, controller.signal);
  await sleep(GRACE_MS);
  controller.abort();
  await t.throwsAsync(waiting, { name: 'AbortError' });
  t.is(await second.lockHolder('leader'), 'node-1');
  await held.release();
});

test('an already aborted signal rejects at once', async (t) => {
  const { first } = await cluster(t);
  await t.throwsAsync(first.acquireLock('leader', 'node-1', TTL_SECONDS, AbortSignal.abort()), { name: 'AbortError' });
  t.is(await first.lockHolder('leader'), undefined);
});

test('locks of different names are independent', async (t) => {
  const { first, second } = await cluster(t);
  const a = await first.acquireLock('a', 'node-1', TTL_SECONDS, neverAborted());
  const b = await second.acquireLock('b', 'node-2', TTL_SECONDS, neverAborted());
  t.is(await first.lockHolder('b'), 'node-2');
  t.is(await second.lockHolder('a'), 'node-1');
  await a.release();
  await b.release();
});

test('close releases held locks', async (t) => {
  const { first, second } = await cluster(t);
  const lock = await first.acquireLock('leader', 'node-1', TTL_SECONDS, neverAborted());
  await first.close();
  await lock.lost;
  t.is(await second.lockHolder('leader'), undefined);
});

test('close rejects an acquirer that is still waiting', async (t) => {
  const { first, second } = await cluster(t);
  const held = await first.acquireLock('leader', 'node-1', TTL_SECONDS, neverAborted());
  const waiting = second.acquireLock('leader', 'node-2', TTL_SECONDS, neverAborted());
  await sleep(GRACE_MS);
  await second.close();
  await t.throwsAsync(waiting, { name: 'AbortError' });
  t.is(await first.lockHolder('leader'), 'node-1');
  await held.release();
});

test('invalid lock names and TTLs are invalid_request', async (t) => {
  const { first } = await cluster(t);
  await t.throwsAsync(first.acquireLock('a/b', 'v', TTL_SECONDS, neverAborted()), { message: /lock name/ });
  await t.throwsAsync(first.acquireLock('', 'v', TTL_SECONDS, neverAborted()), { message: /invalid storage key/ });
  await t.throwsAsync(first.acquireLock('ok', 'v', 0, neverAborted()), { message: /TTL/ });
  await t.throwsAsync(first.acquireLock('ok', 'v', 1.5, neverAborted()), { message: /TTL/ });
});
