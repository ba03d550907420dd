import test from 'ava';
import { parseConfig } from '../../../src/server/config/load-config.ts';
import { LISTENER_HARDENING_DEFAULTS } from '../../../src/server/config/listener-schema.ts';
import type { ServerConfig } from '../../../src/server/config/server-config.ts';

const defaultTelemetry = { prometheusRetentionSeconds: 0, disableHostname: false };
const plainListener = {
  type: 'tcp',
  address: '127.0.0.1:8200',
  tlsDisable: true,
  maxRequestSize: 33_554_432,
  maxRequestDurationMs: 90_000,
  unauthenticatedMetricsAccess: false,
  ...LISTENER_HARDENING_DEFAULTS,
} as const;

function expected(overrides: Partial<ServerConfig>): ServerConfig {
  return {
    listeners: [plainListener],
    storage: { type: 'inmem' },
    disableMlock: false,
    ui: false,
    logLevel: 'info',
    telemetry: defaultTelemetry,
    ...overrides,
  };
}

test('HCL with inmem storage and defaults everywhere', async (t) => {
  const { config, warnings } = await parseConfig(
    'listener "tcp" {\n  tls_disable = true\n}\nstorage "inmem" {}\n',
    'hcl',
    'inmem.hcl',
  );
  t.deepEqual(config, expected({}));
  t.deepEqual(warnings, []);
});

test('HCL with file storage, TLS, several listeners and top-level settings', async (t) => {
  const { config } = await parseConfig(
    `
listener "tcp" {
  address            = "0.0.0.0:8200"
  tls_cert_file      = "tls/server.crt"
  tls_key_file       = "tls/server.key"
  max_request_size   = "1048576"
  max_request_duration = "2m"
  telemetry {
    unauthenticated_metrics_access = "1"
  }
}
listener "tcp" {
  address          = "[::1]:8210"
  tls_disable      = "true"
  max_request_size = -1
}
storage "file" {
  path = "data/sealbox"
}
api_addr      = "https://sealbox.example:8200"
cluster_addr  = "https://10.0.0.1:8201"
cluster_name  = "blue"
disable_mlock = true
ui            = "t"
log_level     = "Warning"
telemetry {
  prometheus_retention_time = "12h"
  disable_hostname          = true
  metrics_address           = "0.0.0.0:9102"
}
`,
    'hcl',
    'file.hcl',
  );
  t.deepEqual(config, {
    listeners: [
      {
        type: 'tcp',
        address: '0.0.0.0:8200',
        tlsDisable: false,
        tlsCertFile: 'tls/server.crt',
        tlsKeyFile: 'tls/server.key',
        maxRequestSize: 1_048_576,
        maxRequestDurationMs: 120_000,
        unauthenticatedMetricsAccess: true,
        ...LISTENER_HARDENING_DEFAULTS,
      },
      { ...plainListener, address: '[::1]:8210', maxRequestSize: Number.POSITIVE_INFINITY },
    ],
    // Relative paths stay as written: Vault resolves them against the working directory.
    storage: { type: 'file', path: 'data/sealbox' },
    apiAddr: 'https://sealbox.example:8200',
    clusterAddr: 'https://10.0.0.1:8201',
    clusterName: 'blue',
    disableMlock: true,
    ui: true,
    logLevel: 'warn',
    telemetry: { prometheusRetentionSeconds: 43_200, disableHostname: true, metricsAddress: '0.0.0.0:9102' },
  });
});

