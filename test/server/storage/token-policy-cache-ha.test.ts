import test from 'ava';
import type { ServerProcess } from '../../helpers/server-process.ts';
import { activeNode, callNode as call, startHaCluster } from '../../helpers/ha-cluster.ts';

const READER = 'path "secret/data/*" {\n  capabilities = ["read"]\n}';
const DENIED = 'path "secret/data/*" {\n  capabilities = ["deny"]\n}';

test('two HA nodes with the storage and plaintext caches warm: a revoked token and a changed policy take effect at once, after a rotation and across failovers', async (t) => {
  const cluster = await startHaCluster(2);
  t.teardown(cluster.stop);
  const root = { 'X-Vault-Token': cluster.rootToken };
  const first = await activeNode(cluster.nodes);
  const second = cluster.nodes.find((node) => node !== first)!;
  const status = async (node: ServerProcess, token: string) => (await call(node, 'GET', 'secret/data/s', undefined, { 'X-Vault-Token': token })).status;
  const setPolicy = async (node: ServerProcess, text: string) => t.is((await call(node, 'PUT', 'sys/policies/acl/reader', { policy: text }, root)).status, 204);
  const createToken = async (node: ServerProcess) => {
    const answer = await call(node, 'POST', 'auth/token/create', { policies: ['reader'] }, root);
    t.is(answer.status, 200, JSON.stringify(answer.json));
    return (answer.json!['auth'] as { client_token: string }).client_token;
  };
  const revoke = async (node: ServerProcess, token: string) => t.is((await call(node, 'POST', 'auth/token/revoke', { token }, root)).status, 204);

  t.is((await call(first, 'POST', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } }, root)).status, 204);
  t.is((await call(first, 'POST', 'secret/data/s', { data: { value: 'v' } }, root)).status, 200);
  await setPolicy(first, READER);

  // Warm: the token entry, the policy and the secret are read several times, so every cache holds them.
  const revoked = await createToken(first);
  for (let i = 0; i < 3; i++) t.is(await status(first, revoked), 200);
  await revoke(second, revoked);
  t.is(await status(first, revoked), 403, 'revoked through the standby: denied on the active node at once');

  const kept = await createToken(first);
  for (let i = 0; i < 3; i++) t.is(await status(first, kept), 200);
  await setPolicy(second, DENIED);
  t.is(await status(first, kept), 403, 'a policy changed through the standby applies on the active node at once');
  await setPolicy(first, READER);
  t.is(await status(first, kept), 200);

  t.is((await call(first, 'PUT', 'sys/rotate', undefined, root)).status, 204);
  t.is(await status(first, kept), 200, 'after a rotation');
  t.is(await status(first, revoked), 403);

  t.is((await call(first, 'PUT', 'sys/step-down', undefined, root)).status, 204);
  t.is(await activeNode(cluster.nodes), second);
  t.is(await status(second, revoked), 403, 'the new active node does not know the revoked token');
  for (let i = 0; i < 3; i++) t.is(await status(second, kept), 200);
  await revoke(second, kept);
  await setPolicy(second, DENIED);
  const fresh = await createToken(second);

  // The first node had `kept` and the reader policy warm in its earlier term.
  t.is((await call(second, 'PUT', 'sys/step-down', undefined, root)).status, 204);
  t.is(await activeNode(cluster.nodes), first);
  t.is(await status(first, kept), 403, 'revoked while this node was standby');
  t.is(await status(first, fresh), 403, 'the policy changed while this node was standby');
  await setPolicy(first, READER);
  t.is(await status(first, fresh), 200);
});
