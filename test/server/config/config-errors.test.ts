import test, { type ExecutionContext } from 'ava';
import { SealboxError } from '../../../src/lib/errors.ts';
import type { ConfigEnv } from '../../../src/server/config/env-overrides.ts';
import { parseConfig } from '../../../src/server/config/load-config.ts';
import type { ConfigFormat } from '../../../src/server/config/parse-document.ts';

/** The problem lines of the config_invalid error that parsing must throw. */
async function problems(
  t: ExecutionContext,
  text: string,
  format: ConfigFormat = 'hcl',
  env: ConfigEnv = {},
): Promise<string[]> {
  const sourceName = `bad.${format}`;
  const error = await t.throwsAsync(parseConfig(text, format, sourceName, env), { instanceOf: SealboxError });
  t.is(error?.code, 'config_invalid');
  const [header = '', ...lines] = (error?.message ?? '').split('\n');
  t.is(header, `invalid configuration in ${sourceName}:`);
  return lines.map((line) => line.trim());
}

const LISTENER = 'listener "tcp" {\n  tls_disable = true\n}\n';

test('every problem is reported at once, each with its path', async (t) => {
  const lines = await problems(
    t,
    `
listener "tcp" {
  address              = "localhost"
  tls_disable          = "maybe"
  max_request_duration = "soon"
}
listener "tcp" {
  max_request_size = "lots"
}
storage "etcd" {
  address         = "etcd:2379"
  request_timeout = "5x"
  lock_timeout    = "500ms"
  ha_enabled      = "yes"
  tls_cert_file   = "client.pem"
}
api_addr  = "sealbox:8200"
log_level = "chatty"
telemetry {
  metrics_address = "9102"
}
`,
  );
  t.deepEqual(lines, [
    'listener.tcp[0].address: expected host:port, got "localhost"',
    'listener.tcp[0].tls_disable: expected true or false, got "maybe"',
    'listener.tcp[0].max_request_duration: invalid duration "soon"',
    'listener.tcp[1].max_request_size: expected a whole number of bytes, got "lots"',
    'listener.tcp[1].tls_cert_file: required unless tls_disable is true',
    'listener.tcp[1].tls_key_file: required unless tls_disable is true',
    'storage.etcd.address: invalid endpoint "etcd:2379"; expected an http(s) URL',
    'storage.etcd.ha_enabled: expected true or false, got "yes"',
    'storage.etcd.request_timeout: invalid duration "5x"',
    'storage.etcd.lock_timeout: must be at least 1s',
    'storage.etcd.tls_key_file: required when tls_cert_file is set',
    'api_addr: expected an http(s) URL, got "sealbox:8200"',
    'log_level: invalid log level "chatty"; expected trace, debug, info, warn or error',
    'telemetry.metrics_address: expected host:port, got "9102"',
  ]);
});

test('TLS files are required unless tls_disable', async (t) => {
  t.deepEqual(await problems(t, 'listener "tcp" {\n  tls_cert_file = "a.pem"\n}\nstorage "inmem" {}\n'), [
    'listener.tcp[0].tls_key_file: required unless tls_disable is true',
  ]);
});

test('an HCL syntax error names file, line and column', async (t) => {
  const lines = await problems(t, `${LISTENER}storage "file" {\n  path = \n}\n`);
  t.is(lines.length, 1);
  t.regex(lines[0] ?? '', /^bad\.hcl:5,10: Invalid expression; /);
});

test('a JSON syntax error names file, line and column', async (t) => {
  t.deepEqual(await problems(t, '{\n  "ui": true,\n}', 'json'), [
    'bad.json:3,1: Expected double-quoted property name',
  ]);
});

