// The operator end to end, on a real control plane (test/cluster) with the operator installed from
// manifests/ as two pods: a 3-replica VaultCluster through its life — init, unseal, Services,
// kubernetes auth, killed and deleted pods, scaling, rollouts (also with the operator's leader
// killed halfway), steady state without writes, keys Secret trouble, and deletion.
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppsV1Api, CoordinationV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { startEtcd } from '../helpers/etcd.ts';
import type { RunningEtcd } from '../helpers/etcd.ts';
import { waitUntil } from '../cluster/wait-until.ts';
import { useE2eCluster } from './e2e-cluster.ts';
import {
  clusterEvents,
  condition,
  installCrd,
  installOperator,
  killServerProcess,
  operatorPods,
  patchVaultCluster,
  readSecret,
  readVaultCluster,
  rootToken,
  serverPods,
  serviceAddress,
  statefulSetExists,
  vault,
  vaultClusterManifest,
  WAIT,
  waitHealthy,
  waitOperatorReady,
} from './operator-harness.ts';

const cluster = useE2eCluster(test);
const NAME = 'vault';
let etcd: RunningEtcd | undefined;
let namespace = '';
let operatorNamespace = '';
let token = '';

const config = () => cluster().kubeConfig();
const core = () => config().makeApiClient(CoreV1Api);
const active = () => waitUntil(() => serviceAddress(config(), namespace, `${NAME}-active`), { timeoutMs: 30_000, intervalMs: 250, what: 'a pod behind the active Service' });

test.before(async (t) => {
  t.timeout(600_000);
  etcd = await startEtcd();
  // ava runs before hooks concurrently: wait for the cluster hook.
  await waitUntil(() => cluster(), { timeoutMs: 600_000, intervalMs: 500, what: 'the e2e cluster' });
  await installCrd(cluster());
  operatorNamespace = await cluster().createNamespace('sealbox-system');
  await installOperator(cluster(), operatorNamespace, ['-resync', '5s']);
  namespace = await cluster().createNamespace('vault');
});

test.after.always(async () => {
  await etcd?.stop();
});

function mainSpec(): Record<string, unknown> {
  return {
    replicas: 3,
    storage: { etcd: { endpoints: [etcd!.endpoint], lockTimeout: '5s' } },
    unseal: { secretShares: 3, secretThreshold: 2, rootToken: { store: true } },
    kubernetesAuth: { enabled: true, roles: [{ name: 'workload', boundServiceAccountNames: ['workload'], boundServiceAccountNamespaces: [namespace], policies: ['default'] }] },
  };
}

async function killServer(pod: V1Pod): Promise<void> {
  if (cluster().local !== undefined) {
    killServerProcess(pod.status?.podIP ?? '');
    return;
  }
  await cluster().kubectl(['exec', '-n', namespace, pod.metadata?.name ?? '', '-c', 'server', '--', 'kill', '-9', '1']);
}

async function serverRestarts(name: string): Promise<number> {
  const pod = await core().readNamespacedPod({ namespace, name });
  return pod.status?.containerStatuses?.find((status) => status.name === 'server')?.restartCount ?? 0;
}

async function eventReasons(since: number): Promise<{ reason: string; message: string }[]> {
  const events = await clusterEvents(config(), namespace, NAME);
  return events
    .filter((event) => Number(event.metadata?.resourceVersion ?? 0) > since)
    .map((event) => ({ reason: event.reason ?? '', message: event.message ?? '' }));
}

async function latestEventVersion(): Promise<number> {
  const events = await clusterEvents(config(), namespace, NAME);
  return Math.max(0, ...events.map((event) => Number(event.metadata?.resourceVersion ?? 0)));
}

