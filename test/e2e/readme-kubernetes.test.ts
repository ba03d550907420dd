// The README's Kubernetes walk-through, run line by line on the test cluster: every helm and
// kubectl command as written, with checks between them. Lines for tools this machine lacks (kind,
// docker, the vault CLI) and `kubectl port-forward` (which needs a kubelet) are done by their
// equivalent: the test talks HTTP to the pod behind the active Service.
//
// One adaptation: the test cluster has no cluster DNS, so `helm install` gets one more values file
// that points the VaultCluster at the example etcd pod's address instead of its Service name.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { waitUntil } from '../cluster/wait-until.ts';
import { ROOT } from '../packaging/helm.ts';
import { useE2eCluster } from './e2e-cluster.ts';
import { activeAddress, exampleEtcdAddress, readVaultCluster, serverPods, vault, WAIT, waitHealthy } from './operator-harness.ts';

const cluster = useE2eCluster(test);
const NAMESPACE = 'sealbox-system';
const NAME = 'vault';

/** The commands of the README's "Walk-through on kind" block, without comments and blank lines. */
async function walkthrough(): Promise<string[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Walk-through on kind'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README.md has no "Walk-through on kind" sh block');
  return block.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

const NOT_HERE = /^(kind|docker|vault) |port-forward|^export VAULT_ADDR=/;

interface Shell {
  readonly env: Record<string, string>;
  run(line: string): Promise<string>;
}

function shell(kubeconfig: string, kubectl: string): Shell {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    KUBECONFIG: kubeconfig,
    PATH: `${dirname(kubectl)}:${join(ROOT, '.cache/bin')}:${process.env['PATH'] ?? ''}`,
  };
  return {
    env,
    async run(line) {
      // `export NAME=...` lines carry their value to the lines after them, as in one shell.
      const exported = /^export ([A-Z_]+)=/.exec(line)?.[1];
      const script = exported === undefined ? line : `${line}\nprintf %s "$${exported}"`;
      try {
        const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, env, maxBuffer: 16 << 20, timeout: 600_000 });
        if (exported !== undefined) env[exported] = stdout;
        return stdout;
      } catch (error) {
        const failed = error as { stdout?: string; stderr?: string };
        throw new Error(`README line failed: ${line}\n${failed.stdout ?? ''}${failed.stderr ?? String(error)}`);
      }
    },
  };
}

