import test from 'ava';
import { TokenStore } from '../../../src/server/auth/token/token-store.ts';
import { GenerateRootOperation } from '../../../src/server/core/generate-root-operation.ts';
import { quorumFixture, silentLogger, tamperedShare } from './quorum-fixture.ts';

async function generateRootFixture() {
  const fixture = await quorumFixture(5, 3);
  const tokens = new TokenStore(fixture.barrier.view('sys/token/'));
  const generateRoot = new GenerateRootOperation({ seal: fixture.seal, barrier: fixture.barrier, logger: silentLogger, tokens: () => tokens });
  return { ...fixture, tokens, generateRoot };
}

/** What `vault operator generate-root -decode` does, written independently of the server's encoder. */
function decode(encoded: string, otp: string): string {
  const bytes = Buffer.from(encoded, 'base64');
  const pad = Buffer.from(otp, 'utf8');
  return Buffer.from(bytes.map((byte, index) => byte ^ pad[index]!)).toString('utf8');
}

test('a quorum of shares mints a root token, handed out under the OTP the server generated', async (t) => {
  const { generateRoot, tokens, shares } = await generateRootFixture();
  t.deepEqual(await generateRoot.status(), {
    nonce: '',
    started: false,
    progress: 0,
    required: 3,
    complete: false,
    encoded_token: '',
    encoded_root_token: '',
    pgp_fingerprint: '',
    otp: '',
    otp_length: 28,
  });
  const started = await generateRoot.start(undefined, undefined);
  t.regex(started.otp, /^[0-9A-Za-z]{28}$/);
  t.like(started, { started: true, progress: 0, required: 3, otp_length: 28 });
  t.like(await generateRoot.status(), { started: true, nonce: started.nonce, otp: '', otp_length: 28 });

  t.like(await generateRoot.update(shares[4], started.nonce), { started: true, progress: 1, complete: false, encoded_token: '' });
  t.like(await generateRoot.update(shares[1], started.nonce), { progress: 2, complete: false });
  const done = await generateRoot.update(shares[2], started.nonce);
  t.like(done, { started: true, progress: 3, required: 3, complete: true, nonce: started.nonce });
  t.is(done.encoded_root_token, done.encoded_token);
  t.regex(done.encoded_token, /^[A-Za-z0-9+/]+$/, 'raw base64: no padding');

  const token = decode(done.encoded_token, started.otp);
  t.regex(token, /^hvs\.[0-9A-Za-z]{24}$/);
  const entry = await tokens.lookup(token);
  t.deepEqual(entry?.policies, ['root']);
  t.like(entry, { ttl: 0, orphan: true, path: 'auth/token/root' });
  t.like(await generateRoot.status(), { started: false, progress: 0 });
});

test('an OTP from the client must have the token length and is never echoed', async (t) => {
  const { generateRoot, tokens, shares } = await generateRootFixture();
  await t.throwsAsync(generateRoot.start('tooshort', undefined), { message: 'OTP string is wrong length' });
  const otp = 'abcdefghijklmnopqrstuvwxyz01';
  const started = await generateRoot.start(otp, 'ignored when an OTP is given');
  t.is(started.otp, '');
  for (const share of shares.slice(0, 2)) await generateRoot.update(share, started.nonce);
  const done = await generateRoot.update(shares[3], started.nonce);
  t.deepEqual((await tokens.lookup(decode(done.encoded_token, otp)))?.policies, ['root']);
});

test('PGP-encrypted tokens and a second attempt are refused', async (t) => {
  const { generateRoot } = await generateRootFixture();
  await t.throwsAsync(generateRoot.start(undefined, 'bXkgcGdwIGtleQ=='), { message: 'PGP-encrypted root tokens are not supported by this server' });
  const started = await generateRoot.start(undefined, undefined);
  await t.throwsAsync(generateRoot.start(undefined, undefined), { message: 'root generation already in progress' });
  t.like(await generateRoot.status(), { nonce: started.nonce });
});

test('update refuses a missing attempt, a wrong nonce and a repeated share', async (t) => {
  const { generateRoot, shares } = await generateRootFixture();
  await t.throwsAsync(generateRoot.update(shares[0], 'x'), { message: 'no root generation in progress' });
  const { nonce } = await generateRoot.start(undefined, undefined);
  await t.throwsAsync(generateRoot.update(shares[0], 'other'), {
    message: `incorrect nonce supplied; nonce for this root generation operation is "${nonce}"`,
  });
  await generateRoot.update(shares[0], nonce);
  await t.throwsAsync(generateRoot.update(shares[0], nonce), { message: 'given key has already been provided during this generation operation' });
  await t.throwsAsync(generateRoot.update(undefined, nonce), { message: "'key' must be specified in request body as JSON" });
  t.like(await generateRoot.status(), { progress: 1 });
});

test('a wrong share aborts the quorum without minting a token; the attempt waits for a new quorum', async (t) => {
  const { generateRoot, tokens, shares } = await generateRootFixture();
  const accessorsBefore = await tokens.listAccessors();
  const started = await generateRoot.start(undefined, undefined);
  await generateRoot.update(shares[0], started.nonce);
  await generateRoot.update(shares[1], started.nonce);
  const error = await t.throwsAsync(generateRoot.update(tamperedShare(shares[2]!), started.nonce));
  t.is(error?.message, 'root generation aborted: unable to authenticate: failed to decrypt encrypted stored keys: cipher: message authentication failed');
  t.is((error as { code?: string }).code, 'invalid_request');
  t.deepEqual(await tokens.listAccessors(), accessorsBefore);
  t.like(await generateRoot.status(), { started: true, nonce: started.nonce, progress: 0 });

  for (const share of shares.slice(2, 4)) await generateRoot.update(share, started.nonce);
  const done = await generateRoot.update(shares[4], started.nonce);
  t.true(done.complete);
});

test('cancel and clear drop the attempt and its shares', async (t) => {
  const { generateRoot, shares } = await generateRootFixture();
  const first = await generateRoot.start(undefined, undefined);
  await generateRoot.update(shares[0], first.nonce);
  generateRoot.cancel();
  t.like(await generateRoot.status(), { started: false, progress: 0 });
  const second = await generateRoot.start(undefined, undefined);
  t.not(second.nonce, first.nonce);
  generateRoot.clear();
  await t.throwsAsync(generateRoot.update(shares[0], second.nonce), { message: 'no root generation in progress' });
});
