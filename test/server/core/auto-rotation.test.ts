import test from 'ava';
import { AesGcmBarrier } from '../../../src/server/barrier/aes-gcm-barrier.ts';
import { generateKey } from '../../../src/server/barrier/aes-gcm.ts';
import { DEFAULT_MAX_OPERATIONS } from '../../../src/server/barrier/keyring.ts';
import { AutoRotation } from '../../../src/server/core/auto-rotation.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';
import { silentLogger } from './quorum-fixture.ts';

const DAY_MS = 24 * 3600_000;

/** An unsealed barrier whose clock the test moves. */
async function rotationFixture() {
  let nowMs = Date.parse('2025-01-01T00:00:00Z');
  const now = () => new Date(nowMs);
  const barrier = new AesGcmBarrier(new InmemBackend(), { now });
  const rootKey = generateKey();
  await barrier.initialize(Buffer.from(rootKey));
  await barrier.unseal(Buffer.from(rootKey));
  const rotation = new AutoRotation({ barrier, logger: silentLogger, now, checkIntervalMs: 3600_000 });
  return { barrier, rootKey, rotation, advance: (ms: number) => (nowMs += ms) };
}

test('writes past max_operations rotate the keyring once; entries of the old term still read', async (t) => {
  const { barrier, rotation } = await rotationFixture();
  await barrier.setRotationConfig({ disabled: false, maxOperations: 5, intervalMs: 0 });
  rotation.start();
  t.teardown(() => rotation.stop());
  for (let index = 0; index < 4; index += 1) await barrier.put(`old/${index}`, Buffer.from(`value ${index}`));
  await rotation.idle();
  t.is(barrier.keyStatus().term, 1);
  await barrier.put('old/4', Buffer.from('value 4'));
  await rotation.idle();
  t.is(barrier.keyStatus().term, 2);
  t.is(barrier.keyStatus().encryptions, 0);
  await barrier.put('new', Buffer.from('under term 2'));
  await rotation.idle();
  t.is(barrier.keyStatus().term, 2);
  for (let index = 0; index < 5; index += 1) {
    t.is(Buffer.from((await barrier.get(`old/${index}`))!).toString(), `value ${index}`);
  }
});

test('a key older than the interval is rotated at the next check, not before', async (t) => {
  const { barrier, rotation, advance } = await rotationFixture();
  await barrier.setRotationConfig({ disabled: false, maxOperations: DEFAULT_MAX_OPERATIONS, intervalMs: DAY_MS });
  advance(DAY_MS - 1);
  t.false(await rotation.check());
  t.is(barrier.keyStatus().term, 1);
  advance(1);
  t.true(await rotation.check());
  t.is(barrier.keyStatus().term, 2);
  t.false(await rotation.check(), 'the new key is young');
});

test('disabled rotation never rotates, whatever the age or count', async (t) => {
  const { barrier, rotation, advance } = await rotationFixture();
  await barrier.setRotationConfig({ disabled: true, maxOperations: 1, intervalMs: DAY_MS });
  rotation.start();
  t.teardown(() => rotation.stop());
  await barrier.put('a', Buffer.from('1'));
  await barrier.put('b', Buffer.from('2'));
  advance(10 * DAY_MS);
  t.false(await rotation.check());
  await rotation.idle();
  t.is(barrier.keyStatus().term, 1);
});

test('the encryption count is stored by the checks and survives a seal', async (t) => {
  const { barrier, rootKey, rotation } = await rotationFixture();
  for (const key of ['a', 'b', 'c']) await barrier.put(key, Buffer.from(key));
  t.false(await rotation.check());
  barrier.seal();
  await barrier.unseal(Buffer.from(rootKey));
  t.is(barrier.keyStatus().encryptions, 3);
  await barrier.put('d', Buffer.from('d'));
  rotation.start();
  await rotation.stop();
  barrier.seal();
  await barrier.unseal(Buffer.from(rootKey));
  t.is(barrier.keyStatus().encryptions, 4, 'stop stores the count one last time');
});
