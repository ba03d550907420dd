import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { uniquePrefix, useEtcd } from '../../helpers/etcd.ts';
import type { Families } from '../../helpers/prometheus-text.ts';
import { parseMetrics, promtoolCheck, quantilesOf, seriesValue } from '../../helpers/prometheus-text.ts';
import type { ServerProcess } from '../../helpers/server-process.ts';
import { startServerProcess, startUnsealedServer, tempDir } from '../../helpers/server-process.ts';

const etcd = useEtcd(test);

const PROMETHEUS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const TELEMETRY = 'telemetry {\n  prometheus_retention_time = "1h"\n  disable_hostname = true\n  metrics_address = "127.0.0.1:0"\n}\n';

interface Reply {
  readonly status: number;
  readonly type: string;
  readonly text: string;
}

async function call(url: string, options: { method?: string; token?: string; body?: unknown; accept?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['X-Vault-Token'] = options.token;
  if (options.accept !== undefined) headers['Accept'] = options.accept;
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

/** Writes a config with one plain-HTTP listener on a free loopback port and returns its path. */
async function configFile(t: ExecutionContext, body: string, listenerTelemetry = ''): Promise<string> {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const path = join(dir.path, 'server.hcl');
  await writeFile(path, `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n${listenerTelemetry}}\ndisable_mlock = true\n${body}`);
  return path;
}

async function unsealed(t: ExecutionContext, body: string, listenerTelemetry = '') {
  const started = await startUnsealedServer(['-config', await configFile(t, body, listenerTelemetry)]);
  t.teardown(() => started.server.stop());
  return started;
}

/** The address of the separate metrics listener, from its log line (written before "listening"). */
function metricsListenerUrl(server: ServerProcess): string {
  for (const line of server.output().split('\n')) {
    if (!line.includes('"metrics listening"')) continue;
    return (JSON.parse(line) as { address: string }).address;
  }
  throw new Error(`no metrics listener in the log:\n${server.output()}`);
}

async function scrape(t: ExecutionContext, url: string, token?: string): Promise<Families> {
  const reply = await call(`${url}/v1/sys/metrics?format=prometheus`, token === undefined ? {} : { token });
  t.is(reply.status, 200, reply.text);
  t.is(reply.type, PROMETHEUS_TYPE);
  const check = await promtoolCheck(reply.text);
  t.not(check.code, 1, check.output);
  t.deepEqual(check.unexplained, []);
  return parseMetrics(reply.text);
}

function value(families: Families, name: string, labels: Readonly<Record<string, string>> = {}): number {
  return seriesValue(families, name, labels) ?? 0;
}

test('sys/metrics needs a token with read on it, and its counters and timers move with the requests made', async (t) => {
  const { server, rootToken } = await unsealed(t, `storage "inmem" {}\n${TELEMETRY}`);
  const v1 = `${server.url}/v1`;
  const root = { token: rootToken };

  const anonymous = await call(`${v1}/sys/metrics?format=prometheus`);
  t.is(anonymous.status, 403);
  t.deepEqual(JSON.parse(anonymous.text), { errors: ['permission denied'] });

  const before = await scrape(t, server.url, rootToken);
  t.deepEqual(quantilesOf(before, 'vault_core_handle_request'), ['0.5', '0.9', '0.99']);
  t.is(value(before, 'vault_core_unsealed'), 1);
  t.is(value(before, 'vault_core_active'), 1);

  t.is((await call(`${v1}/sys/mounts/secret`, { ...root, method: 'POST', body: { type: 'kv', options: { version: '2' } } })).status, 204);
  t.is((await call(`${v1}/secret/data/app`, { ...root, method: 'POST', body: { data: { password: 'hunter2' } } })).status, 200);
  t.is((await call(`${v1}/secret/data/app`, root)).status, 200);
  t.is((await call(`${v1}/secret/data/missing`, root)).status, 404);
  t.is((await call(`${v1}/secret/data/app`, { token: 'hvs.not-a-token' })).status, 403);
  t.is((await call(`${v1}/auth/token/create`, { ...root, method: 'POST', body: { ttl: '1h', policies: ['default'] } })).status, 200);
  t.is((await call(`${v1}/sys/auth/userpass`, { ...root, method: 'POST', body: { type: 'userpass' } })).status, 204);
  t.is((await call(`${v1}/auth/userpass/users/ann`, { ...root, method: 'POST', body: { password: 'pw', token_ttl: '20m' } })).status, 204);
  t.is((await call(`${v1}/auth/userpass/login/ann`, { method: 'POST', body: { password: 'pw' } })).status, 200);

  const after = await scrape(t, server.url, rootToken);
  const moved = (name: string, labels: Readonly<Record<string, string>> = {}) => value(after, name, labels) - value(before, name, labels);
  t.true(moved('vault_core_handle_request') >= 8);
  t.is(moved('vault_core_handle_login_request'), 1);
  // Each scrape itself is a 200 counted once it is answered.
  t.true(moved('vault_core_response_status_code', { code: '200', type: '2xx' }) >= 4);
  t.is(moved('vault_core_response_status_code', { code: '204', type: '2xx' }), 3);
  t.is(moved('vault_core_response_status_code', { code: '404', type: '4xx' }), 1);
  t.is(moved('vault_core_response_status_code', { code: '403', type: '4xx' }), 1);
  t.is(value(after, 'vault_route', { operation: 'create', mount_point: 'secret/' }), 1);
  t.is(value(after, 'vault_route', { operation: 'read', mount_point: 'secret/' }), 2);
  t.true(value(after, 'vault_route', { mount_point: 'sys/' }) >= 2);
  t.is(value(after, 'vault_token_creation', { auth_method: 'token', mount_point: 'auth/token/', creation_ttl: '1h', token_type: 'service' }), 1);
  t.is(value(after, 'vault_token_creation', { auth_method: 'userpass', mount_point: 'auth/userpass/', creation_ttl: '20m', namespace: 'root' }), 1);
  t.true(value(after, 'vault_token_count', { namespace: 'root' }) >= 1);
  for (const operation of ['get', 'put', 'list', 'transaction']) {
    t.true(moved(`vault_barrier_${operation}`) > 0, `vault_barrier_${operation}`);
  }
  t.true(moved('vault_inmem_get') > 0);
  t.true(moved('vault_inmem_transaction') > 0);
  t.is(value(after, 'vault_audit_log_request_failure'), 0);
  t.true(value(after, 'nodejs_eventloop_lag_p99_seconds') >= 0);
  t.true(after.has('process_resident_memory_bytes'));
});

test('a token whose policy reads sys/metrics may scrape, one without may not', async (t) => {
  const { server, rootToken } = await unsealed(t, `storage "inmem" {}\n${TELEMETRY}`);
  const v1 = `${server.url}/v1`;
  const policy = 'path "sys/metrics" {\n  capabilities = ["read"]\n}\n';
  t.is((await call(`${v1}/sys/policies/acl/metrics`, { token: rootToken, method: 'PUT', body: { policy } })).status, 204);
  const token = async (policies: string[]) => {
    const reply = await call(`${v1}/auth/token/create`, { token: rootToken, method: 'POST', body: { policies } });
    return (JSON.parse(reply.text) as { auth: { client_token: string } }).auth.client_token;
  };
  const reader = await token(['metrics']);
  const other = await token(['default']);
  await scrape(t, server.url, reader);
  const refused = await call(`${v1}/sys/metrics?format=prometheus`, { token: other });
  t.is(refused.status, 403);
  t.deepEqual(JSON.parse(refused.text), { errors: ['permission denied'] });
  t.is((await call(`${v1}/sys/metrics`, { token: reader, method: 'PUT' })).status, 405);
});

test("the format is chosen by parameter or Accept header as in Vault; no format is the in-memory JSON", async (t) => {
  const { server, rootToken } = await unsealed(t, `storage "inmem" {}\n${TELEMETRY}`);
  const url = `${server.url}/v1/sys/metrics`;
  const prometheusAccept = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
  for (const accept of [prometheusAccept, 'application/json, prometheus/telemetry']) {
    const reply = await call(url, { token: rootToken, accept });
    t.is(reply.status, 200, accept);
    t.is(reply.type, PROMETHEUS_TYPE, accept);
    t.true((await parseMetrics(reply.text)).has('vault_core_unsealed'), accept);
  }

  const json = await call(url, { token: rootToken, accept: 'application/json' });
  t.is(json.status, 200);
  t.is(json.type, 'application/json');
  const summary = JSON.parse(json.text) as { Timestamp: string; Gauges: Array<{ Name: string; Value: number }>; Points: unknown[]; Counters: unknown[]; Samples: Array<{ Name: string; Count: number }> };
  t.regex(summary.Timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
  t.deepEqual(summary.Points, []);
  t.is(summary.Gauges.find((gauge) => gauge.Name === 'vault.core.unsealed')?.Value, 1);
  t.true((summary.Samples.find((sample) => sample.Name === 'vault.core.handle_request')?.Count ?? 0) >= 0);
  t.true(summary.Counters.length > 0);

  const unknown = await call(`${url}?format=statsd`, { token: rootToken });
  t.is(unknown.status, 400);
  t.is(unknown.type, 'text/plain');
  t.is(unknown.text, 'metric response format "statsd" unknown');
});

test('the separate metrics listener serves without a token; the API listener still asks for one', async (t) => {
  const { server } = await unsealed(t, `storage "inmem" {}\n${TELEMETRY}`);
  const metricsUrl = metricsListenerUrl(server);
  t.not(metricsUrl, server.url);
  const scrapePath = await call(`${metricsUrl}/metrics`);
  t.is(scrapePath.status, 200);
  t.is(scrapePath.type, PROMETHEUS_TYPE);
  const families = await parseMetrics(scrapePath.text);
  t.is(value(families, 'vault_core_unsealed'), 1);
  await scrape(t, metricsUrl);
  t.is((await call(`${metricsUrl}/v1/sys/health`)).status, 404);
  t.is((await call(`${server.url}/v1/sys/metrics?format=prometheus`)).status, 403);
});

test('a listener with unauthenticated_metrics_access serves sys/metrics without a token, sealed or not', async (t) => {
  const listenerTelemetry = '  telemetry {\n    unauthenticated_metrics_access = true\n  }\n';
  const server = await startServerProcess(['-config', await configFile(t, `storage "inmem" {}\n${TELEMETRY}`, listenerTelemetry)]);
  t.teardown(() => server.stop());
  const sealed = await scrape(t, server.url);
  t.is(value(sealed, 'vault_core_unsealed'), 0);
  t.is(value(sealed, 'vault_core_active'), 0);
  const init = JSON.parse((await call(`${server.url}/v1/sys/init`, { method: 'PUT', body: { secret_shares: 1, secret_threshold: 1 } })).text) as { keys: string[] };
  await call(`${server.url}/v1/sys/unseal`, { method: 'PUT', body: { key: init.keys[0] } });
  const open = await scrape(t, server.url);
  t.is(value(open, 'vault_core_unsealed'), 1);
  t.is(value(open, 'vault_core_active'), 1);
});

test('without a telemetry block the Prometheus format is off, as in Vault; the JSON stays', async (t) => {
  const { server, rootToken } = await unsealed(t, 'storage "inmem" {}\n');
  const off = await call(`${server.url}/v1/sys/metrics?format=prometheus`, { token: rootToken });
  t.is(off.status, 400);
  t.is(off.type, 'text/plain');
  t.is(off.text, 'prometheus is not enabled');
  const json = await call(`${server.url}/v1/sys/metrics`, { token: rootToken });
  t.is(json.status, 200);
  t.true(Array.isArray((JSON.parse(json.text) as { Gauges: unknown }).Gauges));
  t.false(server.output().includes('metrics listening'));
});

test('etcd storage calls are timed in their own vault_etcd_* family', async (t) => {
  const storage = `storage "etcd" {\n  address = "${etcd().endpoint}"\n  path = "${uniquePrefix()}"\n  ha_enabled = "false"\n}\n`;
  const { server, rootToken } = await unsealed(t, `${storage}${TELEMETRY}`);
  const families = await scrape(t, server.url, rootToken);
  t.true(value(families, 'vault_etcd_get') > 0);
  t.true(value(families, 'vault_etcd_transaction') > 0);
  t.is(value(families, 'vault_etcd_errors', { operation: 'get' }), 0);
  t.false(families.has('vault_inmem_get'));
});
