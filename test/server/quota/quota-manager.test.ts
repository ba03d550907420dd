import test from 'ava';
import { AesGcmBarrier } from '../../../src/server/barrier/aes-gcm-barrier.ts';
import { generateKey } from '../../../src/server/barrier/aes-gcm.ts';
import { isSealboxError } from '../../../src/lib/errors.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';
import { DEFAULT_EXEMPT_PATHS, QuotaManager } from '../../../src/server/quota/quota-manager.ts';
import type { RateLimitQuota } from '../../../src/server/quota/rate-limit-quota.ts';

async function manager(clock: { now: number }) {
  const barrier = new AesGcmBarrier(new InmemBackend());
  const key = generateKey();
  await barrier.initialize(key);
  await barrier.unseal(key);
  const storage = barrier.view('sys/quotas/');
  return { storage, quotas: new QuotaManager(storage, () => clock.now) };
}

const rule = (name: string, mountPath: string, pathSuffix: string, rate: number): RateLimitQuota => ({
  name, mountPath, pathSuffix, rate, intervalSeconds: 60, blockIntervalSeconds: 0,
});

/** How many of `count` requests from one client pass. */
function allowed(quotas: QuotaManager, path: string, mountPath: string, count: number, clientAddress = '127.0.0.1'): number {
  let passed = 0;
  for (let i = 0; i < count; i++) {
    try {
      quotas.enforce({ path, mountPath, clientAddress });
      passed += 1;
    } catch (error) {
      if (!isSealboxError(error, 'rate_limited')) throw error;
      if (error.message !== `request path "${path}": rate limit quota exceeded`) throw error;
    }
  }
  return passed;
}

test('the most specific quota applies: exact suffix, longest glob, mount, then global', async (t) => {
  const { quotas } = await manager({ now: 0 });
  await quotas.put(rule('global', '', '', 1));
  await quotas.put(rule('mount', 'kv/', '', 2));
  await quotas.put(rule('glob', 'kv/', 'data/team/*', 3));
  await quotas.put(rule('deeper-glob', 'kv/', 'data/team/a*', 4));
  await quotas.put(rule('exact', 'kv/', 'data/team/exact', 5));
  t.is(allowed(quotas, 'kv/data/team/exact', 'kv/', 10), 5);
  t.is(allowed(quotas, 'kv/data/team/abc', 'kv/', 10), 4);
  t.is(allowed(quotas, 'kv/data/team/b', 'kv/', 10), 3);
  t.is(allowed(quotas, 'kv/data/other', 'kv/', 10), 2);
  t.is(allowed(quotas, 'cubbyhole/x', 'cubbyhole/', 10), 1);
  t.is(allowed(quotas, 'nowhere/x', '', 10), 0, 'the global quota is spent');
  t.is(allowed(quotas, 'kv/data/other', 'kv/', 10, '127.0.0.2'), 2, 'counted per client address');
});

test('exempt paths are never limited; the config replaces the defaults and survives a reload', async (t) => {
  const clock = { now: 0 };
  const { storage, quotas } = await manager(clock);
  await quotas.put(rule('global', '', '', 1));
  t.is(allowed(quotas, 'sys/health', 'sys/', 5), 5);
  t.deepEqual(quotas.config.rate_limit_exempt_paths, DEFAULT_EXEMPT_PATHS);
  await quotas.setConfig({ enable_rate_limit_audit_logging: true, rate_limit_exempt_paths: ['kv/public/*', '/sys/leader'] });
  t.is(allowed(quotas, 'sys/health', 'sys/', 5), 1, 'no longer exempt: one token of the global quota');
  t.is(allowed(quotas, 'kv/public/a', 'kv/', 5), 5);
  t.is(allowed(quotas, 'sys/leader', 'sys/', 5), 5);

  const reloaded = new QuotaManager(storage, () => clock.now);
  await reloaded.load();
  t.true(reloaded.auditsRejections);
  t.deepEqual(reloaded.names(), ['global']);
  t.is(allowed(reloaded, 'kv/x', 'kv/', 5), 1, 'a reloaded node counts afresh');
});

test('a second rule on the same path is refused, a deleted rule stops limiting', async (t) => {
  const { quotas } = await manager({ now: 0 });
  await quotas.put(rule('one', 'kv/', '', 1));
  const error = await t.throwsAsync(quotas.put(rule('two', 'kv/', '', 5)));
  t.is(error?.message, 'quota rule with similar properties exists under the name "one"');
  await quotas.put(rule('one', 'kv/', '', 3));
  t.is(allowed(quotas, 'kv/a', 'kv/', 5), 3, 'replacing a rule keeps its name');
  await quotas.delete('one');
  t.is(allowed(quotas, 'kv/a', 'kv/', 5), 5);
});
