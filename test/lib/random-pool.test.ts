import test from 'ava';
import { RandomPool } from '../../src/lib/random-pool.ts';

test('bytes of the asked length, never repeated across refills of the pool', (t) => {
  const pool = new RandomPool();
  // 2,000 x 12 bytes spans several 4 KiB refills, and 12 does not divide 4,096.
  const taken = Array.from({ length: 2000 }, () => pool.bytes(12));
  t.true(taken.every((bytes) => bytes.length === 12));
  t.is(new Set(taken.map((bytes) => bytes.toString('hex'))).size, taken.length);
});

test('what is handed out is a copy that the pool does not change later', (t) => {
  const pool = new RandomPool();
  const first = pool.bytes(32);
  const kept = Buffer.from(first);
  for (let index = 0; index < 1000; index++) pool.bytes(32);
  t.true(first.equals(kept));
});

test('more bytes than the pool holds come straight from crypto', (t) => {
  const pool = new RandomPool();
  const large = pool.bytes(10_000);
  t.is(large.length, 10_000);
  // A random 10,000 bytes has every byte value with overwhelming probability (a zero-filled or
  // repeated buffer would not).
  t.true(new Set(large).size > 200);
});
