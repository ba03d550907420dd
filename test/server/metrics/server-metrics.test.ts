import { createServer } from 'node:net';
import test from 'ava';
import { Registry } from 'prom-client';
import { AesGcmBarrier } from '../../../src/server/barrier/aes-gcm-barrier.ts';
import type { TokenEntry } from '../../../src/server/auth/token/token-entry.ts';
import { instrumentBarrier } from '../../../src/server/metrics/instrumented-barrier.ts';
import { instrumentStorage } from '../../../src/server/metrics/instrumented-backend.ts';
import { prometheusName } from '../../../src/server/metrics/prometheus-name.ts';
import { ServerMetrics } from '../../../src/server/metrics/server-metrics.ts';
import { ttlBucket } from '../../../src/server/metrics/ttl-bucket.ts';
import { EtcdBackend } from '../../../src/server/storage/etcd/etcd-backend.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';
import { isHALock, isWatchable } from '../../../src/server/storage/physical-backend.ts';
import { etcdStorageConfig } from '../../helpers/etcd.ts';
import { parseMetrics, promtoolCheck, quantilesOf, seriesValue } from '../../helpers/prometheus-text.ts';

function metricsAt(clock: { now: number }, retentionSeconds = 3_600): ServerMetrics {
  return new ServerMetrics({ registry: new Registry(), retentionSeconds, now: () => clock.now });
}

function scrape(metrics: ServerMetrics) {
  return metrics.prometheusText().then(parseMetrics);
}

function entry(ttl: number): TokenEntry {
  return {
    accessor: 'accessor',
    policies: ['default'],
    path: 'auth/token/create',
    displayName: 'token',
    meta: null,
    creationTime: 0,
    ttl,
    explicitMaxTtl: 0,
    period: 0,
    numUses: 0,
    orphan: false,
    renewable: true,
    type: 'service',
  };
}

test("Vault's names: dots and other characters become underscores", (t) => {
  t.is(prometheusName('vault.core.handle_request'), 'vault_core_handle_request');
  t.is(prometheusName('vault.route.read.secret-'), 'vault_route_read_secret_');
  t.is(prometheusName('vault.seal-with.request'), 'vault_seal_with_request');
});

test("token TTLs fall into Vault's creation_ttl buckets; a token that never expires is +Inf", (t) => {
  t.deepEqual(
    [0, 1, 60, 61, 3_600, 7_200, 86_400, 86_401, 2_592_000, 2_592_001].map(ttlBucket),
    ['+Inf', '1m', '1m', '10m', '1h', '2h', '1d', '2d', '30d', '+Inf'],
  );
});

test('the registry renders valid Prometheus text with timers as millisecond summaries and counters without _total', async (t) => {
  const metrics = metricsAt({ now: 0 });
  metrics.requestHandled(false, 4);
  metrics.requestHandled(false, 6);
  metrics.requestHandled(true, 9);
  metrics.requestStarted();
  metrics.requestFinished(204);
  metrics.requestStarted();
  metrics.requestStarted();
  metrics.requestFinished(403);
  metrics.routed('create', 'secret/', 3);
  metrics.tokenCreated(entry(3_600), { authMethod: 'userpass', mountPoint: 'auth/userpass/' });
  metrics.tokenExpired();
  metrics.auditFailure('response');
  const text = await metrics.prometheusText();
  const families = await parseMetrics(text);

  t.is(families.get('vault_core_handle_request')?.type, 'summary');
  t.deepEqual(quantilesOf(families, 'vault_core_handle_request'), ['0.5', '0.9', '0.99']);
  t.deepEqual(quantilesOf(families, 'vault_route', { mount_point: 'secret/' }), ['0.5', '0.9', '0.99']);
  t.is(families.get('vault_core_handle_request')?.samples.find((sample) => sample.name === 'vault_core_handle_request_sum')?.value, 10);
  t.is(seriesValue(families, 'vault_core_handle_request'), 2);
  t.is(seriesValue(families, 'vault_core_handle_login_request'), 1);
  t.is(seriesValue(families, 'vault_core_response_status_code', { code: '204', type: '2xx' }), 1);
  t.is(seriesValue(families, 'vault_core_response_status_code', { code: '403', type: '4xx' }), 1);
  t.is(families.get('vault_core_response_status_code')?.type, 'counter');
  t.is(seriesValue(families, 'vault_core_in_flight_requests'), 1);
  t.is(seriesValue(families, 'vault_route', { operation: 'create', mount_point: 'secret/' }), 1);
  t.is(
    seriesValue(families, 'vault_token_creation', {
      auth_method: 'userpass',
      mount_point: 'auth/userpass/',
      creation_ttl: '1h',
      token_type: 'service',
      namespace: 'root',
    }),
    1,
  );
  t.is(seriesValue(families, 'vault_expire_lease_expiration', { namespace: 'root' }), 1);
  t.is(seriesValue(families, 'vault_audit_log_request_failure'), 0);
  t.is(seriesValue(families, 'vault_audit_log_response_failure'), 1);
  // Node's process and event-loop metrics share the registry.
  t.true(families.has('process_cpu_seconds'));
  t.true(families.has('nodejs_eventloop_lag_p99_seconds'));
  t.false(/^vault_\w*_total\b/m.test(text));

  const check = await promtoolCheck(text);
  t.not(check.code, 1, check.output);
  t.deepEqual(check.unexplained, []);
});

