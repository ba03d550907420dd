import { setTimeout as sleep } from 'node:timers/promises';
import { startServerProcess } from '../test/helpers/server-process.ts';
import type { BenchNode } from './sealbox-node.ts';
import { api, startBenchNode } from './sealbox-node.ts';
import { spawnLoad } from './spawn-load.ts';

const POLLS = 2_000;
const MOUNT_WRITERS = 8;

/** Milliseconds from sending the last unseal share until a token-authenticated request succeeds, with `mounts` mounts and `tokens` tokens stored. */
export async function measureUnseal(dir: string, storageBlock: string, mounts: number, tokens: number, runs: number): Promise<number[]> {
  const node = await startBenchNode({ dir, name: 'unseal', storageBlock });
  try {
    await populate(node, mounts, tokens);
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      await api(node.url, 'PUT', 'sys/seal', node.rootToken);
      const start = performance.now();
      await api(node.url, 'PUT', 'sys/unseal', undefined, { key: node.unsealKey });
      await untilOk(() => fetch(`${node.url}/v1/auth/token/lookup-self`, { headers: { 'X-Vault-Token': node.rootToken } }));
      times.push(performance.now() - start);
    }
    return times;
  } finally {
    await node.server.stop();
  }
}

/** Milliseconds from spawning the process until sys/seal-status answers, on an initialized storage. */
export async function measureColdStart(node: BenchNode, runs: number): Promise<number[]> {
  await node.server.stop();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const server = await startServerProcess(['-config', node.configPath]);
    try {
      await untilOk(() => fetch(`${server.url}/v1/sys/seal-status`));
      times.push(performance.now() - start);
    } finally {
      await server.stop();
    }
  }
  return times;
}

/** Milliseconds per sys/rotate on a serving node. */
export async function measureRotate(node: BenchNode, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await api(node.url, 'PUT', 'sys/rotate', node.rootToken);
    times.push(performance.now() - start);
  }
  return times;
}

async function populate(node: BenchNode, mounts: number, tokens: number): Promise<void> {
  let next = 0;
  const writer = async () => {
    while (next < mounts) {
      const index = next++;
      await api(node.url, 'POST', `sys/mounts/m${index}`, node.rootToken, { type: 'kv' });
    }
  };
  await Promise.all(Array.from({ length: MOUNT_WRITERS }, writer));
  const created = await spawnLoad({
    kind: 'http',
    url: node.url,
    method: 'POST',
    path: '/v1/auth/token/create',
    headers: { 'X-Vault-Token': node.rootToken },
    body: JSON.stringify({ policies: ['bench'], ttl: '24h' }),
    connections: 32,
    warmupSeconds: 0,
    seconds: 0,
    amount: tokens,
    pids: {},
  });
  if (created.failures > 0) throw new Error(`${created.failures} of ${tokens} token creations failed`);
}

async function untilOk(call: () => Promise<Response>): Promise<void> {
  for (let poll = 0; poll < POLLS; poll++) {
    const response = await call().catch(() => undefined);
    await response?.body?.cancel();
    if (response?.ok === true) return;
    await sleep(1);
  }
  throw new Error('the server did not answer in time');
}

