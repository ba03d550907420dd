import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { CachedBackend } from '../../../src/server/storage/cached-backend.ts';
import { EtcdBackend } from '../../../src/server/storage/etcd/etcd-backend.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';
import type { StorageChange } from '../../../src/server/storage/physical-backend.ts';
import { decorate } from '../../../src/server/metrics/decorate.ts';
import type { EtcdStorageConfig } from '../../../src/server/config/server-config.ts';
import { etcdStorageConfig, useEtcd } from '../../helpers/etcd.ts';

const etcd = useEtcd(test);
const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : Buffer.from(value).toString());
const bytes = (value: string) => Buffer.from(value);

/** An inmem backend whose reads wait for `release()`, to put a write between a read and its answer. */
class GatedBackend extends InmemBackend {
  #gate: PromiseWithResolvers<void> | undefined;
  hold(): void {
    this.#gate = Promise.withResolvers<void>();
  }
  release(): void {
    this.#gate?.resolve();
    this.#gate = undefined;
  }
  override async get(key: string): Promise<Uint8Array | undefined> {
    const value = await super.get(key);
    await this.#gate?.promise;
    return value;
  }
}

test('serves repeated reads from memory, absent keys too, and drops what its own writes change', async (t) => {
  const inner = new InmemBackend();
  const cache = CachedBackend.create(inner);
  cache.serve(true);
  await cache.put('a', bytes('1'));
  t.is(text(await cache.get('a')), '1');
  t.is(await cache.get('missing'), undefined);
  t.is(cache.size, 2);
  // Changed behind the cache's back (inmem cannot be watched): the cache still answers, which shows it caches.
  await inner.put('a', bytes('behind'));
  await inner.put('missing', bytes('behind'));
  t.is(text(await cache.get('a')), '1');
  t.is(await cache.get('missing'), undefined);

  await cache.put('a', bytes('2'));
  t.is(text(await cache.get('a')), '2');
  await cache.transaction([{ type: 'put', key: 'missing', value: bytes('3') }, { type: 'delete', key: 'a' }]);
  t.is(text(await cache.get('missing')), '3');
  t.is(await cache.get('a'), undefined);
  await cache.delete('missing');
  t.is(await cache.get('missing'), undefined);
});

/** `value` as a view into a larger store, as Node's small Buffers are views of a shared slab. */
function slabView(value: string): Uint8Array {
  const slab = new Uint8Array(8192);
  slab.set(bytes(value), 100);
  return slab.subarray(100, 100 + value.length);
}

const ownsItsStore = (value: Uint8Array | undefined) => value !== undefined && value.byteOffset === 0 && value.buffer.byteLength === value.byteLength;

test('a value read into the cache has a store of its own, so it does not keep a shared slab alive', async (t) => {
  const inner = new InmemBackend();
  const cache = CachedBackend.create(decorate(inner, { get: async (key: string) => (key === 'a' ? slabView('read') : inner.get(key)) }));
  cache.serve(true);
  const first = await cache.get('a');
  t.is(text(first), 'read');
  t.true(ownsItsStore(first));
  t.is(await cache.get('a'), first, 'served from memory: the same object');
});

test('stopping and starting to serve forgets everything, so a new term never reads an old one', async (t) => {
  const inner = new InmemBackend();
  const cache = CachedBackend.create(inner);
  cache.serve(true);
  await cache.put('k', bytes('old term'));
  t.is(text(await cache.get('k')), 'old term');
  cache.serve(false);
  await inner.put('k', bytes('written by another node'));
  t.is(text(await cache.get('k')), 'written by another node', 'a standby reads storage');
  t.is(cache.size, 0);
  cache.serve(true);
  t.is(text(await cache.get('k')), 'written by another node');
  t.is(cache.size, 1);
});

test('a read that a write overtakes does not put back the value it read before', async (t) => {
  const inner = new GatedBackend();
  const cache = CachedBackend.create(inner);
  cache.serve(true);
  await inner.put('k', bytes('before'));
  inner.hold();
  const slowRead = cache.get('k');
  await cache.put('k', bytes('after'));
  inner.release();
  t.is(text(await slowRead), 'before', 'the read began before the write was acknowledged');
  t.is(text(await cache.get('k')), 'after');
  t.is(text(await inner.get('k')), 'after');
});

