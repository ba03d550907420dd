import test from 'ava';
import type { ServerProcess } from '../../helpers/server-process.ts';
import { activeNode, callNode as call, startHaCluster } from '../../helpers/ha-cluster.ts';

test('two HA nodes with the storage cache on: no stale read after a write on the other node, a rotation or a failover back', async (t) => {
  const cluster = await startHaCluster(2);
  t.teardown(cluster.stop);
  const root = { 'X-Vault-Token': cluster.rootToken };
  const first = await activeNode(cluster.nodes);
  const second = cluster.nodes.find((node) => node !== first)!;
  const write = async (node: ServerProcess, value: string) => {
    const answer = await call(node, 'POST', 'secret/data/s', { data: { value } }, root);
    t.is(answer.status, 200, `write ${value}: ${JSON.stringify(answer.json)}`);
  };
  const read = async (node: ServerProcess) => {
    const answer = await call(node, 'GET', 'secret/data/s', undefined, root);
    return (answer.json?.['data'] as { data?: { value?: string } } | undefined)?.data?.value;
  };

  t.is((await call(first, 'POST', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } }, root)).status, 204);
  await write(first, 'one');
  t.is(await read(first), 'one');
  t.is(await read(first), 'one', 'warm');
  t.is(await read(second), 'one');

  await write(second, 'two');
  t.is(await read(first), 'two', 'a write through the standby is read at once on the active node');
  t.is(await read(second), 'two');

  t.is((await call(first, 'PUT', 'sys/rotate', undefined, root)).status, 204);
  t.is(await read(second), 'two', 'entries written before the rotation still read');
  await write(first, 'three');
  t.is(await read(second), 'three');
  t.is(await read(first), 'three');

  // The first node keeps 'three' from its term; the second writes 'four' and rotates in its own term.
  t.is((await call(first, 'PUT', 'sys/step-down', undefined, root)).status, 204);
  t.is(await activeNode(cluster.nodes), second);
  t.is(await read(second), 'three');
  await write(second, 'four');
  t.is((await call(second, 'PUT', 'sys/rotate', undefined, root)).status, 204);
  t.is(await read(first), 'four', 'through the standby');

  t.is((await call(second, 'PUT', 'sys/step-down', undefined, root)).status, 204);
  t.is(await activeNode(cluster.nodes), first);
  t.is(await read(first), 'four', 'the node active again does not serve what it cached in its earlier term');
  t.is((await call(first, 'GET', 'sys/key-status', undefined, root)).json!['term'], 3);
  await write(first, 'five');
  t.is(await read(second), 'five');
});
