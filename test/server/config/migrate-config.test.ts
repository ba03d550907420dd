import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { isSealboxError } from '../../../src/lib/errors.ts';
import { loadMigrateConfigFile, parseMigrateConfig } from '../../../src/server/config/migrate-config.ts';
import { tempDir } from '../../helpers/server-process.ts';

test('reads Vault\'s migrator HCL: a source and a destination with the storage block settings', async (t) => {
  const { config, warnings } = await parseMigrateConfig(
    `storage_source "file" {
  path = "/var/lib/sealbox"
}

storage_destination "etcd" {
  address         = "https://etcd-a:2379,https://etcd-b:2379"
  path            = "sealbox"
  tls_ca_file     = "/etc/etcd/ca.pem"
  request_timeout = "10s"
}

cluster_addr = "https://127.0.0.1:8201"
`,
    'hcl',
    'migrate.hcl',
  );
  t.deepEqual(warnings, []);
  t.deepEqual(config.source, { type: 'file', path: '/var/lib/sealbox' });
  t.like(config.destination, {
    type: 'etcd',
    endpoints: ['https://etcd-a:2379', 'https://etcd-b:2379'],
    prefix: 'sealbox/',
    tlsCaFile: '/etc/etcd/ca.pem',
    requestTimeoutMs: 10_000,
  });
  t.true(Object.isFrozen(config.destination));
});

test('reads the JSON form, by extension, from a file', async (t) => {
  const dir = await tempDir();
  t.teardown(() => dir.remove());
  const path = join(dir.path, 'migrate.json');
  await writeFile(
    path,
    JSON.stringify({
      storage_source: { etcd: { address: 'http://127.0.0.1:2379', path: '/vault/' } },
      storage_destination: { file: { path: 'data' } },
    }),
  );
  const { config } = await loadMigrateConfigFile(path);
  t.like(config.source, { type: 'etcd', endpoints: ['http://127.0.0.1:2379'], prefix: '/vault/' });
  t.deepEqual(config.destination, { type: 'file', path: 'data' });
});

test('reports every problem with its path at once', async (t) => {
  const error = await t.throwsAsync(
    parseMigrateConfig(
      `storage_source "inmem" {}
storage_destination "consul" {
  address = "x"
}
`,
      'hcl',
      'migrate.hcl',
    ),
  );
  t.true(isSealboxError(error, 'config_invalid'));
  t.is(
    error?.message,
    [
      'invalid configuration in migrate.hcl:',
      '  storage_destination.consul: unsupported storage type "consul"; supported: inmem, file, etcd',
      '  storage_source: inmem storage lives and dies with one process; it cannot be migrated',
    ].join('\n'),
  );
});

test('both blocks are required; unknown keys are ignored with a warning', async (t) => {
  const missing = await t.throwsAsync(parseMigrateConfig('storage_source "file" {\n  path = "a"\n}\n', 'hcl', 'm.hcl'));
  t.regex(missing?.message ?? '', /^ {2}storage_destination: a storage_destination block is required \(file or etcd\)$/m);

  const { warnings } = await parseMigrateConfig(
    'storage_source "file" {\n  path = "a"\n  colour = "red"\n}\nstorage_destination "file" {\n  path = "b"\n}\nui = true\n',
    'hcl',
    'm.hcl',
  );
  t.deepEqual(warnings, ['storage_source.file.colour: not a Sealbox setting; ignored', 'ui: not a Sealbox setting; ignored']);
});

test('a file that cannot be read is a config error naming it', async (t) => {
  const error = await t.throwsAsync(loadMigrateConfigFile('/nonexistent/migrate.hcl'));
  t.true(isSealboxError(error, 'config_invalid'));
  t.regex(error?.message ?? '', /^cannot read configuration file \/nonexistent\/migrate\.hcl: ENOENT/);
});
