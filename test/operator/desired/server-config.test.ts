import test from 'ava';
import { parseConfig } from '../../../src/server/config/load-config.ts';
import { serverConfig, serverConfigText } from '../../../src/operator/desired/server-config.ts';
import { configHash } from '../../../src/operator/desired/config-map.ts';
import { vaultCluster } from '../fixtures.ts';

test('the rendered config is accepted by the server’s own config loader: etcd with HA, the listener, the metrics listener', async (t) => {
  const { config, warnings } = await parseConfig(serverConfigText(vaultCluster()), 'json', 'config.json');
  t.deepEqual(warnings, []);
  t.like(config.storage, { type: 'etcd', endpoints: ['http://etcd-0.etcd:2379', 'http://etcd-1.etcd:2379'], prefix: '/sealbox/secrets/vault/', haEnabled: true, requestTimeoutMs: 5000, lockTtlSeconds: 15 });
  t.is(config.listeners.length, 1);
  t.like(config.listeners[0], { address: '0.0.0.0:8200', tlsDisable: true });
  t.is(config.telemetry.metricsAddress, '0.0.0.0:9102');
});

test('the user’s config is merged under the operator’s keys, which win', async (t) => {
  const cluster = vaultCluster({ config: { ui: true, log_level: 'debug', storage: { file: { path: '/x' } }, listener: { tcp: { address: '1.2.3.4:1' } }, telemetry: { metrics_address: '9.9.9.9:1', disable_hostname: true } } });
  const { config } = await parseConfig(serverConfigText(cluster), 'json', 'config.json');
  t.true(config.ui);
  t.is(config.logLevel, 'debug');
  t.is(config.storage.type, 'etcd');
  t.is(config.listeners[0]?.address, '0.0.0.0:8200');
  t.is(config.telemetry.metricsAddress, '0.0.0.0:9102');
  t.true(config.telemetry.disableHostname);
});

test('TLS: the listener uses the mounted certificate; etcd TLS files come from their own volume', async (t) => {
  const cluster = vaultCluster({ tls: { secretName: 'vault-tls' }, storage: { etcd: { tls: { secretName: 'etcd-client' }, prefix: '/custom' } } });
  const { config } = await parseConfig(serverConfigText(cluster), 'json', 'config.json');
  t.like(config.listeners[0], { tlsDisable: false, tlsCertFile: '/vault/tls/tls.crt', tlsKeyFile: '/vault/tls/tls.key' });
  t.like(config.storage, { prefix: '/custom/', tlsCaFile: '/vault/etcd-tls/ca.crt', tlsCertFile: '/vault/etcd-tls/tls.crt' });
});

test('credentials never go into the rendered config, and metrics off means no metrics listener', (t) => {
  const cluster = vaultCluster({ storage: { etcd: { credentialsSecretRef: { name: 'etcd-creds' } } }, metrics: { enabled: false } });
  const config = serverConfig(cluster);
  const etcd = (config['storage'] as { etcd: Record<string, unknown> }).etcd;
  t.false('username' in etcd);
  t.false('password' in etcd);
  t.false('telemetry' in config);
});

test('the config hash changes with the config and only with it', (t) => {
  t.is(configHash(vaultCluster()), configHash(vaultCluster({ replicas: 5, image: 'sealbox:9' })));
  t.not(configHash(vaultCluster()), configHash(vaultCluster({ config: { ui: true } })));
});