test.serial('a 3-replica VaultCluster is initialized, unsealed, labelled, Ready and Available; a secret written through the active Service reads back', async (t) => {
  t.timeout(300_000);
  await cluster().kubectl(['apply', '-n', namespace, '-f', '-'], JSON.stringify(vaultClusterManifest(NAME, mainSpec())));
  const pods = await waitHealthy(config(), namespace, NAME, 3, 'the VaultCluster to become Running with 3 unsealed pods');
  const vc = await readVaultCluster(config(), namespace, NAME);
  t.is(vc?.status?.replicas, 3);
  t.is(vc?.status?.readyReplicas, 3);
  t.true(vc?.status?.initialized);
  t.like(condition(vc, 'Initialized'), { status: 'True' });
  t.like(condition(vc, 'Degraded'), { status: 'False', reason: 'AsExpected' });
  t.is(vc?.status?.leader, pods.find((pod) => pod.metadata?.labels?.['sealbox.dev/role'] === 'active')?.metadata?.name);

  const keys = await readSecret(config(), namespace, `${NAME}-unseal-keys`);
  t.deepEqual(Object.keys(keys?.data ?? {}).sort(), ['key-0', 'key-1', 'key-2', 'threshold']);
  t.is(keys?.metadata?.ownerReferences, undefined, 'the keys Secret is not owned, so it outlives the VaultCluster');
  const set = await config().makeApiClient(AppsV1Api).readNamespacedStatefulSet({ namespace, name: NAME });
  t.is(set.metadata?.ownerReferences?.[0]?.kind, 'VaultCluster');
  t.is(set.spec?.updateStrategy?.type, 'OnDelete');
  for (const pod of pods) t.deepEqual(pod.status?.containerStatuses?.map((status) => status.ready), [true, true], `${pod.metadata?.name}: server and audit sidecar ready`);

  token = await rootToken(config(), namespace, `${NAME}-root-token`);
  const address = await active();
  t.is((await vault(address, 'POST', 'sys/mounts/kv', token, { type: 'kv' })).status, 204);
  t.is((await vault(address, 'PUT', 'kv/greeting', token, { value: 'hello' })).status, 204);
  t.is((await vault(await active(), 'GET', 'kv/greeting', token)).body['data']?.value, 'hello');
  // The audit sidecar prints what the file device wrote.
  const local = cluster().local;
  if (local !== undefined) {
    const activePod = pods.find((pod) => pod.metadata?.labels?.['sealbox.dev/role'] === 'active')!;
    const auditLog = await waitUntil(async () => {
      const logs = await local.runner.logs(namespace, activePod.metadata?.name ?? '', 'audit');
      return logs.includes('kv/greeting') ? logs : undefined;
    }, { ...WAIT, what: 'the audit sidecar to print the write' });
    t.false(auditLog.includes('hello'), 'audited values are HMAC’d');
  }
});

test.serial('a workload logs in with its service account token through the kubernetes auth method (a real TokenReview)', async (t) => {
  t.timeout(120_000);
  const binding = await config().makeApiClient(RbacAuthorizationV1Api).readClusterRoleBinding({ name: `sealbox:${namespace}:${NAME}:auth-delegator` });
  t.is(binding.roleRef.name, 'system:auth-delegator');
  await core().createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'workload' } } });
  const request = await core().createNamespacedServiceAccountToken({ namespace, name: 'workload', body: { spec: { audiences: [], expirationSeconds: 600 } } });
  const jwt = request.status?.token ?? '';
  const login = await waitUntil(async () => {
    const answer = await vault(await active(), 'POST', 'auth/kubernetes/login', undefined, { role: 'workload', jwt });
    return answer.status === 200 ? answer : undefined;
  }, { ...WAIT, what: 'a successful kubernetes login' });
  t.deepEqual(login.body['auth']?.policies, ['default']);
  t.is(login.body['auth']?.metadata?.service_account_name, 'workload');
  const self = await vault(await active(), 'GET', 'auth/token/lookup-self', login.body['auth']?.client_token);
  t.is(self.status, 200);
  await core().createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'intruder' } } });
  const other = await core().createNamespacedServiceAccountToken({ namespace, name: 'intruder', body: { spec: { audiences: [], expirationSeconds: 600 } } });
  const refused = await vault(await active(), 'POST', 'auth/kubernetes/login', undefined, { role: 'workload', jwt: other.status?.token });
  t.is(refused.status, 403);
});

