import test from 'ava';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { readEntries, secretsIn, startAuditedServer, startLineListener } from './audit-harness.ts';

const BEFORE = 'kv-value-before-9d2c41';
const AFTER = 'kv-value-after-41be07';

test('with only a socket device whose listener is gone, requests fail with 500 and change nothing; a second working device keeps them going', async (t) => {
  const collector = await startLineListener();
  const audited = await startAuditedServer();
  t.teardown(async () => {
    await audited.server.stop({ kill: true });
    await collector.close();
    await audited.dir.remove();
  });
  const { call } = audited;
  t.is((await call('PUT', 'sys/audit/sock', { type: 'socket', options: { address: collector.address } })).status, 204);
  t.is((await call('PUT', 'sys/mounts/kv', { type: 'kv' })).status, 204);
  t.is((await call('PUT', 'kv/app', { value: BEFORE })).status, 204);
  await collector.waitFor('the first write', (entry) => entry.type === 'response' && entry.request.path === 'kv/app');

  await collector.close();
  const refused = await call('PUT', 'kv/app', { value: AFTER });
  t.is(refused.status, 500);
  t.deepEqual(refused.body, { errors: ['internal error'] }, 'the client learns nothing of the audit setup');
  const login = await call('PUT', 'auth/token/create', { ttl: '1h' });
  t.is(login.status, 500, 'no token is made either');
  t.regex(audited.server.output(), /no audit backend succeeded in logging the request/);
  const metrics = await fetch(`${audited.server.url}/v1/sys/metrics?format=prometheus`, { headers: { 'X-Vault-Token': audited.rootToken } });
  t.regex(await metrics.text(), /^vault_audit_log_request_failure 2$/m, 'the failures are counted for alerting');
  t.regex(audited.server.output(), /"device":"sock\/","error":"Error: connect ECONNREFUSED[^"]*","msg":"audit device failed to log the request"/);

  await collector.reopen();
  const read = await call('GET', 'kv/app');
  t.is(read.status, 200, 'the device reconnects once its listener is back');
  t.deepEqual(read.body.data, { value: BEFORE }, 'the refused write did not happen');
  const tokens = await call('LIST', 'auth/token/accessors');
  t.is((tokens.body.data!['keys'] as string[]).length, 1, 'only the root token exists');
  await collector.waitFor('the read after reconnecting', (entry) => entry.type === 'response' && entry.request.operation === 'read' && entry.request.path === 'kv/app');
  t.false(collector.text().includes('"operation":"update","mount_point":"kv/"'), 'the refused write reached no log');

  const logPath = join(audited.dir.path, 'audit.log');
  t.is((await call('PUT', 'sys/audit/file', { type: 'file', options: { file_path: logPath } })).status, 204);
  await collector.close();
  t.is((await call('PUT', 'kv/app', { value: AFTER })).status, 204, 'one device that records the request is enough');
  t.deepEqual((await call('GET', 'kv/app')).body.data, { value: AFTER });
  const written = (await readEntries(logPath)).filter((entry) => entry.request.path === 'kv/app');
  t.deepEqual(written.map((entry) => [entry.type, entry.request.operation]), [['request', 'update'], ['response', 'update'], ['request', 'read'], ['response', 'read']]);
  const logs = { 'audit file': await readFile(logPath, 'utf8'), 'socket stream': collector.text(), 'server output': audited.server.output() };
  t.deepEqual(secretsIn(logs, [audited.rootToken, ...audited.unsealKeys, BEFORE, AFTER]), []);
});
