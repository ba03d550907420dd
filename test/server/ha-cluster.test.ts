import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEtcd } from '../helpers/etcd.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import { startServerProcess, tempDir, writeServerConfig } from '../helpers/server-process.ts';

const POLL_MS = 200;
const POLLS = 150;

interface Call {
  status: number;
  json: Record<string, unknown> | undefined;
  headers: Headers;
}

async function call(server: ServerProcess, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Call> {
  const response = await fetch(`${server.url}/v1/${path}`, {
    method,
    headers,
    redirect: 'manual',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}

/** Polls until exactly one of `nodes` says it is active; bounded. */
async function activeNode(nodes: readonly ServerProcess[]): Promise<ServerProcess> {
  for (let i = 0; i < POLLS; i++) {
    const leaders = await Promise.all(nodes.map((node) => call(node, 'GET', 'sys/leader').catch(() => undefined)));
    const active = nodes.filter((_, index) => leaders[index]?.json?.['is_self'] === true);
    if (active.length === 1) return active[0]!;
    await sleep(POLL_MS);
  }
  throw new Error('no single active node appeared');
}

test('three nodes on one etcd: standbys forward, the cluster survives kill -9 and step-down, a paused node cannot write', async (t) => {
  const etcd = await startEtcd();
  const dir = await tempDir();
  const nodes: ServerProcess[] = [];
  t.teardown(async () => {
    await Promise.all(nodes.map((node) => node.stop({ kill: true })));
    await etcd.stop();
    await dir.remove();
  });
  const storage = `storage "etcd" {\n  address = "${etcd.endpoint}"\n  path = "/ha/"\n  ha_enabled = "true"\n  lock_timeout = "2s"\n}`;
  const config = await writeServerConfig(dir.path, storage);
  for (let i = 0; i < 3; i++) nodes.push(await startServerProcess(['-config', config]));

  const init = await call(nodes[0]!, 'PUT', 'sys/init', { secret_shares: 3, secret_threshold: 2 });
  const keys = init.json!['keys'] as string[];
  const root = { 'X-Vault-Token': init.json!['root_token'] as string };
  for (const node of nodes) for (const key of keys.slice(0, 2)) await call(node, 'PUT', 'sys/unseal', { key });
  t.is((await call(nodes[0]!, 'GET', 'sys/leader')).json!['ha_enabled'], true);

  const first = await activeNode(nodes);
  const standbys = nodes.filter((node) => node !== first);
  t.is((await call(first, 'GET', 'sys/health')).status, 200);
  for (const standby of standbys) {
    t.is((await call(standby, 'GET', 'sys/health')).status, 429);
    t.is((await call(standby, 'GET', 'sys/health?standbyok=true')).status, 200);
    t.like((await call(standby, 'GET', 'sys/leader')).json, { is_self: false, leader_address: first.url });
  }

  t.is((await call(standbys[0]!, 'POST', 'sys/mounts/kv', { type: 'kv' }, root)).status, 204, 'a write to a standby is forwarded');
  const redirected = await call(standbys[1]!, 'GET', 'kv/anything', undefined, { ...root, 'X-Vault-No-Request-Forwarding': 'true' });
  t.is(redirected.status, 307);
  t.is(redirected.headers.get('location'), `${first.url}/v1/kv/anything`);
  t.is((await call(standbys[1]!, 'PUT', 'sys/seal', undefined, root)).status, 500, 'a standby refuses to seal');

  const acknowledged: string[] = [];
  for (let i = 0; i < 30; i++) {
    const written = await call(first, 'PUT', `kv/key-${i}`, { value: `v${i}` }, root);
    if (written.status === 204) acknowledged.push(`key-${i}`);
  }
  t.is(acknowledged.length, 30);
  await first.stop({ kill: true });

  const second = await activeNode(standbys);
  for (const key of acknowledged) {
    const read = await call(second, 'GET', `kv/${key}`, undefined, root);
    t.is(read.status, 200, key);
  }
  t.is((await call(second, 'PUT', 'kv/after-failover', { value: 'x' }, root)).status, 204);

  const remaining = standbys.filter((node) => node !== second);
  t.is((await call(second, 'PUT', 'sys/step-down', undefined, root)).status, 204);
  const third = await activeNode(remaining);
  t.not(third, second);

  // Pause the active node past its lease: the other takes over; the paused one, resumed, cannot write.
  third.child.kill('SIGSTOP');
  const fourth = await activeNode([second]);
  third.child.kill('SIGCONT');
  const stale = await call(third, 'PUT', 'kv/stale-write', { value: 'from the paused node' }, { ...root, 'X-Vault-No-Request-Forwarding': 'true' });
  t.true(stale.status === 307 || stale.status >= 500, `the resumed node answered ${stale.status}`);
  t.is((await call(fourth, 'GET', 'kv/stale-write', undefined, root)).status, 404);
  t.is((await call(fourth, 'PUT', 'kv/after-pause', { value: 'y' }, root)).status, 204);
});