test.serial('a killed server process restarts sealed and the operator unseals it', async (t) => {
  t.timeout(180_000);
  const pods = await waitHealthy(config(), namespace, NAME, 3, 'a healthy cluster');
  const victim = pods.find((pod) => pod.metadata?.labels?.['sealbox.dev/role'] === 'standby')!;
  const name = victim.metadata?.name ?? '';
  const before = await serverRestarts(name);
  const since = await latestEventVersion();
  await killServer(victim);
  await waitUntil(async () => ((await serverRestarts(name)) > before ? true : undefined), { ...WAIT, what: `${name} to restart` });
  await waitHealthy(config(), namespace, NAME, 3, `${name} unsealed again`);
  const events = await eventReasons(since);
  t.true(events.some((event) => event.reason === 'Unsealed' && event.message === `Unsealed ${name}`), JSON.stringify(events));
  t.is((await vault(await active(), 'GET', 'kv/greeting', token)).body['data']?.value, 'hello');
});

test.serial('a deleted pod, even the active one, is recreated and unsealed; another pod takes over meanwhile', async (t) => {
  t.timeout(180_000);
  const pods = await waitHealthy(config(), namespace, NAME, 3, 'a healthy cluster');
  const leader = pods.find((pod) => pod.metadata?.labels?.['sealbox.dev/role'] === 'active')!;
  await core().deleteNamespacedPod({ namespace, name: leader.metadata?.name ?? '' });
  const after = await waitHealthy(config(), namespace, NAME, 3, 'the deleted pod to come back unsealed');
  const recreated = after.find((pod) => pod.metadata?.name === leader.metadata?.name);
  t.not(recreated?.metadata?.uid, leader.metadata?.uid);
  t.is((await vault(await active(), 'GET', 'kv/greeting', token)).body['data']?.value, 'hello');
});

/** The pod whose server says it is active, asked directly. */
async function activePod(): Promise<V1Pod | undefined> {
  for (const pod of await serverPods(config(), namespace, NAME)) {
    const leader = await vault(`http://${pod.status?.podIP}:8200`, 'GET', 'sys/leader').catch(() => undefined);
    if (leader?.body['is_self'] === true) return pod;
  }
  return undefined;
}

test.serial('scaling 3 -> 5 -> 3: new pods are unsealed; a leader among the removed pods hands over first', async (t) => {
  t.timeout(300_000);
  await cluster().kubectl(['scale', '-n', namespace, `vaultcluster/${NAME}`, '--replicas=5']);
  const five = await waitHealthy(config(), namespace, NAME, 5, '5 unsealed pods');
  t.is(five.length, 5);
  // Move leadership to a pod that the scale-down removes (a bounded number of step-downs).
  let leader = await activePod();
  for (let attempt = 0; attempt < 12 && !['vault-3', 'vault-4'].includes(leader?.metadata?.name ?? ''); attempt++) {
    await vault(`http://${leader?.status?.podIP}:8200`, 'PUT', 'sys/step-down', token);
    const previous = leader?.metadata?.name;
    leader = await waitUntil(async () => {
      const now = await activePod();
      return now !== undefined && now.metadata?.name !== previous ? now : undefined;
    }, { ...WAIT, what: 'another active pod after a step-down' });
  }
  const removedLeader = leader?.metadata?.name ?? '';
  t.true(['vault-3', 'vault-4'].includes(removedLeader), `leader ${removedLeader}`);
  const since = await latestEventVersion();
  const writer = startWriter();
  await patchVaultCluster(config(), namespace, NAME, { spec: { replicas: 3 } });
  const three = await waitHealthy(config(), namespace, NAME, 3, 'back to 3 pods');
  const { failed } = await writer.stop();
  t.is(failed, 0, 'writes through the active Service kept working');
  t.deepEqual(three.map((pod) => pod.metadata?.name), [`${NAME}-0`, `${NAME}-1`, `${NAME}-2`]);
  const events = await eventReasons(since);
  t.true(events.some((event) => event.reason === 'LeaderStepDown' && event.message === `Asked ${removedLeader} to step down`), JSON.stringify(events));
  t.is((await vault(await active(), 'GET', 'kv/greeting', token)).body['data']?.value, 'hello');
});

