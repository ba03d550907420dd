import test from 'ava';
import { RekeyOperation } from '../../../src/server/core/rekey-operation.ts';
import type { RekeyResult, RekeyVerificationStatus } from '../../../src/server/core/rekey-operation.ts';
import {
  physicalSnapshot,
  quorumFixture,
  REKEYED_KEYS,
  rootKeyFrom,
  silentLogger,
  tamperedShare,
} from './quorum-fixture.ts';

async function rekeyFixture(shares = 5, threshold = 3) {
  const fixture = await quorumFixture(shares, threshold);
  const rekey = new RekeyOperation({ seal: fixture.seal, barrier: fixture.barrier, logger: silentLogger });
  return { ...fixture, rekey };
}

function completed(answer: unknown): RekeyResult {
  if ((answer as RekeyResult).complete !== true) throw new Error(`rekey not complete: ${JSON.stringify(answer)}`);
  return answer as RekeyResult;
}

test('a rekey from 5/3 to 3/2 replaces the shares: the new ones open the stored root key, the old ones no longer', async (t) => {
  const { rekey, seal, barrier, shares } = await rekeyFixture();
  await barrier.put('logical/app/secret', Buffer.from('kept across the rekey'));
  t.like(await rekey.status(), { started: false, nonce: '', t: 0, n: 0, progress: 0, required: 3, pgp_fingerprints: null, backup: false });

  const started = await rekey.start({ secretShares: 3, secretThreshold: 2 });
  t.like(started, { started: true, t: 2, n: 3, progress: 0, required: 3, verification_required: false });
  t.regex(started.nonce, /^[0-9a-f-]{36}$/);
  t.like(await rekey.update(shares[0], started.nonce), { started: true, progress: 1 });
  t.like(await rekey.update(shares[3], started.nonce), { progress: 2 });
  const result = completed(await rekey.update(shares[4], started.nonce));

  t.is(result.nonce, started.nonce);
  t.is(result.keys.length, 3);
  t.deepEqual(result.keys_base64, result.keys.map((key) => Buffer.from(key, 'hex').toString('base64')));
  t.true(result.keys.every((key) => key.length === 66), 'a 32-byte key split gives 33-byte shares');
  t.like(await seal.readConfig(), { secret_shares: 3, secret_threshold: 2 });
  t.is(await rootKeyFrom(seal, shares.slice(0, 3)), undefined);
  const rootKey = await rootKeyFrom(seal, [result.keys[2]!, result.keys[0]!]);
  t.truthy(rootKey);
  t.true(barrier.isRootKey(rootKey!));
  t.like(await rekey.status(), { started: false, required: 2 });

  barrier.seal();
  await barrier.unseal(rootKey!);
  t.is(Buffer.from((await barrier.get('logical/app/secret'))!).toString(), 'kept across the rekey');
});

test('a rekey to a single share returns the unseal key itself', async (t) => {
  const { rekey, seal, shares } = await rekeyFixture(3, 2);
  const { nonce } = await rekey.start({ secretShares: 1, secretThreshold: 1 });
  await rekey.update(shares[1], nonce);
  const result = completed(await rekey.update(shares[2], nonce));
  t.is(result.keys.length, 1);
  t.is(result.keys[0]!.length, 64);
  t.truthy(await seal.openRootKey(Buffer.from(result.keys[0]!, 'hex')));
});

test('update refuses a wrong nonce, a repeated share and an update without a rekey, and changes nothing', async (t) => {
  const { rekey, shares } = await rekeyFixture();
  await t.throwsAsync(rekey.update(shares[0], 'nope'), { message: 'no barrier rekey in progress' });
  const { nonce } = await rekey.start({ secretShares: 3, secretThreshold: 2 });
  await t.throwsAsync(rekey.update(shares[0], 'wrong'), {
    message: `incorrect nonce supplied; nonce for this rekey operation is "${nonce}"`,
  });
  await rekey.update(shares[0], nonce);
  await t.throwsAsync(rekey.update(shares[0], nonce), { message: 'given key has already been provided during this rekey operation' });
  await t.throwsAsync(rekey.update(Buffer.from(shares[0]!, 'hex').toString('base64'), nonce), {
    message: 'given key has already been provided during this rekey operation',
  });
  await t.throwsAsync(rekey.update('', nonce), { message: "'key' must be specified in request body as JSON" });
  await t.throwsAsync(rekey.update('abcd', nonce), { message: 'key is shorter than minimum 16 bytes' });
  t.like(await rekey.status(), { nonce, progress: 1 });
});

