import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { EtcdBackend } from '../../../src/server/storage/etcd/etcd-backend.ts';
import { FileBackend } from '../../../src/server/storage/file/file-backend.ts';
import { MIGRATION_LOCK_KEY, readMigrationLock } from '../../../src/server/storage/migrate-lock.ts';
import { migrateStorage } from '../../../src/server/storage/migrate.ts';
import { runCli } from '../../cli/run-cli.ts';
import { etcdStorageConfig, uniquePrefix, useEtcd } from '../../helpers/etcd.ts';
import { dumpEtcd } from '../../helpers/storage-dump.ts';
import { startServerProcess, tempDir, writeServerConfig } from '../../helpers/server-process.ts';
import type { TempDir } from '../../helpers/server-process.ts';
import { allKeys } from './all-keys.ts';

const etcd = useEtcd(test);

const SECRETS = {
  app: { password: 'correct horse battery staple', user: 'app' },
  db: { dsn: 'postgres://db:5432/prod', rotated: 'yes' },
};

interface Seeded {
  readonly keys: readonly string[];
  readonly rootToken: string;
}

function fileBlock(path: string): string {
  return `storage "file" {\n  path = "${path}"\n}`;
}

function etcdBlock(prefix: string, label = 'storage'): string {
  return `${label} "etcd" {\n  address = "${etcd().endpoint}"\n  path = "${prefix}"\n}`;
}

async function scratch(t: ExecutionContext): Promise<TempDir> {
  const dir = await tempDir('sealbox-migrate-e2e-');
  t.teardown(() => dir.remove());
  return dir;
}