test('seal and HA state are read from the node on every scrape', async (t) => {
  const metrics = metricsAt({ now: 0 });
  const node: { state: 'sealed' | 'standby' | 'active' } = { state: 'sealed' };
  metrics.observeNode(node);
  let families = await scrape(metrics);
  t.is(seriesValue(families, 'vault_core_unsealed'), 0);
  t.is(seriesValue(families, 'vault_core_active'), 0);
  node.state = 'standby';
  families = await scrape(metrics);
  t.is(seriesValue(families, 'vault_core_unsealed'), 1);
  t.is(seriesValue(families, 'vault_core_active'), 0);
  node.state = 'active';
  families = await scrape(metrics);
  t.is(seriesValue(families, 'vault_core_active'), 1);
});

test('the token count is read on scrape, at most once per 10 s, and disappears when the store goes', async (t) => {
  const clock = { now: 0 };
  const metrics = metricsAt(clock);
  t.is(seriesValue(await scrape(metrics), 'vault_token_count', { namespace: 'root' }), undefined);
  let stored = 3;
  let counts = 0;
  const stop = metrics.countTokensWith(async () => {
    counts += 1;
    return stored;
  });
  t.is(seriesValue(await scrape(metrics), 'vault_token_count', { namespace: 'root' }), 3);
  stored = 5;
  clock.now = 9_999;
  t.is(seriesValue(await scrape(metrics), 'vault_token_count', { namespace: 'root' }), 3);
  clock.now = 10_000;
  t.is(seriesValue(await scrape(metrics), 'vault_token_count', { namespace: 'root' }), 5);
  t.is(counts, 2);
  stop();
  t.is(seriesValue(await scrape(metrics), 'vault_token_count', { namespace: 'root' }), undefined);
});

test('a failed token count keeps the previous one instead of failing the scrape', async (t) => {
  const clock = { now: 0 };
  const metrics = metricsAt(clock);
  let fail = false;
  metrics.countTokensWith(async () => {
    if (fail) throw new Error('storage unavailable');
    return 7;
  });
  t.is(seriesValue(await scrape(metrics), 'vault_token_count', { namespace: 'root' }), 7);
  fail = true;
  clock.now = 60_000;
  t.is(seriesValue(await scrape(metrics), 'vault_token_count', { namespace: 'root' }), 7);
});

