import test from 'ava';
import { EtcdBackend } from '../../../../src/server/storage/etcd/etcd-backend.ts';
import { etcdStorageConfig, useEtcd } from '../../../helpers/etcd.ts';

// Concurrent calls go to etcd together (one read-only Txn for gets, one Txn for commits that
// cannot interfere); these tests issue them in one turn so that they would share a Txn.
const etcd = useEtcd(test);

async function backend(t: { teardown(fn: () => Promise<void>): void }): Promise<EtcdBackend> {
  const created = await EtcdBackend.create(etcdStorageConfig(etcd().endpoint));
  t.teardown(() => created.close());
  return created;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
// Buffer.equals: ava's deepEqual takes seconds on a MiB and would stall the other tests' calls.
const same = (value: Uint8Array | undefined, expected: Uint8Array): boolean => value !== undefined && Buffer.from(value).equals(expected);
const text = (value: Uint8Array | undefined): string | undefined => (value === undefined ? undefined : new TextDecoder().decode(value));

test('more concurrent gets than etcd takes in one Txn each get their own value, absent keys undefined', async (t) => {
  const storage = await backend(t);
  await Promise.all(Array.from({ length: 300 }, (_, index) => storage.put(`k/${index}`, bytes(`value ${index}`))));
  const keys = Array.from({ length: 400 }, (_, index) => `k/${index}`);
  const values = await Promise.all(keys.map((key) => storage.get(key)));
  t.deepEqual(values.map(text), keys.map((_, index) => (index < 300 ? `value ${index}` : undefined)));
});

test('concurrent gets whose values together pass gRPC\'s default 4 MiB message limit', async (t) => {
  const storage = await backend(t);
  const big = (index: number): Uint8Array => new Uint8Array(1024 * 1024).fill(index);
  for (let index = 0; index < 6; index++) await storage.put(`big/${index}`, big(index));
  const values = await Promise.all(Array.from({ length: 6 }, (_, index) => storage.get(`big/${index}`)));
  values.forEach((value, index) => t.true(same(value, big(index)), `value ${index}`));
});

test('concurrent commits share a Txn: one revision, every write applied', async (t) => {
  const storage = await backend(t);
  const revisions = await Promise.all(
    Array.from({ length: 50 }, (_, index) => storage.commit([{ type: 'put', key: `c/${index}`, value: bytes(`v${index}`) }])),
  );
  t.true(revisions.every((revision) => typeof revision === 'number' && revision > 0));
  t.true(new Set(revisions).size < revisions.length, 'commits of one turn go to etcd together');
  t.is((await storage.list('c/')).length, 50);
});

test('more concurrent commits than etcd takes in one Txn, and more bytes than one request, all apply', async (t) => {
  const storage = await backend(t);
  const small = Array.from({ length: 300 }, (_, index) => storage.put(`many/${index}`, bytes('x')));
  const large = Array.from({ length: 4 }, (_, index) => storage.put(`large/${index}`, new Uint8Array(800 * 1024).fill(index)));
  await Promise.all([...small, ...large]);
  t.is((await storage.list('many/')).length, 300);
  for (let index = 0; index < 4; index++) t.true(same(await storage.get(`large/${index}`), new Uint8Array(800 * 1024).fill(index)));
});

test('a condition failing in a shared Txn fails only its own commit', async (t) => {
  const storage = await backend(t);
  await storage.put('held', bytes('yes'));
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, index) =>
      storage.commit([{ type: 'put', key: `cond/${index}`, value: bytes('written') }], [{ key: 'held', value: bytes(index % 2 === 0 ? 'yes' : 'no') }]),
    ),
  );
  results.forEach((revision, index) => t.is(revision === undefined, index % 2 === 1, `commit ${index}`));
  t.deepEqual(await storage.list('cond/'), Array.from({ length: 10 }, (_, index) => String(index * 2)).sort());
});

test('commits that write what another checks never apply together (no write skew)', async (t) => {
  const storage = await backend(t);
  for (let round = 0; round < 10; round++) {
    await storage.transaction([
      { type: 'put', key: 'a', value: bytes('1') },
      { type: 'put', key: 'b', value: bytes('1') },
    ]);
    // Each moves one key away from 1 only while the other is still 1: one after the other, the
    // second must find its condition broken.
    const applied = await Promise.all([
      storage.transaction([{ type: 'put', key: 'b', value: bytes('2') }], [{ key: 'a', value: bytes('1') }]),
      storage.transaction([{ type: 'put', key: 'a', value: bytes('2') }], [{ key: 'b', value: bytes('1') }]),
    ]);
    t.is(applied.filter(Boolean).length, 1, `round ${round}`);
  }
});

test('commits to one key in one turn apply one after the other, none lost', async (t) => {
  const storage = await backend(t);
  await storage.put('counter', bytes('0'));
  // Compare-and-swap increments racing in one turn: exactly one of each round applies.
  for (let round = 0; round < 5; round++) {
    const current = text(await storage.get('counter'));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => storage.transaction([{ type: 'put', key: 'counter', value: bytes(String(Number(current) + 1)) }], [{ key: 'counter', value: bytes(current!) }])),
    );
    t.is(results.filter(Boolean).length, 1);
  }
  t.is(text(await storage.get('counter')), '5');
});

test('a commit etcd refuses on its own shares no Txn: a small one issued with it still applies', async (t) => {
  const storage = await backend(t);
  const tooMany = Array.from({ length: 200 }, (_, index) => ({ type: 'put' as const, key: `big/${index}`, value: bytes('x') }));
  const [refused, small] = await Promise.allSettled([storage.transaction(tooMany), storage.put('small', bytes('applied'))]);
  t.is(refused.status, 'rejected');
  t.is(small.status, 'fulfilled');
  t.is(text(await storage.get('small')), 'applied');
  t.deepEqual(await storage.list('big/'), []);
});