test('a second rekey is refused while one is in progress', async (t) => {
  const { rekey } = await rekeyFixture();
  const { nonce } = await rekey.start({ secretShares: 3, secretThreshold: 2 });
  await t.throwsAsync(rekey.start({ secretShares: 4, secretThreshold: 2 }), { message: 'rekey already in progress' });
  t.like(await rekey.status(), { nonce, n: 3, t: 2 });
});

test('init validates the new configuration the way Vault does', async (t) => {
  const { rekey } = await rekeyFixture();
  const cases: Array<[Parameters<RekeyOperation['start']>[0], string]> = [
    [{ secretShares: 3, secretThreshold: 2, backup: true }, 'cannot request a backup of the new keys without providing PGP keys for encryption'],
    [{ secretShares: 3, secretThreshold: 2, pgpKeys: ['a', 'b'] }, 'incorrect number of PGP keys for rekey'],
    [{ secretShares: 2, secretThreshold: 2, pgpKeys: ['a', 'b'], backup: true }, 'PGP-encrypted key shares are not supported by this server'],
    [{ secretShares: 2, secretThreshold: 3 }, 'provided threshold greater than the total shares'],
    [{ secretShares: 3, secretThreshold: 1 }, 'invalid seal configuration: threshold must be greater than one for multiple shares'],
    [{ secretShares: 0, secretThreshold: 0 }, 'invalid seal configuration: shares must be at least one'],
    [{ secretShares: 256, secretThreshold: 2 }, 'invalid seal configuration: shares must be less than 256'],
  ];
  for (const [request, message] of cases) {
    await t.throwsAsync(rekey.start(request), { message }, JSON.stringify(request));
  }
  t.like(await rekey.status(), { started: false });
});

test('a wrong share fails the quorum with a 400, keeps the attempt and changes no stored key', async (t) => {
  const { rekey, physical, seal, shares } = await rekeyFixture();
  const before = await physicalSnapshot(physical, REKEYED_KEYS);
  const { nonce } = await rekey.start({ secretShares: 3, secretThreshold: 2 });
  await rekey.update(shares[0], nonce);
  await rekey.update(shares[1], nonce);
  const error = await t.throwsAsync(rekey.update(tamperedShare(shares[2]!), nonce));
  t.is(error?.message, 'failed to read root key: failed to decrypt encrypted stored keys: cipher: message authentication failed');
  t.is((error as { code?: string }).code, 'invalid_request');
  t.deepEqual(await physicalSnapshot(physical, REKEYED_KEYS), before);
  t.like(await rekey.status(), { started: true, nonce, progress: 0 });
  t.truthy(await rootKeyFrom(seal, shares.slice(2)));

  for (const share of shares.slice(2, 4)) await rekey.update(share, nonce);
  t.true(completed(await rekey.update(shares[4], nonce)).complete);
});

test('a failed storage write leaves the old shares working and the attempt waiting for a new quorum', async (t) => {
  const { rekey, physical, seal, shares } = await rekeyFixture();
  const before = await physicalSnapshot(physical, REKEYED_KEYS);
  const { nonce } = await rekey.start({ secretShares: 3, secretThreshold: 2 });
  await rekey.update(shares[0], nonce);
  await rekey.update(shares[1], nonce);
  physical.failTransactions = true;
  await t.throwsAsync(rekey.update(shares[2], nonce), { message: 'storage unavailable' });
  physical.failTransactions = false;
  t.deepEqual(await physicalSnapshot(physical, REKEYED_KEYS), before);
  t.truthy(await rootKeyFrom(seal, shares.slice(0, 3)));
  t.like(await rekey.status(), { started: true, nonce, progress: 0 });
});