/** Writes through the active Service every few hundred ms until stopped; each write may retry a bounded number of times. */
function startWriter(): { stop(): Promise<{ written: number; failed: number }> } {
  let running = true;
  let written = 0;
  let failed = 0;
  const loop = (async () => {
    for (let i = 0; running && i < 2000; i++) {
      let ok = false;
      for (let attempt = 0; attempt < 40 && !ok; attempt++) {
        try {
          ok = (await vault(await active(), 'PUT', `kv/rollout-${i}`, token, { value: i })).status === 204;
        } catch {
          ok = false;
        }
        if (!ok) await sleep(250);
      }
      if (ok) written++;
      else failed++;
      await sleep(200);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { written, failed };
    },
  };
}

async function waitRolledOut(what: string): Promise<void> {
  await waitUntil(async () => {
    const vc = await readVaultCluster(config(), namespace, NAME);
    const updated = vc?.status?.updatedPods ?? [];
    // The status must describe the patched spec, not the one before it.
    const current = vc?.status?.observedGeneration === vc?.metadata?.generation;
    return current && vc?.status?.phase === 'Running' && updated.length === 3 && vc.status?.updateRevision !== undefined && vc.status.currentRevision === vc.status.updateRevision ? true : undefined;
  }, { ...WAIT, what });
  await waitHealthy(config(), namespace, NAME, 3, what);
}

test.serial('an image change replaces standbys first and the leader last, after a step-down, with an active node throughout', async (t) => {
  t.timeout(300_000);
  const pods = await waitHealthy(config(), namespace, NAME, 3, 'a healthy cluster');
  const leader = pods.find((pod) => pod.metadata?.labels?.['sealbox.dev/role'] === 'active')!.metadata?.name ?? '';
  const since = await latestEventVersion();
  const writer = startWriter();
  await patchVaultCluster(config(), namespace, NAME, { spec: { image: 'sealbox:0.1.1' } });
  await waitRolledOut('the rollout to sealbox:0.1.1');
  const { written, failed } = await writer.stop();
  t.is(failed, 0, `every write through the active Service succeeded (${written} written)`);
  t.true(written > 0);
  const after = await serverPods(config(), namespace, NAME);
  for (const pod of after) t.is(pod.spec?.containers.find((container) => container.name === 'server')?.image, 'sealbox:0.1.1');
  const events = await eventReasons(since);
  const replaced = events.filter((event) => event.reason === 'PodReplaced').map((event) => /^Deleted (\S+)/.exec(event.message)?.[1]);
  t.is(replaced.length, 3, JSON.stringify(events));
  t.is(replaced.at(-1), leader, 'the leader went last');
  const stepDown = events.findIndex((event) => event.reason === 'LeaderStepDown');
  const lastReplaced = events.findLastIndex((event) => event.reason === 'PodReplaced');
  t.true(stepDown !== -1 && stepDown < lastReplaced, 'the leader stepped down before it was replaced');
  t.is(events.filter((event) => event.reason === 'LeaderChanged').length, 1, 'one change of leader');
  t.true(events.some((event) => event.reason === 'RolloutComplete'));
  t.is((await vault(await active(), 'GET', 'kv/greeting', token)).body['data']?.value, 'hello');
});

test.serial('the operator’s leader killed mid-rollout: the other replica takes the lease and finishes the rollout', async (t) => {
  t.timeout(300_000);
  await waitHealthy(config(), namespace, NAME, 3, 'a healthy cluster');
  const leases = config().makeApiClient(CoordinationV1Api);
  const holder = (await leases.readNamespacedLease({ namespace: operatorNamespace, name: 'sealbox-operator' })).spec?.holderIdentity ?? '';
  const leaderPod = (await operatorPods(config(), operatorNamespace)).find((pod) => holder.startsWith(`${pod.metadata?.name}-`));
  t.truthy(leaderPod, `lease holder ${holder}`);
  const since = await latestEventVersion();
  await patchVaultCluster(config(), namespace, NAME, { spec: { config: { log_level: 'debug' } } });
  await waitUntil(async () => ((await eventReasons(since)).some((event) => event.reason === 'PodReplaced') ? true : undefined), { ...WAIT, what: 'the first pod of the rollout to be replaced' });
  await core().deleteNamespacedPod({ namespace: operatorNamespace, name: leaderPod?.metadata?.name ?? '', gracePeriodSeconds: 0 });
  await waitRolledOut('the new operator leader to finish the rollout');
  const newHolder = (await leases.readNamespacedLease({ namespace: operatorNamespace, name: 'sealbox-operator' })).spec?.holderIdentity ?? '';
  t.not(newHolder, holder);
  const replaced = (await eventReasons(since)).filter((event) => event.reason === 'PodReplaced');
  t.is(new Set(replaced.map((event) => /^Deleted (\S+)/.exec(event.message)?.[1])).size, 3);
});

/** Writes the API server has served, by resource, for the kinds the operator writes. */
async function apiServerWrites(): Promise<Map<string, number>> {
  const text = await cluster().kubectl(['get', '--raw', '/metrics']);
  const counts = new Map<string, number>();
  const resources = new Set(['vaultclusters', 'statefulsets', 'services', 'configmaps', 'serviceaccounts', 'poddisruptionbudgets', 'secrets', 'clusterrolebindings', 'pods', 'events']);
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
    if (!['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY'].includes(labels['verb'] ?? '') || !resources.has(labels['resource'] ?? '')) continue;
    // The pod runner (the kubelet) writes pod status and bindings, and its own events; not the operator.
    if (labels['resource'] === 'pods' && labels['subresource'] !== '') continue;
    if (labels['resource'] === 'events') continue;
    const key = `${labels['verb']} ${labels['resource']}${labels['subresource'] === '' ? '' : `/${labels['subresource']}`}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.split(' ').at(-1)));
  }
  return counts;
}

async function operatorReconciles(): Promise<number> {
  let total = 0;
  for (const pod of await operatorPods(config(), operatorNamespace)) {
    const ip = pod.status?.podIP;
    if (ip === undefined) continue;
    const text = await fetch(`http://${ip}:8080/metrics`).then((response) => response.text()).catch(() => '');
    const match = /^sealbox_operator_reconciles_total\{result="success"\} (\d+)/m.exec(text);
    total += Number(match?.[1] ?? 0);
  }
  return total;
}