test('the HA lock is never cached', async (t) => {
  const inner = new InmemBackend();
  const cache = CachedBackend.create(inner);
  cache.serve(true);
  await inner.put('core/lock/active', bytes('node-a'));
  t.is(text(await cache.get('core/lock/active')), 'node-a');
  await inner.put('core/lock/active', bytes('node-b'));
  t.is(text(await cache.get('core/lock/active')), 'node-b');
  t.is(cache.size, 0);
});

test('on etcd, a change made by another node reaches the cache through the watch', async (t) => {
  const config = etcdStorageConfig(etcd().endpoint);
  const cache = CachedBackend.create(await EtcdBackend.create(config));
  const other = await EtcdBackend.create(config);
  t.teardown(async () => {
    await cache.close();
    await other.close();
  });
  cache.serve(true);
  await cache.put('data/x', bytes('mine'));
  t.is(text(await cache.get('data/x')), 'mine');
  // Reads go to etcd until the watch runs (it starts in the background), then they fill the cache.
  for (let i = 0; i < 100 && cache.size < 2; i++) {
    t.is(await cache.get('data/absent'), undefined);
    t.is(text(await cache.get('data/x')), 'mine');
    await sleep(20);
  }
  t.is(cache.size, 2);

  await other.put('data/x', bytes('theirs'));
  await other.put('data/absent', bytes('now present'));
  // The watch delivers asynchronously: poll, bounded.
  let seen: [string | undefined, string | undefined] = [undefined, undefined];
  for (let i = 0; i < 100; i++) {
    seen = [text(await cache.get('data/x')), text(await cache.get('data/absent'))];
    if (seen[0] === 'theirs' && seen[1] === 'now present') break;
    await sleep(20);
  }
  t.deepEqual(seen, ['theirs', 'now present']);

  await other.delete('data/x');
  for (let i = 0; i < 100 && (await cache.get('data/x')) !== undefined; i++) await sleep(20);
  t.is(await cache.get('data/x'), undefined);
});

test('a storage that is down does not stop the cache from being created; reads go to storage and fail there', async (t) => {
  const cache = CachedBackend.create(await EtcdBackend.create(etcdStorageConfig('http://127.0.0.1:1', { requestTimeoutMs: 300 })), { rewatchMs: 50 });
  t.teardown(() => cache.close());
  cache.serve(true);
  const error = await t.throwsAsync(cache.get('data/x'));
  t.regex(error.message, /etcd|storage|unavailable|reach/i);
  t.is(cache.size, 0);
});

/** An etcd backend whose gets are counted, and whose watch listeners the test can see called. */
async function observedEtcd(config: EtcdStorageConfig) {
  const etcdBackend = await EtcdBackend.create(config);
  const counts = { gets: 0 };
  const delivered: StorageChange[] = [];
  const waiters: Array<{ matches: (change: StorageChange) => boolean; resolve: () => void }> = [];
  let beforeCommitAnswer: ((revision: number | undefined) => Promise<void>) | undefined;
  const observed = decorate(etcdBackend, {
    get: (key: string) => {
      counts.gets += 1;
      return etcdBackend.get(key);
    },
    commit: async (operations, conditions) => {
      const revision = await etcdBackend.commit(operations, conditions);
      await beforeCommitAnswer?.(revision);
      return revision;
    },
    watch: (prefix, listener, onInterrupt) =>
      etcdBackend.watch(
        prefix,
        (change) => {
          listener(change);
          delivered.push(change);
          for (const waiter of waiters.filter((candidate) => candidate.matches(change))) waiter.resolve();
        },
        onInterrupt,
      ),
  });
  /** Resolves once the cache's listener has been called with a change that matches. */
  const deliveredTo = (matches: (change: StorageChange) => boolean): Promise<void> => {
    if (delivered.some(matches)) return Promise.resolve();
    return new Promise((resolve) => waiters.push({ matches, resolve }));
  };
  return {
    observed,
    counts,
    deliveredTo,
    holdCommitAnswers: (hook: ((revision: number | undefined) => Promise<void>) | undefined) => {
      beforeCommitAnswer = hook;
    },
  };
}

