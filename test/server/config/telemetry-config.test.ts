import test from 'ava';
import { SealboxError } from '../../../src/lib/errors.ts';
import { parseConfig } from '../../../src/server/config/load-config.ts';

const BASE = 'listener "tcp" {\n  tls_disable = true\n}\nstorage "inmem" {}\n';

async function telemetryOf(block: string) {
  return (await parseConfig(`${BASE}${block}`, 'hcl', 'telemetry.hcl')).config.telemetry;
}

async function problemsOf(block: string): Promise<string[]> {
  const error = await parseConfig(`${BASE}${block}`, 'hcl', 'bad.hcl').then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof SealboxError)) throw new Error(`expected a config error, got ${String(error)}`);
  return error.message.split('\n').slice(1).map((line) => line.trim());
}

test('Prometheus retention: off without a telemetry block, 24h in one that does not set it, 0 turns it off', async (t) => {
  t.is((await telemetryOf('')).prometheusRetentionSeconds, 0);
  t.is((await telemetryOf('telemetry {\n  disable_hostname = true\n}\n')).prometheusRetentionSeconds, 86_400);
  t.is((await telemetryOf('telemetry {\n  prometheus_retention_time = "0"\n}\n')).prometheusRetentionSeconds, 0);
  t.is((await telemetryOf('telemetry {\n  prometheus_retention_time = "90s"\n}\n')).prometheusRetentionSeconds, 90);
  t.is((await telemetryOf('telemetry {\n  prometheus_retention_time = 30\n}\n')).prometheusRetentionSeconds, 30);
});

test('the listener-level unauthenticated_metrics_access and the metrics listener address', async (t) => {
  const { config } = await parseConfig(
    'listener "tcp" {\n  tls_disable = true\n  telemetry {\n    unauthenticated_metrics_access = true\n  }\n}\nstorage "inmem" {}\ntelemetry {\n  metrics_address = "127.0.0.1:9102"\n}\n',
    'hcl',
    'listener.hcl',
  );
  t.true(config.listeners[0]?.unauthenticatedMetricsAccess);
  t.deepEqual(config.telemetry, { prometheusRetentionSeconds: 86_400, disableHostname: false, metricsAddress: '127.0.0.1:9102' });
});

test('bad telemetry values are reported with their paths', async (t) => {
  t.deepEqual(
    await problemsOf(
      'telemetry {\n  prometheus_retention_time = "a day"\n  disable_hostname = "sometimes"\n  metrics_address = "localhost"\n}\n',
    ),
    [
      'telemetry.prometheus_retention_time: invalid duration "a day"',
      'telemetry.disable_hostname: expected true or false, got "sometimes"',
      'telemetry.metrics_address: expected host:port, got "localhost"',
    ],
  );
  t.deepEqual(await problemsOf('telemetry {\n  prometheus_retention_time = "-1h"\n}\n'), [
    'telemetry.prometheus_retention_time: invalid duration "-1h"',
  ]);
  t.deepEqual(
    await problemsOf('listener "tcp" {\n  tls_disable = true\n  telemetry {\n    unauthenticated_metrics_access = "open"\n  }\n}\n'),
    ['listener.tcp[1].telemetry.unauthenticated_metrics_access: expected true or false, got "open"'],
  );
  t.deepEqual(await problemsOf('telemetry {\n  prometheus_retention_time = 0\n  metrics_address = "127.0.0.1:9102"\n}\n'), [
    'telemetry.metrics_address: the metrics listener serves Prometheus metrics, which prometheus_retention_time = 0 turns off',
  ]);
  t.deepEqual(await problemsOf('telemetry {\n}\ntelemetry {\n}\n'), ['telemetry: only one telemetry block is allowed']);
});