test('HCL with etcd storage', async (t) => {
  const { config } = await parseConfig(
    `
listener "tcp" {
  tls_disable = 1
}
storage "etcd" {
  address         = "https://etcd-0:2379, https://etcd-1:2379,"
  path            = "sealbox"
  ha_enabled      = "true"
  username        = "sealbox"
  password        = "s3cret"
  tls_ca_file     = "ca.pem"
  tls_cert_file   = "client.pem"
  tls_key_file    = "client-key.pem"
  request_timeout = 10
  lock_timeout    = "1500ms"
}
`,
    'hcl',
    'etcd.hcl',
  );
  t.deepEqual(
    config.storage,
    {
      type: 'etcd',
      endpoints: ['https://etcd-0:2379', 'https://etcd-1:2379'],
      prefix: 'sealbox/',
      haEnabled: true,
      username: 'sealbox',
      password: 's3cret',
      tlsCaFile: 'ca.pem',
      tlsCertFile: 'client.pem',
      tlsKeyFile: 'client-key.pem',
      requestTimeoutMs: 10_000,
      lockTtlSeconds: 2,
    },
  );
});

test('etcd defaults, and empty strings read as unset', async (t) => {
  const { config } = await parseConfig(
    'listener "tcp" {\n  tls_disable = true\n}\nstorage "etcd" {\n  username = ""\n  password = ""\n}\n',
    'hcl',
    'etcd.hcl',
  );
  t.deepEqual(config.storage, {
    type: 'etcd',
    endpoints: ['http://127.0.0.1:2379'],
    prefix: '/vault/',
    haEnabled: false,
    requestTimeoutMs: 5_000,
    lockTtlSeconds: 15,
  });
});

test('JSON in Vault\'s form: listener as an object, storage as an object', async (t) => {
  const { config } = await parseConfig(
    JSON.stringify({
      listener: { tcp: { address: '127.0.0.1:8200', tls_disable: 'true' } },
      storage: { file: { path: '/var/lib/sealbox' } },
      ui: true,
    }),
    'json',
    'file.json',
  );
  t.deepEqual(config, expected({ storage: { type: 'file', path: '/var/lib/sealbox' }, ui: true }));
});

test('JSON with a list of listeners, etcd storage and telemetry as an object', async (t) => {
  const { config } = await parseConfig(
    JSON.stringify({
      listener: [
        { tcp: { address: '0.0.0.0:8200', tls_disable: true, telemetry: { unauthenticated_metrics_access: true } } },
        { tcp: { address: '0.0.0.0:8300', tls_disable: true } },
      ],
      storage: { etcd: { address: 'http://etcd:2379', path: '/sb/', ha_enabled: true } },
      telemetry: { prometheus_retention_time: '30s' },
    }),
    'json',
    'etcd.json',
  );
  t.deepEqual(config.listeners, [
    { ...plainListener, address: '0.0.0.0:8200', unauthenticatedMetricsAccess: true },
    { ...plainListener, address: '0.0.0.0:8300' },
  ]);
  t.deepEqual(config.storage, {
    type: 'etcd',
    endpoints: ['http://etcd:2379'],
    prefix: '/sb/',
    haEnabled: true,
    requestTimeoutMs: 5_000,
    lockTtlSeconds: 15,
  });
  t.deepEqual(config.telemetry, { ...defaultTelemetry, prometheusRetentionSeconds: 30 });
});

test('JSON with inmem storage under Vault\'s older name, backend', async (t) => {
  const { config } = await parseConfig(
    '{"listener": {"tcp": {"tls_disable": true}}, "backend": {"inmem": {}}}',
    'json',
    'inmem.json',
  );
  t.deepEqual(config, expected({}));
});

test('unknown keys are ignored with a warning naming each one', async (t) => {
  const { config, warnings } = await parseConfig(
    `
listener "tcp" {
  tls_disable     = true
  x_forwarded_for_authorized_addrs = "10.0.0.0/8"
}
storage "etcd" {
  sync = "false"
}
seal "transit" {
  address = "https://vault:8200"
}
default_lease_ttl = "1h"
telemetry {
  statsd_address = "statsd:8125"
}
`,
    'hcl',
    'warn.hcl',
  );
  t.is(config.storage.type, 'etcd');
  t.deepEqual([...warnings].sort(), [
    'default_lease_ttl: not a Sealbox setting; ignored',
    'listener.tcp[0].x_forwarded_for_authorized_addrs: not a Sealbox setting; ignored',
    'seal: not a Sealbox setting; ignored',
    'storage.etcd.sync: not a Sealbox setting; ignored',
    'telemetry.statsd_address: not a Sealbox setting; ignored',
  ]);
});