async function watchRunning(cache: CachedBackend, t: { is: (a: unknown, b: unknown) => void }): Promise<void> {
  // The watch starts in the background; until it runs nothing is cached.
  for (let i = 0; i < 100 && cache.size === 0; i++) {
    t.is(await cache.get('data/probe'), undefined);
    await sleep(20);
  }
}

test('on etcd, a transaction keeps what it wrote: the next read and the write\'s own watch event do not reach etcd', async (t) => {
  const { observed, counts, deliveredTo } = await observedEtcd(etcdStorageConfig(etcd().endpoint));
  const cache = CachedBackend.create(observed);
  t.teardown(() => cache.close());
  cache.serve(true);
  await watchRunning(cache, t);

  t.true(await cache.transaction([{ type: 'put', key: 'data/m', value: bytes('v1') }, { type: 'delete', key: 'data/gone' }]));
  const gets = counts.gets;
  t.is(text(await cache.get('data/m')), 'v1');
  t.is(await cache.get('data/gone'), undefined);
  await deliveredTo((change) => change.key === 'data/m');
  t.is(text(await cache.get('data/m')), 'v1', 'after its own watch event');
  t.is(counts.gets, gets, 'served from memory');

  t.false(await cache.transaction([{ type: 'put', key: 'data/m', value: bytes('never') }], [{ key: 'data/m', value: bytes('not v1') }]));
  t.is(text(await cache.get('data/m')), 'v1', 'a failed condition writes nothing and is read from etcd');
  t.is(counts.gets, gets + 1);
});

test('on etcd, a value this node wrote is kept with a store of its own', async (t) => {
  const { observed, counts } = await observedEtcd(etcdStorageConfig(etcd().endpoint));
  const cache = CachedBackend.create(observed);
  t.teardown(() => cache.close());
  cache.serve(true);
  await watchRunning(cache, t);
  t.true(await cache.transaction([{ type: 'put', key: 'data/own', value: slabView('mine') }]));
  const gets = counts.gets;
  const kept = await cache.get('data/own');
  t.is(counts.gets, gets, 'served from memory');
  t.is(text(kept), 'mine');
  t.true(ownsItsStore(kept));
});

/** A serving cache on an observed etcd backend, and a second node's backend on the same etcd. */
async function cacheBesideOtherNode(t: ExecutionContext) {
  const config = etcdStorageConfig(etcd().endpoint);
  const { observed, deliveredTo, holdCommitAnswers } = await observedEtcd(config);
  const cache = CachedBackend.create(observed);
  const other = await EtcdBackend.create(config);
  t.teardown(async () => {
    await cache.close();
    await other.close();
  });
  cache.serve(true);
  await watchRunning(cache, t);
  return { cache, other, deliveredTo, holdCommitAnswers };
}

test('on etcd, a write by another node that lands while this node\'s write awaits its answer is not hidden by it', async (t) => {
  const { cache, other, deliveredTo, holdCommitAnswers } = await cacheBesideOtherNode(t);

  // This node's transaction commits; before its answer arrives, the other node writes the key and
  // the cache's watch sees that later change.
  holdCommitAnswers(async (revision) => {
    holdCommitAnswers(undefined);
    await other.put('data/race', bytes('theirs'));
    await deliveredTo((change) => change.key === 'data/race' && (change.revision ?? 0) > (revision ?? 0));
  });
  t.true(await cache.transaction([{ type: 'put', key: 'data/race', value: bytes('mine') }]));
  t.is(text(await cache.get('data/race')), 'theirs');
});

test('on etcd, a later change by another node drops what this node wrote', async (t) => {
  const { cache, other } = await cacheBesideOtherNode(t);
  t.true(await cache.transaction([{ type: 'put', key: 'data/later', value: bytes('mine') }]));
  t.is(text(await cache.get('data/later')), 'mine');
  await other.put('data/later', bytes('theirs'));
  let seen: string | undefined;
  for (let i = 0; i < 100 && seen !== 'theirs'; i++) {
    seen = text(await cache.get('data/later'));
    if (seen !== 'theirs') await sleep(20);
  }
  t.is(seen, 'theirs');
});
