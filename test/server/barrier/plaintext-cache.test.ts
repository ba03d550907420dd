import test from 'ava';
import { PlaintextCache } from '../../../src/server/barrier/plaintext-cache.ts';

function counting(plaintext: string): { decrypt: () => Buffer; calls: () => number } {
  let calls = 0;
  return {
    decrypt: () => {
      calls += 1;
      return Buffer.from(plaintext);
    },
    calls: () => calls,
  };
}

test('a ciphertext object read again is decrypted once more, then served from memory as a copy', (t) => {
  const cache = new PlaintextCache({ storageCached: false });
  const ciphertext = new Uint8Array([1, 2, 3]);
  const opener = counting('secret');
  t.is(cache.open('k', ciphertext, opener.decrypt).toString(), 'secret');
  t.is(cache.open('k', ciphertext, opener.decrypt).toString(), 'secret');
  t.is(opener.calls(), 2, 'kept only from the second sighting on');
  const served = cache.open('k', ciphertext, opener.decrypt);
  t.is(opener.calls(), 2);
  served.fill(0);
  t.is(cache.open('k', ciphertext, opener.decrypt).toString(), 'secret', 'a caller wiping its copy does not wipe the cache');
});

test('another ciphertext object at the key, even with equal bytes, is decrypted again', (t) => {
  const cache = new PlaintextCache({ storageCached: false });
  const first = counting('one');
  const ciphertext = new Uint8Array([1]);
  cache.open('k', ciphertext, first.decrypt);
  cache.open('k', ciphertext, first.decrypt);
  const second = counting('two');
  t.is(cache.open('k', new Uint8Array([1]), second.decrypt).toString(), 'two');
  t.is(second.calls(), 1);
  t.is(cache.open('k', ciphertext, first.decrypt).toString(), 'one', 'the old object is no longer known');
  t.is(first.calls(), 3);
});

test('clear forgets every plaintext (lru-cache disposes, and so zeroes, each one)', (t) => {
  const cache = new PlaintextCache({ storageCached: false });
  const ciphertext = new Uint8Array([1]);
  let kept: Buffer | undefined;
  const decrypt = () => {
    kept = Buffer.from('secret');
    return kept;
  };
  cache.open('k', ciphertext, decrypt);
  cache.open('k', ciphertext, decrypt);
  const held = kept!;
  cache.clear();
  const opener = counting('fresh');
  t.is(cache.open('k', ciphertext, opener.decrypt).toString(), 'fresh');
  t.is(opener.calls(), 1, 'nothing served after clear');
  t.is(held.toString(), 'secret', 'what a caller was given is its own');
});

test('above a storage cache a plaintext is kept from the first read', (t) => {
  const cache = new PlaintextCache({ storageCached: true });
  const ciphertext = new Uint8Array([1]);
  const opener = counting('secret');
  t.is(cache.open('k', ciphertext, opener.decrypt).toString(), 'secret');
  t.is(cache.open('k', ciphertext, opener.decrypt).toString(), 'secret');
  t.is(opener.calls(), 1);
  const other = counting('changed');
  t.is(cache.open('k', new Uint8Array([1]), other.decrypt).toString(), 'changed', 'another object is decrypted');
  t.is(other.calls(), 1);
});

test('above a storage cache the ciphertext being stored is known with its plaintext, as a copy', (t) => {
  const cache = new PlaintextCache({ storageCached: true });
  const ciphertext = new Uint8Array([7]);
  const plaintext = Buffer.from('written');
  cache.sealed('k', ciphertext, plaintext);
  plaintext.fill(0);
  const opener = counting('never');
  t.is(cache.open('k', ciphertext, opener.decrypt).toString(), 'written', 'the writer wiping its bytes does not wipe the cache');
  t.is(opener.calls(), 0);
  const stale = counting('older');
  t.is(cache.open('k', new Uint8Array([6]), stale.decrypt).toString(), 'older', 'any other object at the key is decrypted');
});

test('without a storage cache a stored ciphertext is not kept: reads never get that object back', (t) => {
  const cache = new PlaintextCache({ storageCached: false });
  const ciphertext = new Uint8Array([7]);
  cache.sealed('k', ciphertext, Buffer.from('written'));
  const opener = counting('decrypted');
  t.is(cache.open('k', ciphertext, opener.decrypt).toString(), 'decrypted');
  t.is(opener.calls(), 1);
});
