import test from 'ava';
import { activeNode, callNode as call, startHaCluster } from '../../helpers/ha-cluster.ts';

/*
 * test/server/ha-cluster.test.ts shows that a paused active node, once resumed, refuses new writes.
 * This covers the harder case: requests that reached the node while it was frozen, and that it
 * only reads once it runs again, after another node took the lock and wrote the same keys.
 */
test('writes queued at a frozen active node are refused when it resumes, and never overwrite the new active node', async (t) => {
  t.timeout(3 * 60_000);
  const cluster = await startHaCluster(2);
  t.teardown(cluster.stop);
  const root = { 'X-Vault-Token': cluster.rootToken };
  const noForwarding = { ...root, 'X-Vault-No-Request-Forwarding': 'true' };
  const frozen = await activeNode(cluster.nodes);
  const other = cluster.nodes.find((node) => node !== frozen)!;
  t.is((await call(frozen, 'POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } }, root)).status, 204);
  t.is((await call(frozen, 'PUT', 'kv/data/contested', { data: { owner: 'first' } }, root)).status, 200);

  frozen.child.kill('SIGSTOP');
  // These requests sit in the frozen node's socket buffers until it runs again.
  const queued = [
    call(frozen, 'PUT', 'kv/data/contested', { data: { owner: 'stale' } }, noForwarding),
    call(frozen, 'PUT', 'kv/data/stale-only', { data: { owner: 'stale' } }, noForwarding),
    call(frozen, 'DELETE', 'kv/metadata/contested', undefined, noForwarding),
    call(frozen, 'POST', 'auth/token/create', { policies: ['default'] }, noForwarding),
  ].map((request) => request.catch((error: unknown) => ({ status: 0, error })));
  const second = await activeNode([other]);
  t.is((await call(second, 'PUT', 'kv/data/contested', { data: { owner: 'second' } }, root)).status, 200);
  frozen.child.kill('SIGCONT');

  for (const answer of await Promise.all(queued)) {
    t.true(answer.status === 0 || answer.status === 307 || answer.status >= 500, `a queued request was answered ${answer.status}`);
  }
  const contested = (await call(second, 'GET', 'kv/data/contested', undefined, root)).json as { data?: { data?: { owner?: string }; metadata?: { version?: number } } };
  t.is(contested.data?.data?.owner, 'second', 'the stale node overwrote nothing');
  t.is(contested.data?.metadata?.version, 2);
  t.is((await call(second, 'GET', 'kv/data/stale-only', undefined, root)).status, 404, 'and created nothing');
  t.is((await call(second, 'PUT', 'kv/data/after', { data: { owner: 'second' } }, root)).status, 200);
});