async function api(url: string, method: string, body?: unknown, token?: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method,
    headers: token === undefined ? {} : { 'X-Vault-Token': token },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/** A real server on `storageBlock`: initialized (3 shares, threshold 2), unsealed, with KV v2 secrets; then stopped. */
async function seedServer(dir: string, storageBlock: string): Promise<Seeded> {
  const server = await startServerProcess(['-config', await writeServerConfig(dir, storageBlock)]);
  try {
    const init = await api(`${server.url}/v1/sys/init`, 'PUT', { secret_shares: 3, secret_threshold: 2 });
    const keys = init['keys'] as string[];
    const rootToken = init['root_token'] as string;
    for (const key of keys.slice(0, 2)) await api(`${server.url}/v1/sys/unseal`, 'PUT', { key });
    await api(`${server.url}/v1/sys/mounts/secret`, 'POST', { type: 'kv', options: { version: '2' } }, rootToken);
    for (const [name, data] of Object.entries(SECRETS)) {
      await api(`${server.url}/v1/secret/data/${name}`, 'PUT', { data }, rootToken);
    }
    return { keys, rootToken };
  } finally {
    await server.stop();
  }
}

/** Starts a server on `storageBlock`, unseals it with shares other than the ones used before, reads the secrets. */
async function assertServesSecrets(t: ExecutionContext, dir: string, storageBlock: string, seeded: Seeded): Promise<void> {
  const server = await startServerProcess(['-config', await writeServerConfig(dir, storageBlock)]);
  try {
    const status = await api(`${server.url}/v1/sys/seal-status`, 'GET');
    t.like(status, { initialized: true, sealed: true, t: 2, n: 3 });
    for (const key of seeded.keys.slice(1)) await api(`${server.url}/v1/sys/unseal`, 'PUT', { key });
    t.like(await api(`${server.url}/v1/sys/seal-status`, 'GET'), { sealed: false });
    for (const [name, data] of Object.entries(SECRETS)) {
      const read = await api(`${server.url}/v1/secret/data/${name}`, 'GET', undefined, seeded.rootToken);
      t.deepEqual((read['data'] as { data: unknown }).data, data);
    }
  } finally {
    await server.stop();
  }
}

async function writeMigrateConfig(dir: string, source: string, destination: string): Promise<string> {
  const path = join(dir, 'migrate.hcl');
  await writeFile(path, `${source}\n${destination}\n`);
  return path;
}

function asSource(block: string): string {
  return block.replace(/^storage /, 'storage_source ');
}

function asDestination(block: string): string {
  return block.replace(/^storage /, 'storage_destination ');
}

test('file -> etcd: the destination unseals with the same shares and serves the same secrets', async (t) => {
  const dir = await scratch(t);
  const source = fileBlock(join(dir.path, 'data'));
  const destination = etcdBlock(uniquePrefix());
  const seeded = await seedServer(dir.path, source);

  const config = await writeMigrateConfig(dir.path, asSource(source), asDestination(destination));
  const migrated = await runCli(['operator', 'migrate', '-config', config]);
  t.is(migrated.code, 0, migrated.stderr);
  t.regex(migrated.stdout, /^Success! All of the keys have been migrated: \d+ keys copied from file to etcd\.\n$/);
  t.regex(migrated.stderr, /^copying \d+ keys\n/m, 'without a terminal, progress is plain lines');

  const sourceBackend = await FileBackend.open(join(dir.path, 'data'));
  t.is(await readMigrationLock(sourceBackend), undefined, 'the source is left without the migration lock');
  const count = Number(/(\d+) keys copied/.exec(migrated.stdout)?.[1]);
  t.is((await allKeys(sourceBackend)).length, count);
  await sourceBackend.close();

  await assertServesSecrets(t, dir.path, destination, seeded);
  // The source still works too: a migration copies, it does not move.
  await assertServesSecrets(t, dir.path, source, seeded);
});

test('etcd -> file: the destination unseals with the same shares and serves the same secrets', async (t) => {
  const dir = await scratch(t);
  const source = etcdBlock(uniquePrefix());
  const destination = fileBlock(join(dir.path, 'migrated'));
  const seeded = await seedServer(dir.path, source);

  const config = await writeMigrateConfig(dir.path, asSource(source), asDestination(destination));
  const migrated = await runCli(['operator', 'migrate', '-config', config, '-max-parallel', '3']);
  t.is(migrated.code, 0, migrated.stderr);
  t.regex(migrated.stdout, /keys copied from etcd to file\./);
  await assertServesSecrets(t, dir.path, destination, seeded);
});

test('onto a storage that is not empty: a clear error, and nothing changes', async (t) => {
  const dir = await scratch(t);
  const prefix = uniquePrefix();
  const source = fileBlock(join(dir.path, 'data'));
  const destination = etcdBlock(prefix);
  await seedServer(dir.path, source);
  // The destination already belongs to another cluster.
  const other = await seedServer(dir.path, destination);
  const before = await dumpEtcd(etcd().endpoint, prefix);

  const config = await writeMigrateConfig(dir.path, asSource(source), asDestination(destination));
  const refused = await runCli(['operator', 'migrate', '-config', config]);
  t.is(refused.code, 2);
  t.regex(
    refused.stderr,
    /^Error migrating: the destination storage is not empty \(it holds core\/, .*\); migrate into empty storage, or pass -start KEY to resume an interrupted migration\n$/,
  );
  t.is(refused.stdout, '');
  t.deepEqual(await dumpEtcd(etcd().endpoint, prefix), before);
  const sourceBackend = await FileBackend.open(join(dir.path, 'data'));
  t.is(await readMigrationLock(sourceBackend), undefined);
  await sourceBackend.close();
  t.is(other.keys.length, 3);
});

test('an interrupted migration is finished with -start, and the destination then serves the secrets', async (t) => {
  const dir = await scratch(t);
  const source = fileBlock(join(dir.path, 'data'));
  const prefix = uniquePrefix();
  const destination = etcdBlock(prefix);
  const seeded = await seedServer(dir.path, source);

  // The first run stops part way (as on Ctrl-C); it reports the key to resume from.
  const from = await FileBackend.open(join(dir.path, 'data'));
  const to = await EtcdBackend.create(etcdStorageConfig(etcd().endpoint, { prefix }));
  const stop = new AbortController();
  const first = await migrateStorage({
    source: from,
    destination: to,
    maxParallel: 1,
    signal: stop.signal,
    onCopied: ({ copied }) => void (copied === 5 && stop.abort()),
  });
  await Promise.all([from.close(), to.close()]);
  t.is(first.copied, 5);
  t.true(first.resumeFrom !== undefined);

  const config = await writeMigrateConfig(dir.path, asSource(source), asDestination(destination));
  const refused = await runCli(['operator', 'migrate', '-config', config]);
  t.is(refused.code, 2, 'without -start the partly filled destination is refused');
  const resumed = await runCli(['operator', 'migrate', '-config', config, '-start', first.resumeFrom!]);
  t.is(resumed.code, 0, resumed.stderr);
  t.regex(resumed.stdout, new RegExp(`: ${first.total - 5} keys copied from file to etcd\\.`));
  await assertServesSecrets(t, dir.path, destination, seeded);
});

test('refuses while an HA server is active on the source; runs once it has stopped', async (t) => {
  const dir = await scratch(t);
  const source = `storage "etcd" {\n  address = "${etcd().endpoint}"\n  path = "${uniquePrefix()}"\n  ha_enabled = "true"\n}`;
  const destination = fileBlock(join(dir.path, 'copy'));
  const server = await startServerProcess(['-config', await writeServerConfig(dir.path, source)]);
  t.teardown(() => server.stop());
  const init = await api(`${server.url}/v1/sys/init`, 'PUT', { secret_shares: 1, secret_threshold: 1 });
  await api(`${server.url}/v1/sys/unseal`, 'PUT', { key: (init['keys'] as string[])[0] });
  // Active once it holds the HA lock.
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await api(`${server.url}/v1/sys/leader`, 'GET'))['is_self'] === true) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.like(await api(`${server.url}/v1/sys/leader`, 'GET'), { ha_enabled: true, is_self: true });

  const config = await writeMigrateConfig(dir.path, asSource(source), asDestination(destination));
  const refused = await runCli(['operator', 'migrate', '-config', config]);
  t.is(refused.code, 2);
  t.is(refused.stderr, 'Error migrating: a server holds the HA lock of the source storage; stop every server that uses it before migrating\n');

  await server.stop();
  const migrated = await runCli(['operator', 'migrate', '-config', config]);
  t.is(migrated.code, 0, migrated.stderr);
  const copy = await FileBackend.open(join(dir.path, 'copy'));
  t.true((await allKeys(copy)).includes('core/seal-config'));
  await copy.close();
});