test('labelled series not updated within prometheus_retention_time leave the output', async (t) => {
  const clock = { now: 0 };
  const metrics = metricsAt(clock, 60);
  metrics.routed('read', 'old/', 1);
  metrics.requestFinished(500);
  clock.now = 30_000;
  metrics.routed('read', 'new/', 1);
  clock.now = 60_000;
  let families = await scrape(metrics);
  t.is(seriesValue(families, 'vault_route', { mount_point: 'old/' }), 1);
  clock.now = 60_001;
  metrics.requestFinished(500);
  families = await scrape(metrics);
  t.is(seriesValue(families, 'vault_route', { mount_point: 'old/' }), undefined);
  t.is(seriesValue(families, 'vault_route', { mount_point: 'new/' }), 1);
  // Touched again in time: the series stays, with its count.
  t.is(seriesValue(families, 'vault_core_response_status_code', { code: '500' }), 2);
});

test('without a format, the registry renders as the JSON of Vault\'s in-memory sink', async (t) => {
  const clock = { now: Date.UTC(2024, 0, 2, 15, 4, 5, 400) };
  const metrics = metricsAt(clock, 0);
  metrics.observeNode({ state: 'active' });
  clock.now += 2_000;
  metrics.requestHandled(false, 4);
  metrics.requestHandled(false, 8);
  metrics.requestFinished(200);
  const summary = await metrics.inmemSummary();
  t.is(summary.Timestamp, '2024-01-02 15:04:07 +0000 UTC');
  t.deepEqual(summary.Points, []);
  t.deepEqual(
    summary.Gauges.find((gauge) => gauge.Name === 'vault.core.unsealed'),
    { Name: 'vault.core.unsealed', Value: 1, Labels: {} },
  );
  t.like(summary.Samples.find((sample) => sample.Name === 'vault.core.handle_request'), { Count: 2, Sum: 12, Mean: 6, Rate: 6, Labels: {} });
  t.like(summary.Counters.find((counter) => counter.Name === 'vault.core.response_status_code'), {
    Count: 1,
    Sum: 1,
    Labels: { code: '200', type: '2xx' },
  });
  // Families without a Vault name keep their Prometheus name.
  t.true(summary.Counters.some((counter) => counter.Name === 'process_cpu_seconds_total'));
  t.false(metrics.prometheusEnabled);
});

test('storage and barrier decorators time every data call into their own families', async (t) => {
  const metrics = metricsAt({ now: 0 });
  const physical = instrumentStorage(new InmemBackend(), metrics.storage('inmem'));
  const barrier = instrumentBarrier(new AesGcmBarrier(physical), metrics.barrier());
  const rootKey = Buffer.alloc(32, 7);
  await barrier.initialize(rootKey);
  await barrier.unseal(rootKey);
  const view = barrier.view('logical/abc/');
  await view.put('a', Buffer.from('1'));
  await view.get('a');
  await view.list('');
  await view.delete('a');
  await view.transaction([{ type: 'put', key: 'b', value: Buffer.from('2') }]);
  t.false(barrier.sealed);
  t.is(barrier.keyStatus().term, 1);

  const families = await scrape(metrics);
  for (const operation of ['get', 'put', 'list', 'delete', 'transaction']) {
    t.is(seriesValue(families, `vault_barrier_${operation}`), 1, operation);
    t.true((seriesValue(families, `vault_inmem_${operation}`) ?? 0) >= 1, operation);
  }
  t.true(families.has('vault_inmem_errors'));
  t.false(isHALock(physical));
  t.false(isWatchable(physical));
});

test('an unreachable etcd is counted in vault_etcd_errors, and the HA lock and watch pass through', async (t) => {
  const metrics = metricsAt({ now: 0 });
  const port = await closedPort();
  const etcd = instrumentStorage(
    await EtcdBackend.create(etcdStorageConfig(`http://127.0.0.1:${port}`, { requestTimeoutMs: 300 })),
    metrics.storage('etcd'),
  );
  t.teardown(() => etcd.close());
  t.true(isHALock(etcd));
  t.true(isWatchable(etcd));
  await t.throwsAsync(etcd.get('key'));
  await t.throwsAsync(etcd.lockHolder('lock'));
  const families = await scrape(metrics);
  t.is(seriesValue(families, 'vault_etcd_errors', { operation: 'get' }), 1);
  t.is(seriesValue(families, 'vault_etcd_get'), 1);
  t.is(seriesValue(families, 'vault_etcd_list'), 0);
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