test('listener timeouts, TLS minimum and JSON limits: Vault\'s keys, Vault\'s defaults, 0 for the default', async (t) => {
  const { config } = await parseConfig(
    `
listener "tcp" {
  tls_disable = true
  http_read_header_timeout = "3s"
  http_idle_timeout = 60
  tls_min_version = "tls13"
  max_json_depth = 20
  max_json_string_value_length = "1000"
  max_json_object_entry_count = 0
  max_json_array_element_count = 50
}
storage "inmem" {}
`,
    'hcl',
    'hardening.hcl',
  );
  t.like(config.listeners[0], {
    readHeaderTimeoutMs: 3000,
    idleTimeoutMs: 60_000,
    tlsMinVersion: 'TLSv1.3',
    jsonLimits: { maxDepth: 20, maxStringValueLength: 1000, maxObjectEntryCount: 10_000, maxArrayElementCount: 50 },
  });
  const old = await t.throwsAsync(parseConfig('listener "tcp" {\n  tls_disable = true\n  tls_min_version = "tls11"\n}\nstorage "inmem" {}\n', 'hcl', 'old.hcl'));
  t.regex(old?.message ?? '', /listener\.tcp\[0\]\.tls_min_version: expected tls12 or tls13 \(TLS 1\.0 and 1\.1 are not supported\)/);
});

test('the environment overrides api_addr, cluster_addr and log_level; empty means unset', async (t) => {
  const text = 'listener "tcp" {\n  tls_disable = true\n}\nstorage "inmem" {}\napi_addr = "http://file:8200"\nlog_level = "debug"\n';
  const { config } = await parseConfig(text, 'hcl', 'env.hcl', {
    VAULT_API_ADDR: 'https://env:8200',
    VAULT_CLUSTER_ADDR: 'https://env:8201',
    VAULT_LOG_LEVEL: 'ERR',
  });
  t.is(config.apiAddr, 'https://env:8200');
  t.is(config.clusterAddr, 'https://env:8201');
  t.is(config.logLevel, 'error');

  const unset = await parseConfig(text, 'hcl', 'env.hcl', { VAULT_API_ADDR: '', VAULT_LOG_LEVEL: '' });
  t.is(unset.config.apiAddr, 'http://file:8200');
  t.is(unset.config.logLevel, 'debug');
});

test('the result is deeply frozen', async (t) => {
  const loaded = await parseConfig(
    'listener "tcp" {\n  tls_disable = true\n}\nstorage "etcd" {}\n',
    'hcl',
    'frozen.hcl',
  );
  const storage = loaded.config.storage;
  t.true(Object.isFrozen(loaded));
  t.true(Object.isFrozen(loaded.config));
  t.true(Object.isFrozen(loaded.config.listeners));
  t.true(Object.isFrozen(loaded.config.listeners[0]));
  t.true(storage.type === 'etcd' && Object.isFrozen(storage.endpoints));
  t.true(Object.isFrozen(loaded.warnings));
});

test('disable_cache turns the storage cache off, as in Vault; it is on by default', async (t) => {
  const { config } = await parseConfig('listener "tcp" {\n  tls_disable = true\n}\nstorage "inmem" {}\ndisable_cache = "true"\n', 'hcl', 'no-cache.hcl');
  t.deepEqual(config, expected({ disableCache: true }));
  const { config: json } = await parseConfig(JSON.stringify({ listener: { tcp: { tls_disable: true } }, storage: { inmem: {} }, disable_cache: false }), 'json', 'cache.json');
  t.is(json.disableCache, undefined);
});