test('a server refuses to start while its storage is being migrated; -reset clears a stale lock', async (t) => {
  const dir = await scratch(t);
  const storage = fileBlock(join(dir.path, 'data'));
  await seedServer(dir.path, storage);
  const backend = await FileBackend.open(join(dir.path, 'data'));
  await backend.put(MIGRATION_LOCK_KEY, Buffer.from('{"start":"2025-01-02T03:04:05Z"}'));
  await backend.close();

  const config = await writeServerConfig(dir.path, storage);
  const error = await t.throwsAsync(startServerProcess(['-config', config]));
  t.regex(error?.message ?? '', /server exited with 1 before listening/);
  t.regex(error?.message ?? '', /storage migration in progress \(started: 2025-01-02T03:04:05Z\)/);
  t.regex(error?.message ?? '', /sealbox operator migrate -reset/);

  // A second migration of the same source is refused while the lock is there.
  const migrateConfig = await writeMigrateConfig(dir.path, asSource(storage), asDestination(fileBlock(join(dir.path, 'copy'))));
  const busy = await runCli(['operator', 'migrate', '-config', migrateConfig]);
  t.is(busy.code, 2);
  t.is(busy.stderr, 'Error migrating: storage migration in progress (started: 2025-01-02T03:04:05Z)\n');

  const reset = await runCli(['operator', 'migrate', '-config', migrateConfig, '-reset']);
  t.is(reset.code, 0, reset.stderr);
  t.is(reset.stdout, 'Success! Migration lock reset (if it was set).\n');
  const server = await startServerProcess(['-config', config]);
  await server.stop();
});

test('migrate: usage and config mistakes exit 1', async (t) => {
  const noConfig = await runCli(['operator', 'migrate']);
  t.is(noConfig.code, 1);
  t.regex(noConfig.stderr, /^Must specify exactly one config path using -config\n/);
  const missing = await runCli(['operator', 'migrate', '-config', '/nonexistent/migrate.hcl']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /^Error loading configuration: cannot read configuration file \/nonexistent\/migrate\.hcl/);
  const parallel = await runCli(['operator', 'migrate', '-config', 'x.hcl', '-max-parallel', '0']);
  t.is(parallel.code, 1);
  t.regex(parallel.stderr, /^Argument to flag -max-parallel must be positive\n/);
});
