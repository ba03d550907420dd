import test from 'ava';
import { join } from 'node:path';
import { activeNode, callNode as call, startHaCluster } from '../helpers/ha-cluster.ts';
import { tempDir } from '../helpers/server-process.ts';
import { readEntries } from './audit/audit-harness.ts';

test('three nodes on one etcd: standbys forward, the cluster survives kill -9 and step-down, a paused node cannot write', async (t) => {
  const cluster = await startHaCluster(3);
  t.teardown(cluster.stop);
  const { nodes } = cluster;
  const root = { 'X-Vault-Token': cluster.rootToken };
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
  // A rotation on the active node reaches the standbys through the keyring watch.
  t.is((await call(first, 'PUT', 'sys/rotate', undefined, root)).status, 204);
  t.is((await call(first, 'PUT', 'kv/after-rotate', { value: 'term 2' }, root)).status, 204);
  acknowledged.push('after-rotate');
  await first.stop({ kill: true });

  const second = await activeNode(standbys);
  for (const key of acknowledged) {
    const read = await call(second, 'GET', `kv/${key}`, undefined, root);
    t.is(read.status, 200, key);
  }
  t.is((await call(second, 'PUT', 'kv/after-failover', { value: 'x' }, root)).status, 204);
  t.is((await call(second, 'GET', 'sys/key-status', undefined, root)).json!['term'], 2);

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

test('sys/step-down is audited before it is authorized, refused or not', async (t) => {
  const cluster = await startHaCluster(2);
  const dir = await tempDir('sealbox-step-down-audit-');
  t.teardown(async () => {
    await cluster.stop();
    await dir.remove();
  });
  const root = { 'X-Vault-Token': cluster.rootToken };
  const active = await activeNode(cluster.nodes);
  const logPath = join(dir.path, 'audit.log');
  t.is((await call(active, 'PUT', 'sys/audit/file', { type: 'file', options: { file_path: logPath } }, root)).status, 204);
  const created = await call(active, 'POST', 'auth/token/create', { policies: ['default'] }, root);
  const plain = (created.json!['auth'] as { client_token: string }).client_token;

  t.is((await call(active, 'PUT', 'sys/step-down', undefined, { 'X-Vault-Token': plain })).status, 403);
  t.is((await call(active, 'PUT', 'sys/step-down', undefined, root)).status, 204);
  const next = await activeNode(cluster.nodes.filter((node) => node !== active));
  t.truthy(next);

  const entries = (await readEntries(logPath)).filter((entry) => entry.request.path === 'sys/step-down');
  t.deepEqual(entries.map((entry) => [entry.type, entry.auth?.['policies']]), [['request', ['default']], ['request', ['root']]]);
});
