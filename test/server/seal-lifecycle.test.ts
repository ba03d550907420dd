import test from 'ava';
import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { startEtcd } from '../helpers/etcd.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import { startServerProcess, tempDir, writeServerConfig } from '../helpers/server-process.ts';
import { dumpEtcd, dumpFiles } from '../helpers/storage-dump.ts';

interface StorageUnderTest {
  readonly block: string;
  /** Every stored byte, for the plaintext scan. */
  dump(): Promise<Buffer>;
  cleanup(): Promise<void>;
}

const CANARY_CLUSTER = `plaintext-canary-${randomBytes(6).toString('hex')}`;

async function fileStorage(): Promise<StorageUnderTest> {
  const dir = await tempDir();
  const dataDir = `${dir.path}/data`;
  return { block: `storage "file" {\n  path = "${dataDir}"\n}`, dump: () => dumpFiles(dataDir), cleanup: dir.remove };
}

async function etcdStorage(): Promise<StorageUnderTest> {
  const etcd = await startEtcd();
  const prefix = '/sealbox-test/';
  return {
    block: `storage "etcd" {\n  address = "${etcd.endpoint}"\n  path = "${prefix}"\n}`,
    dump: () => dumpEtcd(etcd.endpoint, prefix),
    cleanup: etcd.stop,
  };
}

async function call(server: ServerProcess, method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers['X-Vault-Token'] = token;
  const response = await fetch(`${server.url}/v1/${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
  };
}

async function lifecycle(t: ExecutionContext, makeStorage: () => Promise<StorageUnderTest>) {
  const storage = await makeStorage();
  const dir = await tempDir();
  t.teardown(async () => {
    await storage.cleanup();
    await dir.remove();
  });
  const config = await writeServerConfig(dir.path, storage.block, `cluster_name = "${CANARY_CLUSTER}"`);
  let server = await startServerProcess(['-config', config]);
  t.teardown(() => server.stop({ kill: true }));

  t.deepEqual((await call(server, 'GET', 'sys/init')).json, { initialized: false });
  t.is((await call(server, 'GET', 'sys/health')).status, 501);
  t.is((await call(server, 'PUT', 'sys/unseal', { key: 'aa'.repeat(33) })).status, 400);

  const init = await call(server, 'PUT', 'sys/init', { secret_shares: 5, secret_threshold: 3 });
  t.is(init.status, 200);
  t.is(init.headers.get('content-type'), 'application/json');
  t.is(init.headers.get('cache-control'), 'no-store');
  const keys = init.json!['keys'] as string[];
  const keysBase64 = init.json!['keys_base64'] as string[];
  const rootToken = init.json!['root_token'] as string;
  t.is(keys.length, 5);
  for (const key of keys) t.regex(key, /^[0-9a-f]{66}$/);
  t.deepEqual(keysBase64, keys.map((key) => Buffer.from(key, 'hex').toString('base64')));
  t.regex(rootToken, /^hvs\.[0-9A-Za-z]{24}$/);

  const again = await call(server, 'PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
  t.deepEqual(again, { ...again, status: 400, json: { errors: ['Vault is already initialized'] } });

  let status = (await call(server, 'GET', 'sys/seal-status')).json!;
  t.like(status, { type: 'shamir', initialized: true, sealed: true, t: 3, n: 5, progress: 0, nonce: '' });
  t.is((await call(server, 'GET', 'sys/health')).status, 503);
  t.is((await call(server, 'GET', 'secret/foo', undefined, rootToken)).status, 503);

  status = (await call(server, 'PUT', 'sys/unseal', { key: keys[0] })).json!;
  t.like(status, { sealed: true, progress: 1 });
  t.not(status['nonce'], '');
  status = (await call(server, 'PUT', 'sys/unseal', { Key: keysBase64[0] })).json!;
  t.like(status, { sealed: true, progress: 1 }, 'a duplicate share, even in base64, is ignored');
  status = (await call(server, 'PUT', 'sys/unseal', { reset: true })).json!;
  t.like(status, { sealed: true, progress: 0, nonce: '' });
  await call(server, 'PUT', 'sys/unseal', { key: keys[0] });
  await call(server, 'PUT', 'sys/unseal', { key: keys[1] });
  status = (await call(server, 'PUT', 'sys/unseal', { key: keys[2] })).json!;
  t.like(status, { sealed: false, progress: 0, t: 3, n: 5, cluster_name: CANARY_CLUSTER });
  t.like((await call(server, 'PUT', 'sys/unseal', { key: keys[3] })).json!, { sealed: false });
  t.is((await call(server, 'GET', 'sys/health')).status, 200);
  t.like((await call(server, 'GET', 'sys/leader')).json!, { ha_enabled: false, active_time: '0001-01-01T00:00:00Z' });

  const dump = await storage.dump();
  for (const secret of [rootToken, CANARY_CLUSTER, ...keys, ...keysBase64]) {
    t.false(dump.includes(secret), 'no root token, share or barrier-protected value is stored in plaintext');
  }

  await server.stop();
  server = await startServerProcess(['-config', config]);
  t.like((await call(server, 'GET', 'sys/seal-status')).json!, { initialized: true, sealed: true, progress: 0 });
  for (const key of keysBase64.slice(2)) await call(server, 'PUT', 'sys/unseal', { key });
  t.like((await call(server, 'GET', 'sys/seal-status')).json!, { sealed: false });

  t.is((await call(server, 'PUT', 'sys/seal')).status, 403);
  t.is((await call(server, 'PUT', 'sys/seal', undefined, 'hvs.notarealtokennotarealtoke')).status, 403);
  t.is((await call(server, 'PUT', 'sys/seal', undefined, rootToken)).status, 204);
  t.like((await call(server, 'GET', 'sys/seal-status')).json!, { sealed: true });
  t.is((await call(server, 'PUT', 'sys/seal', undefined, rootToken)).status, 204, 'sealing a sealed node is a no-op');

  // Random values at distinct x-coordinates (the last byte): they combine, to a key that opens
  // nothing (500). Shares that collide on x do not combine at all, a 400 as in Vault.
  const wrong = [1, 2, 3].map((x) => Buffer.concat([randomBytes(32), Buffer.of(x)]).toString('hex'));
  let response = await call(server, 'PUT', 'sys/unseal', { key: wrong[0] });
  await call(server, 'PUT', 'sys/unseal', { key: wrong[1] });
  response = await call(server, 'PUT', 'sys/unseal', { key: wrong[2] });
  t.is(response.status, 500);
  t.regex((response.json!['errors'] as string[])[0]!, /unable to retrieve stored keys/);
  t.like((await call(server, 'GET', 'sys/seal-status')).json!, { sealed: true, progress: 0 });

  for (const key of keys.slice(1, 4)) await call(server, 'PUT', 'sys/unseal', { key });
  t.like((await call(server, 'GET', 'sys/seal-status')).json!, { sealed: false }, 'the right shares still unseal');
}

test('init, unseal, restart and seal on file storage', lifecycle, fileStorage);
test('init, unseal, restart and seal on etcd storage', lifecycle, etcdStorage);
