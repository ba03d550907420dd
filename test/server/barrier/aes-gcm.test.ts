import test from 'ava';
import { RandomPool } from '../../../src/lib/random-pool.ts';
import { decrypt, encrypt, generateKey, termOf } from '../../../src/server/barrier/aes-gcm.ts';

test('the ciphertext carries the term and version 2, and round-trips', (t) => {
  const key = generateKey();
  const sealed = encrypt(key, 7, 'logical/abc/foo', Buffer.from('hello'));
  t.is(termOf(sealed), 7);
  t.is(sealed[4], 2);
  t.is(sealed.length, 4 + 1 + 12 + 5 + 16);
  t.is(decrypt(key, 'logical/abc/foo', sealed).toString(), 'hello');
});

test('an entry moved to another path does not decrypt', (t) => {
  const key = generateKey();
  const sealed = encrypt(key, 1, 'a', Buffer.from('hello'));
  t.throws(() => decrypt(key, 'b', sealed), { message: /authentication failed/ });
});

test('a wrong key or a flipped bit does not decrypt', (t) => {
  const sealed = encrypt(generateKey(), 1, 'a', Buffer.from('hello'));
  t.throws(() => decrypt(generateKey(), 'a', sealed), { message: /authentication failed/ });
  const key = generateKey();
  const tampered = encrypt(key, 1, 'a', Buffer.from('hello'));
  tampered[20] = tampered[20]! ^ 1;
  t.throws(() => decrypt(key, 'a', tampered), { message: /authentication failed/ });
});

test('version 1 entries (no associated data) are still read', async (t) => {
  const { createCipheriv, randomBytes } = await import('node:crypto');
  const key = generateKey();
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update('legacy'), cipher.final()]);
  const header = Buffer.from([0, 0, 0, 1, 1]);
  const entry = Buffer.concat([header, nonce, body, cipher.getAuthTag()]);
  t.is(decrypt(key, 'anything', entry).toString(), 'legacy');
});

test('truncated entries are refused', (t) => {
  t.throws(() => termOf(Buffer.alloc(10)), { message: /too short/ });
});

test('a ciphertext has a store of its own, and each takes a fresh nonce from the given source', (t) => {
  const key = generateKey();
  const pool = new RandomPool();
  const sealed = Array.from({ length: 500 }, () => encrypt(key, 1, 'logical/abc/foo', Buffer.from('same'), pool.bytes));
  for (const ciphertext of sealed) t.true(ciphertext.byteOffset === 0 && ciphertext.byteLength === ciphertext.buffer.byteLength);
  t.is(new Set(sealed.map((ciphertext) => ciphertext.subarray(5, 17).toString('hex'))).size, sealed.length);
  t.true(sealed.every((ciphertext) => decrypt(key, 'logical/abc/foo', ciphertext).toString() === 'same'));
});
