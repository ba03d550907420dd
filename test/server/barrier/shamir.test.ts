import test from 'ava';
import { randomBytes } from 'node:crypto';
import { combineShares, splitKey } from '../../../src/server/barrier/shamir.ts';

const hex = (value: string) => Buffer.from(value, 'hex');

test('combines the shares of the reference vectors (x-coordinate last, as Vault)', async (t) => {
  t.is(Buffer.from(await combineShares([hex('2def01'), hex('23cf03')])).toString('hex'), '2aff');
  t.is(Buffer.from(await combineShares([hex('24df02'), hex('23cf03')])).toString('hex'), '2aff');
});

test('a 32-byte key splits into 33-byte shares and any threshold subset recovers it', async (t) => {
  const key = randomBytes(32);
  const shares = await splitKey(key, 5, 3);
  t.is(shares.length, 5);
  for (const share of shares) t.is(share.length, 33);
  t.deepEqual(Buffer.from(await combineShares([shares[0]!, shares[2]!, shares[4]!])), key);
  t.deepEqual(Buffer.from(await combineShares([shares[3]!, shares[1]!, shares[0]!])), key);
});

test('fewer shares than the threshold give a different key', async (t) => {
  const key = randomBytes(32);
  const shares = await splitKey(key, 5, 3);
  t.notDeepEqual(Buffer.from(await combineShares([shares[0]!, shares[1]!])), key);
});

test('one share is the key itself', async (t) => {
  const key = randomBytes(32);
  const [share] = await splitKey(key, 1, 1);
  t.deepEqual(Buffer.from(share!), key);
  t.deepEqual(Buffer.from(await combineShares([share!])), key);
});

test('shares of different lengths and duplicate x-coordinates are refused', async (t) => {
  const error = await t.throwsAsync(combineShares([hex('2def01'), hex('23cf0303')]));
  t.regex(error.message, /same length/);
  const duplicate = await t.throwsAsync(combineShares([hex('2def01'), hex('2def01')]));
  t.regex(duplicate.message, /failed to compute root key/);
});
