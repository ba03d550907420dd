import test from 'ava';
import type { ExecutionContext } from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import { startEtcd } from '../../helpers/etcd.ts';
import type { ServerProcess } from '../../helpers/server-process.ts';
import { startServerProcess, startUnsealedServer, tempDir, writeServerConfig } from '../../helpers/server-process.ts';
import { callApi } from '../helpers/api-server.ts';
import { fuzzRuns } from '../helpers/soak.ts';

const WRITERS = 6;
const POLLS = 150;
const POLL_MS = 200;

interface Acknowledged {
  /** KV v2 key -> the value the server acknowledged. */
  readonly secrets: Map<string, string>;
  /** Tokens whose creation was acknowledged. */
  readonly tokens: string[];
}

const valueOf = (key: string) => `value-of-${key}-${'x'.repeat(200)}`;

/**
 * Writers keep KV v2 writes (a version and its metadata in one transaction) and token creations
 * (a token and its accessor) in flight until the server dies under them.
 */
async function loadUntilKilled(server: ServerProcess, rootToken: string, round: number, acknowledged: Acknowledged): Promise<void> {
  let stop = false;
  const writer = async (id: number) => {
    for (let i = 0; !stop; i++) {
      const key = `r${round}-w${id}-${i}`;
      try {
        if (i % 4 === 3) {
          const created = await callApi(server, 'POST', 'auth/token/create', { ttl: '24h', meta: { key } }, rootToken);
          if (created.status === 200) acknowledged.tokens.push(created.json['auth'].client_token);
        } else {
          const written = await callApi(server, 'PUT', `kv/data/${key}`, { data: { value: valueOf(key) } }, rootToken);
          if (written.status === 200) acknowledged.secrets.set(key, valueOf(key));
        }
      } catch {
        return; // the connection died with the server
      }
    }
  };
  const writers = Array.from({ length: WRITERS }, (_, id) => writer(id));
  // Kill once a random number of writes were acknowledged, so the kill lands at random points.
  const target = acknowledged.secrets.size + 20 + Math.floor(Math.random() * 60);
  for (let i = 0; i < POLLS * 5 && acknowledged.secrets.size < target; i++) await delay(10);
  await server.stop({ kill: true });
  stop = true;
  await Promise.all(writers);
}

async function restartAndUnseal(config: string, keys: readonly string[]): Promise<ServerProcess> {
  const server = await startServerProcess(['-config', config]);
  for (const key of keys) await callApi(server, 'PUT', 'sys/unseal', { key }, '');
  return server;
}

/** Polls until the node serves requests (an HA node waits out the dead node's lock first). */
async function active(server: ServerProcess, rootToken: string): Promise<void> {
  for (let i = 0; i < POLLS; i++) {
    if ((await callApi(server, 'GET', 'sys/mounts', undefined, rootToken)).status === 200) return;
    await delay(POLL_MS);
  }
  throw new Error(`the restarted server did not become active:\n${server.output()}`);
}

async function verify(t: ExecutionContext, server: ServerProcess, rootToken: string, acknowledged: Acknowledged): Promise<void> {
  for (const [key, value] of acknowledged.secrets) {
    const read = await callApi(server, 'GET', `kv/data/${key}`, undefined, rootToken);
    t.is(read.json['data']?.data?.value, value, `acknowledged ${key}`);
  }
  for (const token of acknowledged.tokens) {
    t.is((await callApi(server, 'GET', 'auth/token/lookup-self', undefined, token)).status, 200, 'an acknowledged token works');
  }
  // Writes in flight at the kill may or may not exist, but whatever exists must be whole.
  const listed = await callApi(server, 'LIST', 'kv/metadata', undefined, rootToken);
  for (const key of (listed.json['data']?.keys ?? []) as string[]) {
    const read = await callApi(server, 'GET', `kv/data/${key}`, undefined, rootToken);
    t.true(read.status === 200 && read.json['data'].data.value === valueOf(key), `no torn entry at ${key}: ${read.status}`);
  }
  const accessors = await callApi(server, 'LIST', 'auth/token/accessors', undefined, rootToken);
  for (const accessor of (accessors.json['data']?.keys ?? []) as string[]) {
    const lookup = await callApi(server, 'POST', 'auth/token/lookup-accessor', { accessor }, rootToken);
    t.is(lookup.status, 200, 'every stored accessor leads to its token');
  }
}

async function crashRounds(t: ExecutionContext, storageBlock: string): Promise<void> {
  t.timeout(10 * 60_000);
  const dir = await tempDir();
  t.teardown(dir.remove);
  const config = await writeServerConfig(dir.path, storageBlock);
  const first = await startUnsealedServer(['-config', config]);
  const { rootToken, unsealKeys } = first;
  let server = first.server;
  t.teardown(() => server.stop({ kill: true }));
  await active(server, rootToken);
  t.is((await callApi(server, 'POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } }, rootToken)).status, 204);
  const acknowledged: Acknowledged = { secrets: new Map(), tokens: [] };
  for (let round = 0; round < fuzzRuns(2); round++) {
    await loadUntilKilled(server, rootToken, round, acknowledged);
    server = await restartAndUnseal(config, unsealKeys);
    await active(server, rootToken);
    await verify(t, server, rootToken, acknowledged);
  }
  t.true(acknowledged.secrets.size > 0 && acknowledged.tokens.length > 0, 'the load did write');
}

test('kill -9 of the server under write load on file storage: every acknowledged write survives, nothing is torn', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  await crashRounds(t, `storage "file" {\n  path = "${dir.path}/data"\n}`);
});

test('kill -9 of the server under write load on etcd with HA: every acknowledged write survives, nothing is torn', async (t) => {
  const etcd = await startEtcd();
  t.teardown(etcd.stop);
  await crashRounds(t, `storage "etcd" {\n  address = "${etcd.endpoint}"\n  path = "/crash/"\n  ha_enabled = "true"\n  lock_timeout = "2s"\n}`);
});
