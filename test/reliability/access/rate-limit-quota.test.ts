import test from 'ava';
import { readFile } from 'node:fs/promises';
import { startApiServer } from '../helpers/api-server.ts';

test('a client that floods logins is throttled with 429 by a quota on the auth mount, and nothing else is', async (t) => {
  const { call, dataDir } = await startApiServer(t);
  t.is((await call('POST', 'sys/auth/userpass', { type: 'userpass' })).status, 204);
  t.is((await call('POST', 'auth/userpass/users/alice', { password: 'right-password' })).status, 204);
  t.is((await call('POST', 'sys/mounts/kv', { type: 'kv' })).status, 204);
  t.is((await call('POST', 'sys/audit/file', { type: 'file', options: { file_path: `${dataDir}/../audit.log` } })).status, 204);
  // An interval far longer than the test: the count cannot reset half-way.
  t.is((await call('POST', 'sys/quotas/rate-limit/logins', { path: 'auth/userpass', rate: 5, interval: '1h' })).status, 204);

  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) {
    const login = await call('POST', 'auth/userpass/login/alice', { password: `guess-${i}` }, '');
    statuses.push(login.status);
    if (login.status === 429) t.deepEqual(login.json, { errors: ['request path "auth/userpass/login/alice": rate limit quota exceeded'] });
  }
  t.deepEqual(statuses, [...Array(5).fill(400), ...Array(15).fill(429)]);
  t.is((await call('POST', 'auth/userpass/login/alice', { password: 'right-password' }, '')).status, 429, 'even the right password waits');
  t.is((await call('PUT', 'kv/other', { v: 1 })).status, 204, 'other mounts are not limited');
  t.is((await call('GET', 'sys/health')).status, 200);

  const audit = await readFile(`${dataDir}/../audit.log`, 'utf8');
  t.false(audit.includes('rate limit quota exceeded'), 'rejections are not audited by default');
  t.is((await call('PUT', 'sys/quotas/config', { enable_rate_limit_audit_logging: true })).status, 204);
  t.is((await call('POST', 'auth/userpass/login/alice', { password: 'x' }, '')).status, 429);
  t.true((await readFile(`${dataDir}/../audit.log`, 'utf8')).includes('rate limit quota exceeded'), 'audited once the config asks');

  t.is((await call('DELETE', 'sys/quotas/rate-limit/logins')).status, 204);
  t.is((await call('POST', 'auth/userpass/login/alice', { password: 'right-password' }, '')).status, 200, 'the quota is gone');
});

test("sys/quotas/rate-limit reads, lists and validates as Vault's", async (t) => {
  const { call } = await startApiServer(t);
  t.is((await call('LIST', 'sys/quotas/rate-limit')).status, 404, 'no quotas: an empty list is 404');
  t.is((await call('POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } })).status, 204);
  t.is((await call('POST', 'sys/quotas/rate-limit/global', { rate: 100.5 })).status, 204);
  t.is((await call('POST', 'sys/quotas/rate-limit/team', { path: 'kv/data/team/*', rate: '10', interval: 60, block_interval: '5m' })).status, 204);

  t.deepEqual((await call('GET', 'sys/quotas/rate-limit/team')).json['data'], {
    type: 'rate-limit', name: 'team', path: 'kv/data/team/*', role: '', rate: 10, interval: 60, block_interval: 300, inheritable: false,
  });
  t.like((await call('GET', 'sys/quotas/rate-limit/global')).json['data'], { path: '', rate: 100.5, interval: 1, block_interval: 0, inheritable: true });
  t.deepEqual((await call('LIST', 'sys/quotas/rate-limit')).json['data'], { keys: ['global', 'team'] });
  t.is((await call('GET', 'sys/quotas/rate-limit/missing')).status, 404);
  t.like((await call('GET', 'sys/quotas/config')).json['data'], {
    enable_rate_limit_audit_logging: false,
    rate_limit_exempt_paths: ['sys/generate-recovery-token/attempt', 'sys/generate-recovery-token/update', 'sys/generate-root/attempt', 'sys/generate-root/update', 'sys/health', 'sys/seal-status', 'sys/unseal'],
  });

  const refused: Array<[unknown, string]> = [
    [{}, "'rate' is invalid"],
    [{ rate: 0 }, "'rate' is invalid"],
    [{ rate: -1 }, "'rate' is invalid"],
    [{ rate: 'fast' }, "'rate' is invalid"],
    [{ rate: 1, path: 'nowhere/at/all' }, 'invalid mount path "nowhere/at/all"'],
    [{ rate: 1, path: 'kv/data/team/*' }, 'quota rule with similar properties exists under the name "team"'],
    [{ rate: 1, interval: 'soon' }, 'invalid value for field "interval": expected a duration'],
    [{ rate: 1, path: 'auth/token', role: 'r' }, 'role-based quotas are not supported by this server'],
  ];
  for (const [body, message] of refused) {
    const answer = await call('POST', 'sys/quotas/rate-limit/other', body);
    t.is(answer.status, 400, JSON.stringify(body));
    t.deepEqual(answer.json, { errors: [message] }, JSON.stringify(body));
  }
});

test('quotas need a token allowed on sys/quotas, and survive a restart of the server', async (t) => {
  const first = await startApiServer(t);
  const { call } = first;
  t.is((await call('POST', 'sys/policies/acl/reader', { policy: 'path "sys/quotas/*" { capabilities = ["read", "list"] }' })).status, 204);
  const reader = (await call('POST', 'auth/token/create', { policies: ['reader'] })).json['auth'].client_token as string;
  t.is((await call('POST', 'sys/quotas/rate-limit/q', { rate: 1 }, reader)).status, 403);
  t.is((await call('POST', 'sys/quotas/rate-limit/q', { rate: 1 }, '')).status, 403);
  t.is((await call('POST', 'sys/quotas/rate-limit/q', { rate: 3, interval: '1h' })).status, 204);
  t.is((await call('GET', 'sys/quotas/rate-limit/q', undefined, reader)).status, 200);
  t.is((await call('PUT', 'kv-missing/x', { v: 1 })).status, 404);

  const second = await first.restart();
  t.like((await second.call('GET', 'sys/quotas/rate-limit/q')).json['data'], { rate: 3, interval: 3600 });
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await second.call('GET', 'sys/mounts')).status);
  // The read above was the first of the three requests the restarted node allows.
  t.deepEqual(statuses, [200, 200, 429], 'the restarted node enforces the stored quota with fresh counts');
  t.is((await second.call('GET', 'sys/health')).status, 200, 'sys/health is exempt');
});