test.serial('reconciling an unchanged VaultCluster makes no write to the API server', async (t) => {
  t.timeout(180_000);
  await waitHealthy(config(), namespace, NAME, 3, 'a settled cluster');
  // New operator replicas know the children from their informers' first list only (nothing
  // changes them afterwards), which once looked like a change on every pass.
  const replaced = await operatorPods(config(), operatorNamespace);
  for (const pod of replaced) await core().deleteNamespacedPod({ namespace: operatorNamespace, name: pod.metadata?.name ?? '', gracePeriodSeconds: 0 });
  await waitOperatorReady(config(), operatorNamespace, new Set(replaced.map((pod) => pod.metadata?.uid ?? '')));
  // Let the last pod events of the previous test settle into one more pass.
  const settled = await operatorReconciles();
  await waitUntil(async () => ((await operatorReconciles()) >= settled + 2 ? true : undefined), { ...WAIT, what: 'two more reconciles' });
  const before = await apiServerWrites();
  const reconcilesBefore = await operatorReconciles();
  await waitUntil(async () => ((await operatorReconciles()) >= reconcilesBefore + 3 ? true : undefined), { ...WAIT, what: 'three reconciles of the unchanged cluster' });
  const after = await apiServerWrites();
  const changed = [...after].filter(([key, count]) => (before.get(key) ?? 0) !== count);
  t.deepEqual(changed, [], 'no write between the passes');
});

test.serial('invalid specs are rejected by the CRD schema with the field named', async (t) => {
  const base = () => ({ replicas: 1, storage: { etcd: { endpoints: [etcd!.endpoint] } } });
  const attempts: [string, Record<string, unknown>, RegExp][] = [
    ['bad-threshold', { ...base(), unseal: { secretShares: 2, secretThreshold: 3 } }, /secretThreshold must not be greater than secretShares/],
    ['no-replicas', { ...base(), replicas: 0 }, /spec\.replicas/],
    ['file-storage', { replicas: 1, storage: { file: { path: '/data' } } }, /spec\.storage/],
    ['no-endpoints', { replicas: 1, storage: { etcd: { endpoints: [] } } }, /spec\.storage\.etcd\.endpoints/],
    ['no-storage', { replicas: 1 }, /spec\.storage: Required value/],
  ];
  for (const [name, spec, message] of attempts) {
    const error = await t.throwsAsync(cluster().kubectl(['apply', '-n', namespace, '-f', '-'], JSON.stringify(vaultClusterManifest(name, spec))));
    t.regex(error?.message ?? '', message, name);
  }
});

