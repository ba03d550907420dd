import test from 'ava';
import { ClientLimiter } from '../../../src/server/quota/client-limiter.ts';

test('each client gets `tokens` requests per window, counted apart from other clients', (t) => {
  const limiter = new ClientLimiter({ tokens: 3, intervalMs: 1000, blockMs: 0 });
  t.deepEqual([0, 1, 2, 3].map((at) => limiter.take('a', at)), [true, true, true, false]);
  t.true(limiter.take('b', 10), 'another client has its own count');
  t.false(limiter.take('a', 999));
  t.true(limiter.take('a', 1000), 'a new window starts a new count');
});

test('with a block interval, a client over the limit waits out the block, not just the window', (t) => {
  const limiter = new ClientLimiter({ tokens: 1, intervalMs: 1000, blockMs: 10_000 });
  t.true(limiter.take('a', 0));
  t.false(limiter.take('a', 1));
  t.false(limiter.take('a', 5000), 'still blocked after the window ended');
  t.false(limiter.take('a', 10_000));
  t.true(limiter.take('a', 10_001));
});

test('clients idle for a window are forgotten, so a flood of addresses costs bounded memory', (t) => {
  const limiter = new ClientLimiter({ tokens: 1, intervalMs: 1000, blockMs: 0 });
  for (let i = 0; i < 5000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`, i % 1000);
  t.is(limiter.size, 5000);
  limiter.take('late', 2500);
  t.is(limiter.size, 1);
});
