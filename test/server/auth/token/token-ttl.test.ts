import test from 'ava';
import { SYSTEM_TTL_LIMITS, calculateTtl, humanDuration, mountTtlLimits } from '../../../../src/server/auth/token/token-ttl.ts';

const base = { limits: SYSTEM_TTL_LIMITS, increment: 0, backendTtl: 0, period: 0, backendMaxTtl: 0, explicitMaxTtl: 0, startMs: 0, nowMs: 0 };

test('the TTL is the increment, else the backend TTL, else the default', (t) => {
  t.is(calculateTtl(base).ttl, 2_764_800);
  t.is(calculateTtl({ ...base, backendTtl: 600 }).ttl, 600);
  t.is(calculateTtl({ ...base, backendTtl: 600, increment: 60 }).ttl, 60);
});

test('the TTL is capped by what is left of the tightest max, counted from the start', (t) => {
  const result = calculateTtl({ ...base, backendTtl: 3600, backendMaxTtl: 7200, explicitMaxTtl: 5400, nowMs: 3000_000 });
  t.is(result.ttl, 2400);
  t.deepEqual(result.warnings, ['TTL of "1h" exceeded the effective max_ttl of "40m"; TTL value is capped accordingly']);
  t.throws(() => calculateTtl({ ...base, explicitMaxTtl: 60, nowMs: 60_000 }), { message: 'past the max TTL, cannot renew' });
});

test('a period replaces the TTL, is capped by the max, and only an explicit max bounds its lifetime', (t) => {
  t.is(calculateTtl({ ...base, period: 3600, backendTtl: 60, nowMs: 5_000_000_000 }).ttl, 3600);
  const capped = calculateTtl({ ...base, period: 3_000_000 });
  t.is(capped.ttl, 2_764_800);
  t.deepEqual(capped.warnings, ['period of "833h20m" exceeded the effective max_ttl of "768h"; period value is capped accordingly']);
  t.is(calculateTtl({ ...base, period: 3600, explicitMaxTtl: 4000, nowMs: 1000_000 }).ttl, 3000);
});

test('durations print as Go prints them, without zero parts', (t) => {
  t.deepEqual([0, 45, 60, 90, 3600, 3660, 5400, 86_400, 3601].map(humanDuration), ['0s', '45s', '1m', '1m30s', '1h', '1h1m', '1h30m', '24h', '1h1s']);
});

test('a mount falls back to the system limits for each value left at 0', (t) => {
  const config = { default_lease_ttl: 60, max_lease_ttl: 0, force_no_cache: false };
  t.deepEqual(mountTtlLimits(config, SYSTEM_TTL_LIMITS), { defaultTtl: 60, maxTtl: 2_764_800 });
});