test.serial('a missing or malformed keys Secret leaves a restarted pod sealed, with a Degraded reason; nothing is re-initialized', async (t) => {
  t.timeout(300_000);
  const pods = await waitHealthy(config(), namespace, NAME, 3, 'a healthy cluster');
  const keysName = `${NAME}-unseal-keys`;
  const keys = await readSecret(config(), namespace, keysName);
  await core().deleteNamespacedSecret({ namespace, name: keysName });
  const victim = pods.find((pod) => pod.metadata?.labels?.['sealbox.dev/role'] === 'standby')!;
  await killServer(victim);
  const degraded = await waitUntil(async () => {
    const vc = await readVaultCluster(config(), namespace, NAME);
    return condition(vc, 'Degraded')?.reason === 'KeysSecretMissing' ? vc : undefined;
  }, { ...WAIT, what: 'Degraded=KeysSecretMissing' });
  t.regex(condition(degraded, 'Degraded')?.message ?? '', new RegExp(`${keysName} with the unseal keys does not exist`));
  t.deepEqual(degraded?.status?.sealedPods, [victim.metadata?.name]);
  t.like(condition(degraded, 'Available'), { status: 'True' }, 'the other pods keep serving');
  await waitUntil(async () => ((await core().readNamespacedPod({ namespace, name: victim.metadata?.name ?? '' })).metadata?.labels?.['sealbox.dev/role'] === 'sealed' ? true : undefined), { ...WAIT, what: 'the sealed label' });

  await core().createNamespacedSecret({ namespace, body: { metadata: { name: keysName }, stringData: { 'key-0': 'not a key share', threshold: '2' } } });
  const malformed = await waitUntil(async () => {
    const vc = await readVaultCluster(config(), namespace, NAME);
    return condition(vc, 'Degraded')?.reason === 'KeysSecretMalformed' ? vc : undefined;
  }, { ...WAIT, what: 'Degraded=KeysSecretMalformed' });
  t.regex(condition(malformed, 'Degraded')?.message ?? '', /key-0 is not a hex-encoded key share/);
  t.false((condition(malformed, 'Degraded')?.message ?? '').includes('not a key share'), 'the Secret’s data is never quoted');

  await core().replaceNamespacedSecret({ namespace, name: keysName, body: { metadata: { name: keysName, namespace }, data: keys?.data ?? {} } });
  await waitHealthy(config(), namespace, NAME, 3, 'unsealed again with the restored keys');
  const healed = await readVaultCluster(config(), namespace, NAME);
  t.like(condition(healed, 'Degraded'), { status: 'False' });
  t.is((await vault(await active(), 'GET', 'kv/greeting', token)).body['data']?.value, 'hello', 'the same data and root token: not re-initialized');
});

test.serial('a keys Secret that already holds shares blocks the init of a new cluster', async (t) => {
  t.timeout(180_000);
  const name = 'guarded';
  await core().createNamespacedSecret({ namespace, body: { metadata: { name: `${name}-unseal-keys` }, stringData: { 'key-0': 'abcd', 'key-1': 'ef01', threshold: '2' } } });
  await cluster().kubectl(['apply', '-n', namespace, '-f', '-'], JSON.stringify(vaultClusterManifest(name, { replicas: 1, storage: { etcd: { endpoints: [etcd!.endpoint] } }, audit: { enabled: false } })));
  const vc = await waitUntil(async () => {
    const read = await readVaultCluster(config(), namespace, name);
    return condition(read, 'Degraded')?.reason === 'KeysSecretNotEmpty' ? read : undefined;
  }, { ...WAIT, what: 'Degraded=KeysSecretNotEmpty' });
  t.false(vc?.status?.initialized);
  const pods = await serverPods(config(), namespace, name);
  const health = await vault(`http://${pods[0]?.status?.podIP}:8200`, 'GET', 'sys/health');
  t.is(health.status, 501, 'still uninitialized');
  await cluster().kubectl(['delete', '-n', namespace, 'vaultcluster', name, '--wait=true', '--timeout=120s']);
});

