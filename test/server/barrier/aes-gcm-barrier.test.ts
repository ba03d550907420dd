import test from 'ava';
import { AesGcmBarrier } from '../../../src/server/barrier/aes-gcm-barrier.ts';
import { generateKey } from '../../../src/server/barrier/aes-gcm.ts';
import { CachedBackend } from '../../../src/server/storage/cached-backend.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';

async function unsealedBarrier() {
  const physical = new InmemBackend();
  const barrier = new AesGcmBarrier(physical);
  const rootKey = generateKey();
  await barrier.initialize(Buffer.from(rootKey));
  await barrier.unseal(Buffer.from(rootKey));
  return { physical, barrier, rootKey };
}

async function physicalDump(physical: InmemBackend, prefix = ''): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const name of await physical.list(prefix)) {
    if (name.endsWith('/')) parts.push(await physicalDump(physical, prefix + name));
    else parts.push(Buffer.from((await physical.get(prefix + name)) ?? []));
  }
  return Buffer.concat(parts);
}

test('a sealed barrier refuses every operation with "Vault is sealed"', async (t) => {
  const barrier = new AesGcmBarrier(new InmemBackend());
  t.true(barrier.sealed);
  await t.throwsAsync(barrier.get('x'), { message: 'Vault is sealed' });
  await t.throwsAsync(barrier.put('x', Buffer.from('y')), { message: 'Vault is sealed' });
  await t.throwsAsync(barrier.list(''), { message: 'Vault is sealed' });
});

test('values round-trip and storage holds only ciphertext', async (t) => {
  const { physical, barrier } = await unsealedBarrier();
  await barrier.put('logical/one/secret', Buffer.from('super-secret-plaintext'));
  t.is(Buffer.from((await barrier.get('logical/one/secret'))!).toString(), 'super-secret-plaintext');
  t.deepEqual(await barrier.list('logical/'), ['one/']);
  t.false((await physicalDump(physical)).includes('super-secret-plaintext'));
});

test('unseal with the wrong root key fails and stays sealed', async (t) => {
  const physical = new InmemBackend();
  const barrier = new AesGcmBarrier(physical);
  await barrier.initialize(generateKey());
  await t.throwsAsync(barrier.unseal(generateKey()), { message: /authentication failed/ });
  t.true(barrier.sealed);
});

test('rotation adds a term; old entries stay readable after seal and unseal', async (t) => {
  const { physical, barrier, rootKey } = await unsealedBarrier();
  await barrier.put('old', Buffer.from('written under term 1'));
  const status = await barrier.rotate();
  t.is(status.term, 2);
  await barrier.put('new', Buffer.from('written under term 2'));
  t.is(Buffer.from((await physical.get('new'))!).readUInt32BE(0), 2);
  barrier.seal();
  await barrier.unseal(Buffer.from(rootKey));
  t.is(barrier.keyStatus().term, 2);
  t.is(Buffer.from((await barrier.get('old'))!).toString(), 'written under term 1');
  t.is(Buffer.from((await barrier.get('new'))!).toString(), 'written under term 2');
});

test('encryptions are counted for the active term', async (t) => {
  const { barrier } = await unsealedBarrier();
  await barrier.put('a', Buffer.from('1'));
  await barrier.transaction([
    { type: 'put', key: 'b', value: Buffer.from('2') },
    { type: 'put', key: 'c', value: Buffer.from('3') },
  ]);
  t.is(barrier.keyStatus().encryptions, 3);
});

test('a view cannot read or write outside its prefix', async (t) => {
  const { barrier } = await unsealedBarrier();
  await barrier.put('logical/other/secret', Buffer.from('not yours'));
  const view = barrier.view('logical/mine/');
  await view.put('key', Buffer.from('mine'));
  t.is(Buffer.from((await barrier.get('logical/mine/key'))!).toString(), 'mine');
  await t.throwsAsync(view.get('../other/secret'), { message: /parent references/ });
  await t.throwsAsync(view.put('/logical/other/secret', Buffer.from('x')), { message: /parent references/ });
  await t.throwsAsync(view.view('a/').get('../../other/secret'), { message: /parent references/ });
  t.deepEqual(await view.list(''), ['key']);
  t.is(Buffer.from((await barrier.get('logical/other/secret'))!).toString(), 'not yours');
});

test('above a storage cache, what the barrier wrote reads back, and a ciphertext changed under it is checked', async (t) => {
  const cache = CachedBackend.create(new InmemBackend());
  cache.serve(true);
  const barrier = new AesGcmBarrier(cache, { storageCached: true });
  const rootKey = generateKey();
  await barrier.initialize(Buffer.from(rootKey));
  await barrier.unseal(Buffer.from(rootKey));
  const written = Buffer.from('kept from the write');
  await barrier.put('logical/one/secret', written);
  written.fill(0);
  t.is(Buffer.from((await barrier.get('logical/one/secret'))!).toString(), 'kept from the write');
  await barrier.transaction([{ type: 'put', key: 'logical/one/secret', value: Buffer.from('second') }]);
  t.is(Buffer.from((await barrier.get('logical/one/secret'))!).toString(), 'second');
  // Another writer's bytes at the key (here: the ciphertext of another key) are a new object: decrypted, and refused.
  await cache.put('logical/one/secret', (await cache.get('core/keyring'))!.slice());
  await t.throwsAsync(barrier.get('logical/one/secret'), { message: /authentication failed/ });
});
