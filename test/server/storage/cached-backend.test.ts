import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { CachedBackend } from '../../../src/server/storage/cached-backend.ts';
import { EtcdBackend } from '../../../src/server/storage/etcd/etcd-backend.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';
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
