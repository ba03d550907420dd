import test from 'ava';
import type { ExecutionContext } from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import { startUnsealedServer, tempDir, writeServerConfig } from '../../helpers/server-process.ts';
import { startEtcdCluster } from '../helpers/etcd-cluster.ts';
import type { ApiResult } from '../helpers/api-server.ts';
import { callApi } from '../helpers/api-server.ts';

// Bounds so that nothing can hang; none of them is a speed requirement.
const POLLS = 200;
const POLL_MS = 100;

test('a server on a three-member etcd survives losing a member, fails fast without quorum and recovers without a restart', async (t) => {
  t.timeout(5 * 60_000);
  const cluster = await startEtcdCluster();
  t.teardown(cluster.stop);
  const dir = await tempDir();
  t.teardown(dir.remove);
  const storage = `storage "etcd" {\n  address = "${cluster.address}"\n  path = "/faults/"\n  ha_enabled = "true"\n  lock_timeout = "2s"\n  request_timeout = "2s"\n}`;
  const { server, rootToken } = await startUnsealedServer(['-config', await writeServerConfig(dir.path, storage)]);
  t.teardown(() => server.stop({ kill: true }));
  const call = (method: string, path: string, body?: unknown) => callApi(server, method, path, body, rootToken);
  const acknowledged: string[] = [];
  const write = async (key: string) => {
    const answer = await call('PUT', `kv/${key}`, { value: key });
    if (answer.status === 204) acknowledged.push(key);
    return answer;
  };
  await until('the node is active', async () => (await call('POST', 'sys/mounts/kv', { type: 'kv' })).status === 204);
  for (let i = 0; i < 10; i++) t.is((await write(`before-${i}`)).status, 204);

  // kill -9 of the raft leader: writes continue once the other two elect a new one.
  const leader = await cluster.leader();
  await leader.kill();
  let after = 0;
  await until('writes succeed after the re-election', async () => ((await write(`after-leader-${after++}`)).status === 204));
  for (let i = 0; i < 10; i++) t.is((await write(`one-down-${i}`)).status, 204, 'two of three members keep serving');

  // Quorum lost: every write fails with 503 storage unavailable, bounded by request_timeout, and the
  // server stays up. A read may be answered from a cache, but never wrongly.
  const second = cluster.members.find((member) => member.running)!;
  await second.kill();
  for (let i = 0; i < 6; i++) {
    expectUnavailable(t, await write(`no-quorum-${i}`));
    const read = await call('GET', 'kv/before-0');
    if (read.status === 200) t.is(read.json['data']?.value, 'before-0');
    else expectUnavailable(t, read);
  }
  t.is(server.child.exitCode, null, 'no crash');

  // Quorum back: the same process serves again, and nothing acknowledged was lost.
  await leader.start();
  await second.start();
  await cluster.healthy();
  let recovered = 0;
  await until('writes succeed again without a restart', async () => ((await write(`recovered-${recovered++}`)).status === 204));
  await expectAcknowledged(t, call, acknowledged);

  // The whole cluster killed and started again on its data: the server reconnects by itself.
  for (const member of cluster.members) await member.kill();
  expectUnavailable(t, await write('while-etcd-is-down'));
  for (const member of cluster.members) await member.start();
  await cluster.healthy();
  let restarted = 0;
  await until('writes succeed after etcd restarted with its data', async () => ((await write(`restarted-${restarted++}`)).status === 204));
  await expectAcknowledged(t, call, acknowledged);
  t.is(server.child.exitCode, null);
});

function expectUnavailable(t: ExecutionContext, answer: ApiResult): void {
  t.is(answer.status, 503);
  t.regex(answer.json['errors']?.[0] ?? '', /^storage unavailable: /);
}

async function expectAcknowledged(t: ExecutionContext, call: (method: string, path: string) => Promise<ApiResult>, keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    const read = await call('GET', `kv/${key}`);
    t.is(read.json['data']?.value, key, `acknowledged ${key} is readable`);
  }
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < POLLS; i++) {
    if (await probe().catch(() => false)) return;
    await delay(POLL_MS);
  }
  throw new Error(`${what}: not within ${(POLLS * POLL_MS) / 1000} s`);
}

