import test from 'ava';
import { emptyKeysSecret, keySharesData, readKeyShares } from '../../../src/operator/unseal/keys-secret.ts';

const SHARES = ['0a1b2c3d', 'ffee0011', '01020304'];

test('shares written by the operator read back in order with their threshold', (t) => {
  const secret = { ...emptyKeysSecret('ns', 'vault-unseal-keys', 'vault'), data: keySharesData(SHARES, 2) };
  t.deepEqual(readKeyShares(secret), { kind: 'ok', shares: SHARES, threshold: 2 });
});

test('the keys Secret carries no owner reference', (t) => {
  t.is(emptyKeysSecret('ns', 'k', 'vault').metadata?.ownerReferences, undefined);
});

test('missing, empty and malformed Secrets are told apart, without quoting the data', (t) => {
  t.deepEqual(readKeyShares(undefined), { kind: 'missing' });
  t.deepEqual(readKeyShares(emptyKeysSecret('ns', 'k', 'vault')), { kind: 'empty' });
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const notHex = readKeyShares({ data: { 'key-0': b64('not a share!'), threshold: b64('1') } });
  t.deepEqual(notHex, { kind: 'malformed', reason: 'key-0 is not a hex-encoded key share' });
  t.deepEqual(readKeyShares({ data: { 'key-0': b64('abcd') } }), { kind: 'malformed', reason: 'threshold is missing or not a positive integer' });
  t.deepEqual(readKeyShares({ data: { 'key-0': b64('abcd'), threshold: b64('3') } }), { kind: 'malformed', reason: 'it holds 1 key share(s) but 3 are needed to unseal' });
});
