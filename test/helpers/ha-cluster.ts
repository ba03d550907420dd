import { setTimeout as sleep } from 'node:timers/promises';
import { startEtcd } from './etcd.ts';
import type { RunningEtcd } from './etcd.ts';
import type { ServerProcess, TempDir } from './server-process.ts';
import { startServerProcess, tempDir, writeServerConfig } from './server-process.ts';

const POLL_MS = 200;
const POLLS = 150;

export interface ApiAnswer {
  readonly status: number;
  readonly json: Record<string, unknown> | undefined;
  readonly headers: Headers;
}

/** One API call that neither follows redirects nor throws on an error status. */
export async function callNode(server: ServerProcess, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> {
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
export async function activeNode(nodes: readonly ServerProcess[]): Promise<ServerProcess> {
  for (let i = 0; i < POLLS; i++) {
    const leaders = await Promise.all(nodes.map((node) => callNode(node, 'GET', 'sys/leader').catch(() => undefined)));
    const active = nodes.filter((_, index) => leaders[index]?.json?.['is_self'] === true);
    if (active.length === 1) return active[0]!;
    await sleep(POLL_MS);
  }
  throw new Error('no single active node appeared');
}

export interface HaCluster {
  readonly etcd: RunningEtcd;
  readonly nodes: ServerProcess[];
  readonly keys: readonly string[];
  readonly rootToken: string;
  stop(): Promise<void>;
}

/** `size` server processes on one etcd with HA on, initialized (3 shares, threshold 2) and unsealed. */
export async function startHaCluster(size: number): Promise<HaCluster> {
  const etcd = await startEtcd();
  const dir: TempDir = await tempDir();
  const nodes: ServerProcess[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop({ kill: true })));
    await etcd.stop();
    await dir.remove();
  };
  try {
    const storage = `storage "etcd" {\n  address = "${etcd.endpoint}"\n  path = "/ha/"\n  ha_enabled = "true"\n  lock_timeout = "2s"\n}`;
    const config = await writeServerConfig(dir.path, storage);
    for (let i = 0; i < size; i++) nodes.push(await startServerProcess(['-config', config]));
    const init = await callNode(nodes[0]!, 'PUT', 'sys/init', { secret_shares: 3, secret_threshold: 2 });
    const keys = init.json!['keys'] as string[];
    for (const node of nodes) for (const key of keys.slice(0, 2)) await callNode(node, 'PUT', 'sys/unseal', { key });
    await activeNode(nodes);
    return { etcd, nodes, keys, rootToken: init.json!['root_token'] as string, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
