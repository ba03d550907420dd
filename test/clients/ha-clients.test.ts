import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import nodeVault from 'node-vault';
import { activeNode, startHaCluster } from '../helpers/ha-cluster.ts';

const GO_CLIENT = fileURLToPath(new URL('../../.cache/bin/go-vault-api', import.meta.url));
const PYTHON = fileURLToPath(new URL('../../.cache/venv/bin/python', import.meta.url));

/**
 * Every client is pointed at a standby, so each of its requests crosses the forwarding proxy,
 * and each ends by stepping the active node down through that standby.
 */
test('the Go client, hvac and node-vault work through a standby and step the active node down', async (t) => {
  const cluster = await startHaCluster(3);
  t.teardown(cluster.stop);
  const env = (url: string) => ({ ...process.env, VAULT_ADDR: url, VAULT_TOKEN: cluster.rootToken, EXPECT_HA: '1' });

  const first = await activeNode(cluster.nodes);
  const viaFirst = cluster.nodes.find((node) => node !== first)!;
  const { stdout } = await promisify(execFile)(GO_CLIENT, [], { env: env(viaFirst.url), timeout: 120_000 });
  const checks = JSON.parse(stdout) as Record<string, string>;
  for (const [name, result] of Object.entries(checks)) t.is(result, 'ok', `go: ${name}`);
  const second = await activeNode(cluster.nodes.filter((node) => node !== first));

  const viaSecond = cluster.nodes.find((node) => node !== second)!;
  await promisify(execFile)(PYTHON, ['-c', 'import hvac, os; hvac.Client(url=os.environ["VAULT_ADDR"], token=os.environ["VAULT_TOKEN"]).sys.step_down()'], { env: env(viaSecond.url) });
  const third = await activeNode(cluster.nodes.filter((node) => node !== second));

  const viaThird = cluster.nodes.find((node) => node !== third)!;
  const vault = nodeVault({ apiVersion: 'v1', endpoint: viaThird.url, token: cluster.rootToken });
  await vault.write('go-kv/data/through-standby', { data: { from: 'node-vault' } });
  t.deepEqual((await vault.read('go-kv/data/through-standby')).data.data, { from: 'node-vault' });
  await vault.stepDown();
  t.not(await activeNode(cluster.nodes.filter((node) => node !== third)), third);
});