test.serial('paused: spec changes wait, and are carried out once unpaused', async (t) => {
  t.timeout(240_000);
  const before = await waitHealthy(config(), namespace, NAME, 3, 'a healthy cluster');
  await patchVaultCluster(config(), namespace, NAME, { spec: { paused: true } });
  await waitUntil(async () => ((await readVaultCluster(config(), namespace, NAME))?.status?.phase === 'Paused' ? true : undefined), { ...WAIT, what: 'phase Paused' });
  await patchVaultCluster(config(), namespace, NAME, { spec: { image: 'sealbox:0.1.2' } });
  const reconciles = await operatorReconciles();
  await waitUntil(async () => ((await operatorReconciles()) >= reconciles + 3 ? true : undefined), { ...WAIT, what: 'three passes over the paused cluster' });
  const set = await config().makeApiClient(AppsV1Api).readNamespacedStatefulSet({ namespace, name: NAME });
  t.is(set.spec?.template.spec?.containers[0]?.image, 'sealbox:0.1.1', 'the StatefulSet is left alone');
  t.deepEqual((await serverPods(config(), namespace, NAME)).map((pod) => pod.metadata?.uid), before.map((pod) => pod.metadata?.uid), 'no pod replaced');
  t.like(condition(await readVaultCluster(config(), namespace, NAME), 'Progressing'), { status: 'False', reason: 'Paused' });
  await patchVaultCluster(config(), namespace, NAME, { spec: { paused: false } });
  await waitRolledOut('the rollout after unpausing');
  for (const pod of await serverPods(config(), namespace, NAME)) t.is(pod.spec?.containers[0]?.image, 'sealbox:0.1.2');
});

test.serial('deleting the VaultCluster collects its children and keeps the keys Secret (Retain)', async (t) => {
  t.timeout(180_000);
  await cluster().kubectl(['delete', '-n', namespace, 'vaultcluster', NAME, '--wait=true', '--timeout=120s']);
  await waitUntil(async () => ((await statefulSetExists(config(), namespace, NAME)) ? undefined : true), { ...WAIT, what: 'the StatefulSet to be collected' });
  await waitUntil(async () => ((await serverPods(config(), namespace, NAME)).length === 0 ? true : undefined), { ...WAIT, what: 'the pods to go' });
  const services = await core().listNamespacedService({ namespace, labelSelector: `app.kubernetes.io/instance=${NAME}` });
  t.is(services.items.length, 0);
  t.truthy(await readSecret(config(), namespace, `${NAME}-unseal-keys`), 'the keys Secret is kept');
  const bindings = await config().makeApiClient(RbacAuthorizationV1Api).listClusterRoleBinding({ labelSelector: `app.kubernetes.io/instance=${NAME}` });
  t.is(bindings.items.filter((binding) => binding.metadata?.name === `sealbox:${namespace}:${NAME}:auth-delegator`).length, 0, 'the cluster-scoped binding is removed by the finalizer');
});

test.serial('deletionPolicy Delete removes the keys Secret and the etcd data', async (t) => {
  t.timeout(240_000);
  const name = 'ephemeral';
  await cluster().kubectl(['apply', '-n', namespace, '-f', '-'], JSON.stringify(vaultClusterManifest(name, { replicas: 1, deletionPolicy: 'Delete', storage: { etcd: { endpoints: [etcd!.endpoint] } }, unseal: { secretShares: 1, secretThreshold: 1 } })));
  await waitHealthy(config(), namespace, name, 1, 'a one-pod cluster');
  const { Etcd3 } = await import('etcd3');
  const client = new Etcd3({ hosts: etcd!.endpoint });
  try {
    const prefix = `/sealbox/${namespace}/${name}/`;
    t.true((await client.getAll().prefix(prefix).keys()).length > 0);
    await cluster().kubectl(['delete', '-n', namespace, 'vaultcluster', name, '--wait=true', '--timeout=120s']);
    t.is(await readSecret(config(), namespace, `${name}-unseal-keys`), undefined);
    t.deepEqual(await client.getAll().prefix(prefix).keys(), []);
  } finally {
    client.close();
  }
});
