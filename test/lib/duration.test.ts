import { inspect } from 'node:util';
import test from 'ava';
import { parseDurationMs } from '../../src/lib/duration.ts';

const valid: ReadonlyArray<readonly [unknown, number]> = [
  [0, 0],
  [30, 30_000],
  ['30', 30_000],
  [' 45 ', 45_000],
  ['', 0],
  ['0', 0],
  ['7d', 7 * 86_400_000],
  ['90s', 90_000],
  ['500ms', 500],
  ['1h30m', 5_400_000],
  ['1.5h', 5_400_000],
  ['2h45m10s', 9_910_000],
  ['1.1s', 1_100],
  ['.5s', 500],
  ['5.s', 5_000],
  ['1m0.5s', 60_500],
  ['250us', 0.25],
  ['250µs', 0.25],
  ['250μs', 0.25],
  ['1000000ns', 1],
];

for (const [input, expected] of valid) {
  test(`parses ${inspect(input)}`, (t) => {
    t.is(parseDurationMs(input), expected);
  });
}

const invalid: readonly unknown[] = [
  '5x',
  '1.5',
  '1.5d',
  'd',
  'h',
  '1h 30m',
  '-1h',
  '+1h',
  '-5',
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  `${'9'.repeat(400)}h`,
  true,
  null,
  undefined,
  {},
  ['5s'],
];

for (const input of invalid) {
  test(`rejects ${inspect(input, { maxStringLength: 12 })}`, (t) => {
    t.is(parseDurationMs(input), undefined);
  });
}