test('the README walk-through: helm install, keys, login, upgrade that rolls, uninstall that keeps the keys', async (t) => {
  t.timeout(1_200_000);
  const local = cluster().local;
  if (local === undefined) throw new Error('this walk-through runs on the local test cluster; on kind, follow the README itself');
  const config = cluster().kubeConfig();
  const core = config.makeApiClient(CoreV1Api);
  const sh = shell(cluster().kubeconfigPath, local.controlPlane.binaries.kubectl);
  const scratch = await mkdtemp(join(tmpdir(), 'sealbox-readme-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));

  const lines = await walkthrough();
  t.true(lines.some((line) => line.startsWith('helm install')) && lines.some((line) => line.startsWith('helm uninstall')), 'the block installs and uninstalls');
  let podsBeforeUpgrade: string[] = [];
  let keysBeforeUninstall: Record<string, string> = {};
  let token = '';
  for (const line of lines) {
    if (NOT_HERE.test(line)) {
      if (line.startsWith('vault login')) token = await logIn(sh.env['VAULT_TOKEN'] ?? '');
      if (line.startsWith('vault kv put')) await writeSecret(token);
      t.log(`done by its equivalent: ${line}`);
      continue;
    }
    let command = line;
    if (line.startsWith('helm install')) command = `${line} -f ${await etcdPodValues(scratch)}`;
    if (line.startsWith('helm upgrade')) podsBeforeUpgrade = (await serverPods(config, NAMESPACE, NAME)).map((pod) => pod.metadata?.uid ?? '');
    if (line.startsWith('helm uninstall')) keysBeforeUninstall = (await core.readNamespacedSecret({ namespace: NAMESPACE, name: `${NAME}-unseal-keys` })).data ?? {};
    const output = await sh.run(command);
    t.log(`ran: ${line}`);

    if (line.startsWith('helm install')) {
      t.regex(output, /STATUS: deployed/);
      t.regex(output, /unseal key shares are in the Secret sealbox-system\/vault-unseal-keys/, 'NOTES.txt says where the keys are');
    }
    if (line.includes('vaultcluster/vault --for=condition=Available')) await waitHealthy(config, NAMESPACE, NAME, 3, 'the VaultCluster from the chart');
    if (line.includes("jsonpath='{.data.key-0}'")) t.regex(output, /^[0-9a-f]{66}$/, 'a hex key share');
    if (line.includes('Progressing=False')) await checkRolled(podsBeforeUpgrade, token);
    if (line.startsWith('helm uninstall')) await checkUninstalled();
    if (line.includes('get secret vault-unseal-keys') && !line.includes('jsonpath')) {
      const after = (await core.readNamespacedSecret({ namespace: NAMESPACE, name: `${NAME}-unseal-keys` })).data ?? {};
      t.deepEqual(after, keysBeforeUninstall, 'the keys Secret survives helm uninstall unchanged');
      t.is(Object.keys(after).filter((key) => key.startsWith('key-')).length, 5);
    }
  }

  /** Values that point the VaultCluster at the example etcd's pod address (no cluster DNS here). */
  async function etcdPodValues(dir: string): Promise<string> {
    const etcdAddress = await exampleEtcdAddress(config, NAMESPACE);
    const file = join(dir, 'test-cluster-values.yaml');
    await writeFile(file, JSON.stringify({ vaultCluster: { spec: { storage: { etcd: { endpoints: [`http://${etcdAddress}:2379`] } } } } }));
    return file;
  }

  /** `vault login "$VAULT_TOKEN"`: the root token from the Secret is valid and has the root policy. */
  async function logIn(rootToken: string): Promise<string> {
    t.regex(rootToken, /^hvs\./);
    const lookup = await vault(await activeAddress(config, NAMESPACE, NAME), 'GET', 'auth/token/lookup-self', rootToken);
    t.is(lookup.status, 200);
    t.deepEqual(lookup.body['data']['policies'], ['root']);
    return rootToken;
  }

  /** `vault secrets enable -path=secret kv-v2` and `vault kv put secret/hello greeting=world`. */
  async function writeSecret(rootToken: string): Promise<void> {
    const base = await activeAddress(config, NAMESPACE, NAME);
    t.is((await vault(base, 'POST', 'sys/mounts/secret', rootToken, { type: 'kv', options: { version: '2' } })).status, 204);
    t.is((await vault(base, 'PUT', 'secret/data/hello', rootToken, { data: { greeting: 'world' } })).status, 200);
  }

  /** Every server pod was replaced, the leader among them, and the data is still there. */
  async function checkRolled(before: readonly string[], rootToken: string): Promise<void> {
    const pods = await waitHealthy(config, NAMESPACE, NAME, 3, 'the cluster after the upgrade');
    const now = pods.map((pod) => pod.metadata?.uid ?? '');
    t.is(before.length, 3);
    t.deepEqual(now.filter((uid) => before.includes(uid)), [], 'every server pod was replaced');
    const configMap = await core.readNamespacedConfigMap({ namespace: NAMESPACE, name: `${NAME}-config` });
    const serverConfig = JSON.parse(Object.values(configMap.data ?? {})[0] ?? '{}') as Record<string, unknown>;
    t.is(serverConfig['log_level'], 'debug', 'the new value reached the server config');
    const read = await vault(await activeAddress(config, NAMESPACE, NAME), 'GET', 'secret/data/hello', rootToken);
    t.deepEqual(read.body['data']?.['data'], { greeting: 'world' });
  }

  /** The release is gone (the hook Job deleted the VaultCluster first), the keys are not. */
  async function checkUninstalled(): Promise<void> {
    t.is(await readVaultCluster(config, NAMESPACE, NAME), undefined, 'the VaultCluster was finalized before the operator went away');
    const deployments = await config.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: NAMESPACE });
    t.deepEqual(deployments.items.filter((item) => item.metadata?.deletionTimestamp === undefined).map((item) => item.metadata?.name), []);
    const jobs = await config.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: NAMESPACE });
    t.deepEqual(jobs.items.map((item) => item.metadata?.name), [], 'the succeeded hook Job is removed');
    await waitUntil(async () => ((await config.makeApiClient(AppsV1Api).listNamespacedStatefulSet({ namespace: NAMESPACE, labelSelector: `app.kubernetes.io/instance=${NAME}` })).items.length === 0 ? true : undefined), {
      ...WAIT,
      what: "the VaultCluster's StatefulSet collected",
    });
  }
});
