import test from 'ava';
import { formatGoDuration, parseSignedDurationSeconds } from '../../../../src/server/engines/kv/go-duration.ts';
import { KeyedMutex } from '../../../../src/lib/keyed-mutex.ts';
import { mergePatch } from '../../../../src/server/engines/kv/merge-patch.ts';
import { formatVaultTime } from '../../../../src/server/engines/kv/vault-time.ts';

test('merge patch follows the examples of RFC 7386', (t) => {
  const cases: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, expected] of cases) t.deepEqual(mergePatch(target, patch), expected);
});

test('merge patch leaves its inputs alone and keeps __proto__ an ordinary key', (t) => {
  const target = { a: { b: 1 } };
  mergePatch(target, { a: { b: null } });
  t.deepEqual(target, { a: { b: 1 } });
  const merged = mergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
  t.deepEqual(Object.keys(merged), ['__proto__']);
  t.is(({} as Record<string, unknown>)['polluted'], undefined);
  t.is(Object.getPrototypeOf(merged), Object.prototype);
});

test('durations print as Go prints them and parse with a sign', (t) => {
  t.is(formatGoDuration(0), '0s');
  t.is(formatGoDuration(45), '45s');
  t.is(formatGoDuration(90), '1m30s');
  t.is(formatGoDuration(3600), '1h0m0s');
  t.is(formatGoDuration(34_128_000), '9480h0m0s');
  t.is(formatGoDuration(-1), '-1s');
  t.is(parseSignedDurationSeconds('-1s'), -1);
  t.is(parseSignedDurationSeconds(-30), -30);
  t.is(parseSignedDurationSeconds('1h'), 3600);
  t.is(parseSignedDurationSeconds('2d'), 172_800);
  t.is(parseSignedDurationSeconds('--1s'), undefined);
  t.is(parseSignedDurationSeconds({}), undefined);
});

test('times print in UTC with nine fractional digits', (t) => {
  t.is(formatVaultTime(Date.UTC(2024, 4, 1, 10, 0, 0, 123)), '2024-05-01T10:00:00.123000000Z');
  t.is(formatVaultTime(Date.UTC(2024, 4, 1, 10, 0, 0, 0)), '2024-05-01T10:00:00.000000000Z');
});

test('the keyed mutex runs tasks of one key in order and other keys alongside', async (t) => {
  const mutex = new KeyedMutex();
  const events: string[] = [];
  let releaseFirst: () => void = () => undefined;
  const firstMayEnd = new Promise<void>((resolve) => {
    releaseFirst = resolve;
  });
  const first = mutex.run('k', async () => {
    events.push('first start');
    await firstMayEnd;
    events.push('first end');
  });
  const second = mutex.run('k', async () => {
    events.push('second');
  });
  await mutex.run('other', async () => {
    events.push('other');
  });
  releaseFirst();
  await Promise.all([first, second]);
  t.deepEqual(events, ['first start', 'other', 'first end', 'second']);
  await t.throwsAsync(mutex.run('k', async () => Promise.reject(new Error('boom'))), { message: 'boom' });
  t.is(await mutex.run('k', async () => 'after a failure'), 'after a failure');
});
