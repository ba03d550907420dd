import test from 'ava';
import { rfc3339Seconds } from '../../src/lib/rfc3339.ts';

test('whole seconds in UTC, from a date or Unix milliseconds', (t) => {
  t.is(rfc3339Seconds(new Date('2026-11-28T08:09:10.987Z')), '2026-11-28T08:09:10Z');
  t.is(rfc3339Seconds(Date.UTC(2024, 1, 29, 23, 59, 59, 999)), '2024-02-29T23:59:59Z');
  t.is(rfc3339Seconds(0), '1970-01-01T00:00:00Z');
});

test('years beyond four digits keep their sign and digits', (t) => {
  t.is(rfc3339Seconds(8.64e15), '+275760-09-13T00:00:00Z');
});