test('storage: none, two, two of a kind, both names, an unknown type, a missing path', async (t) => {
  t.deepEqual(await problems(t, LISTENER), ['storage: a storage block is required (inmem, file or etcd)']);
  t.deepEqual(await problems(t, `${LISTENER}storage "inmem" {}\nstorage "etcd" {}\n`), [
    'storage: only one storage block is allowed, found inmem, etcd',
  ]);
  t.deepEqual(await problems(t, `${LISTENER}storage "inmem" {}\nstorage "inmem" {}\n`), [
    'storage.inmem: only one storage block is allowed',
  ]);
  t.deepEqual(await problems(t, `${LISTENER}storage "inmem" {}\nbackend "inmem" {}\n`), [
    'backend: backend is the older name of storage; use one of them',
  ]);
  t.deepEqual(await problems(t, `${LISTENER}storage "consul" {}\n`), [
    'storage.consul: unsupported storage type "consul"; supported: inmem, file, etcd',
  ]);
  t.deepEqual(await problems(t, `${LISTENER}storage "file" {}\n`), ['storage.file.path: required']);
  t.deepEqual(await problems(t, '{"listener": {"tcp": {"tls_disable": true}}, "storage": {}}', 'json'), [
    'storage: expected a storage type: inmem, file, etcd',
  ]);
});

test('listeners: at least one, tcp only', async (t) => {
  t.deepEqual(await problems(t, 'storage "inmem" {}\n'), ['listener: at least one listener block is required']);
  t.deepEqual(await problems(t, '{"listener": [], "storage": {"inmem": {}}}', 'json'), [
    'listener: at least one listener block is required',
  ]);
  t.deepEqual(await problems(t, `${LISTENER}listener "unix" {}\nstorage "inmem" {}\n`), [
    'listener.unix: unsupported listener type "unix"; supported: tcp',
  ]);
});

test('problems in the environment are reported under the variable name', async (t) => {
  const lines = await problems(t, `${LISTENER}storage "inmem" {}\n`, 'hcl', {
    VAULT_API_ADDR: 'nowhere',
    VAULT_LOG_LEVEL: 'shout',
  });
  t.deepEqual(lines, [
    'VAULT_API_ADDR: expected an http(s) URL, got "nowhere"',
    'VAULT_LOG_LEVEL: invalid log level "shout"; expected trace, debug, info, warn or error',
  ]);
});

test('ignored keys are listed with the problems, since a misspelt key often is the problem', async (t) => {
  t.deepEqual(await problems(t, `${LISTENER}storag "inmem" {}\n`), [
    'storage: a storage block is required (inmem, file or etcd)',
    'storag: not a Sealbox setting; ignored',
  ]);
});

test('the etcd password never appears in an error', async (t) => {
  const password = 'hunter2-do-not-print';
  const cases: ReadonlyArray<readonly [string, ConfigFormat]> = [
    // A field problem in the same block, and a password of the wrong type.
    [`${LISTENER}storage "etcd" {\n  password = "${password}"\n  request_timeout = "x"\n}\n`, 'hcl'],
    [`{"storage": {"etcd": {"password": ["${password}"]}}}`, 'json'],
    // Syntax errors right at the password: V8 would quote the source around them.
    [`{"storage": {"etcd": {"password": ${password}}}}`, 'json'],
    [`{"storage": {"etcd": {"password": "${password}" "x"}}}`, 'json'],
    [`${LISTENER}storage "etcd" {\n  password = "${password}\n}\n`, 'hcl'],
    [`${LISTENER}storage "etcd" {\n  password = "${password}" "x"\n}\n`, 'hcl'],
    [`${LISTENER}storage "etcd" {\n  password = "\\q${password}"\n}\n`, 'hcl'],
  ];
  for (const [text, format] of cases) {
    const lines = await problems(t, text, format);
    t.true(lines.length > 0);
    t.false(lines.join('\n').includes('hunter2'), lines.join('\n'));
  }
});

test('a document that is not an object', async (t) => {
  t.deepEqual(await problems(t, '["listener"]', 'json'), ['Invalid input: expected object, received array']);
});