test('with verification nothing changes until a quorum of the new shares comes back', async (t) => {
  const { rekey, physical, seal, shares } = await rekeyFixture();
  const before = await physicalSnapshot(physical, REKEYED_KEYS);
  const { nonce } = await rekey.start({ secretShares: 3, secretThreshold: 2, requireVerification: true });
  for (const share of shares.slice(0, 2)) await rekey.update(share, nonce);
  const result = completed(await rekey.update(shares[2], nonce));
  t.true(result.verification_required);
  const verificationNonce = result.verification_nonce!;
  t.regex(verificationNonce, /^[0-9a-f-]{36}$/);
  t.not(verificationNonce, nonce);
  t.deepEqual(await physicalSnapshot(physical, REKEYED_KEYS), before);
  t.like(await rekey.status(), { started: true, verification_required: true, verification_nonce: verificationNonce });
  await t.throwsAsync(rekey.update(shares[3], nonce), {
    message: `rekey operation already finished; verification must be performed; nonce for the verification operation is "${verificationNonce}"`,
  });

  t.deepEqual(await rekey.verificationStatus(), { nonce: verificationNonce, started: true, t: 2, n: 3, progress: 0 });
  await t.throwsAsync(rekey.verify(result.keys[0], 'wrong'), {
    message: `incorrect nonce supplied; nonce for this verify operation is "${verificationNonce}"`,
  });
  await rekey.verify(result.keys[0], verificationNonce);
  await t.throwsAsync(rekey.verify(result.keys[0], verificationNonce), {
    message: 'given key has already been provided during this verify operation',
  });
  await t.throwsAsync(rekey.verify(tamperedShare(result.keys[1]!), verificationNonce), {
    message: 'rekey verification failed; incorrect key shares supplied',
  });
  const retry = await rekey.verificationStatus();
  t.not(retry.nonce, verificationNonce, 'a failed verification starts over under a new nonce');
  t.is(retry.progress, 0);
  t.deepEqual(await physicalSnapshot(physical, REKEYED_KEYS), before);

  await rekey.verify(result.keys[1], retry.nonce);
  const restarted = await rekey.restartVerification();
  t.like(restarted, { started: true, progress: 0 });
  t.not(restarted.nonce, retry.nonce);

  await rekey.verify(result.keys[2], restarted.nonce);
  const done = await rekey.verify(result.keys[0], restarted.nonce);
  t.deepEqual(done, { nonce: restarted.nonce, complete: true });
  t.is(await rootKeyFrom(seal, shares.slice(0, 3)), undefined);
  t.truthy(await rootKeyFrom(seal, result.keys.slice(1)));
  await t.throwsAsync(rekey.verificationStatus(), { message: 'no rekey configuration found' });
});

test('cancelling during verification keeps the old shares; a cancel naming another nonce is refused', async (t) => {
  const { rekey, seal, shares } = await rekeyFixture(3, 2);
  const { nonce } = await rekey.start({ secretShares: 2, secretThreshold: 2, requireVerification: true });
  await rekey.update(shares[0], nonce);
  completed(await rekey.update(shares[1], nonce));
  t.throws(() => rekey.cancel('another'), { message: 'invalid request' });
  t.like((await rekey.verificationStatus()) as RekeyVerificationStatus, { started: true });
  rekey.cancel(nonce);
  t.like(await rekey.status(), { started: false });
  await t.throwsAsync(rekey.verify(shares[0], 'x'), { message: 'no rekey in progress' });
  t.truthy(await rootKeyFrom(seal, shares.slice(1)));
  rekey.cancel(undefined);
});

test('clear forgets the attempt, as seal does', async (t) => {
  const { rekey, shares } = await rekeyFixture();
  const { nonce } = await rekey.start({ secretShares: 3, secretThreshold: 2 });
  await rekey.update(shares[0], nonce);
  rekey.clear();
  t.like(await rekey.status(), { started: false, progress: 0 });
  await t.throwsAsync(rekey.update(shares[1], nonce), { message: 'no barrier rekey in progress' });
});
