import test from 'ava';
import type { V1StatefulSet } from '@kubernetes/client-node';
import { desiredChildren } from '../../../src/operator/desired/desired-children.ts';
import { defaultMaxUnavailable, podDisruptionBudget } from '../../../src/operator/desired/pod-disruption-budget.ts';
import { activeService, internalService, standbyService } from '../../../src/operator/desired/services.ts';
import { authDelegatorBinding, serviceAccount } from '../../../src/operator/desired/service-account.ts';
import { CONFIG_HASH_ANNOTATION, statefulSet } from '../../../src/operator/desired/stateful-set.ts';
import { vaultCluster } from '../fixtures.ts';

const server = (set: V1StatefulSet) => set.spec?.template.spec?.containers.find((container) => container.name === 'server');

test('the StatefulSet: OnDelete, Parallel, the server container with its probes, ports and security context', (t) => {
  const set = statefulSet(vaultCluster());
  t.is(set.spec?.updateStrategy?.type, 'OnDelete');
  t.is(set.spec?.podManagementPolicy, 'Parallel');
  t.is(set.spec?.serviceName, 'vault-internal');
  t.is(set.spec?.replicas, 3);
  t.deepEqual(set.metadata?.ownerReferences, [{ apiVersion: 'sealbox.dev/v1alpha1', kind: 'VaultCluster', name: 'vault', uid: 'uid-1234', controller: true, blockOwnerDeletion: true }]);
  const container = server(set)!;
  t.is(container.image, 'sealbox:0.1.0');
  t.deepEqual(container.args, ['server', '-config', '/vault/config/config.json']);
  t.deepEqual(container.ports?.map((port) => [port.name, port.containerPort]), [['api', 8200], ['cluster', 8201], ['metrics', 9102]]);
  t.is(container.readinessProbe?.httpGet?.path, '/v1/sys/health?standbyok=true');
  t.regex(container.livenessProbe?.httpGet?.path ?? '', /sealedcode=204&uninitcode=204/);
  t.like(container.securityContext, { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  t.like(set.spec?.template.spec?.securityContext, { runAsNonRoot: true });
  t.is(set.spec?.template.spec?.automountServiceAccountToken, false);
  t.true(container.env?.some((env) => env.name === 'VAULT_API_ADDR' && env.value === 'http://$(POD_IP):8200'));
  t.truthy(set.spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION]);
});

test('the audit sidecar tails the file device’s log from the shared volume, or serves the socket', (t) => {
  const file = statefulSet(vaultCluster()).spec?.template.spec?.containers.find((container) => container.name === 'audit');
  t.is(file?.image, 'busybox:1.36');
  t.deepEqual(file?.command, ['tail', '-n', '+1', '-F', '/vault/audit/audit.log']);
  t.deepEqual(file?.volumeMounts, [{ name: 'audit', mountPath: '/vault/audit', readOnly: true }]);
  const socket = statefulSet(vaultCluster({ audit: { device: 'socket' } })).spec?.template.spec?.containers.find((container) => container.name === 'audit');
  t.is(socket?.image, 'sealbox:0.1.0');
  t.is(socket?.command?.[0], 'node');
  t.regex(socket?.command?.[2] ?? '', /audit\.sock/);
  const none = statefulSet(vaultCluster({ audit: { enabled: false } })).spec?.template.spec;
  t.deepEqual(none?.containers.map((container) => container.name), ['server']);
  t.false(none?.volumes?.some((volume) => volume.name === 'audit'));
});

test('etcd credentials are rendered into an in-memory config by an init container, from the Secret', (t) => {
  const spec = statefulSet(vaultCluster({ storage: { etcd: { credentialsSecretRef: { name: 'etcd-creds' } } } })).spec?.template.spec;
  const init = spec?.initContainers?.[0];
  t.is(init?.name, 'render-config');
  t.deepEqual(init?.env?.map((env) => env.valueFrom?.secretKeyRef?.key), ['username', 'password']);
  t.like(spec?.volumes?.find((volume) => volume.name === 'config'), { emptyDir: { medium: 'Memory' } });
});

test('kubernetes auth mounts the service account token; user pod settings are carried over', (t) => {
  const spec = statefulSet(vaultCluster({ kubernetesAuth: { enabled: true }, pod: { nodeSelector: { disk: 'ssd' }, priorityClassName: 'high', labels: { team: 'a' }, sidecars: [{ name: 'extra', image: 'busybox' }] } })).spec?.template;
  t.true(spec?.spec?.automountServiceAccountToken);
  t.deepEqual(spec?.spec?.nodeSelector, { disk: 'ssd' });
  t.is(spec?.spec?.priorityClassName, 'high');
  t.is(spec?.metadata?.labels?.['team'], 'a');
  t.is(spec?.metadata?.labels?.['app.kubernetes.io/instance'], 'vault');
  t.true(spec?.spec?.containers.some((container) => container.name === 'extra'));
});

test('Services: headless internal publishes not-ready pods; active and standby select on the role label', (t) => {
  const cluster = vaultCluster();
  const internal = internalService(cluster);
  t.is(internal.spec?.clusterIP, 'None');
  t.true(internal.spec?.publishNotReadyAddresses);
  t.is(activeService(cluster).spec?.selector?.['sealbox.dev/role'], 'active');
  t.is(standbyService(cluster).spec?.selector?.['sealbox.dev/role'], 'standby');
  t.is(activeService(cluster).metadata?.name, 'vault-active');
  t.is(internal.spec?.selector?.['app.kubernetes.io/instance'], 'vault');
});

test('the PodDisruptionBudget allows (n - 1) / 2 disruptions, none for one or two pods, and its selector matches the pods', (t) => {
  t.deepEqual([1, 2, 3, 4, 5, 7].map(defaultMaxUnavailable), [0, 0, 1, 1, 2, 3]);
  const cluster = vaultCluster({ replicas: 5 });
  const pdb = podDisruptionBudget(cluster);
  t.is(pdb.spec?.maxUnavailable, 2);
  const podLabels = statefulSet(cluster).spec?.template.metadata?.labels ?? {};
  for (const [key, value] of Object.entries(pdb.spec?.selector?.matchLabels ?? {})) t.is(podLabels[key], value, key);
  t.is(podDisruptionBudget(vaultCluster({ podDisruptionBudget: { maxUnavailable: 0 } })).spec?.maxUnavailable, 0);
});

test('least privilege: the server service account automounts nothing; the auth-delegator binding is for the kubernetes auth method only', (t) => {
  const cluster = vaultCluster();
  t.false(serviceAccount(cluster).automountServiceAccountToken);
  const binding = authDelegatorBinding(cluster);
  t.is(binding.roleRef.name, 'system:auth-delegator');
  t.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'vault', namespace: 'secrets' }]);
  t.is(binding.metadata?.ownerReferences, undefined);
});

test('the children list: every namespaced child is owned; disabled ones are listed for removal', (t) => {
  const children = desiredChildren(vaultCluster({ podDisruptionBudget: { enabled: false } }));
  t.deepEqual(children.map((child) => child.kind), ['ServiceAccount', 'ConfigMap', 'Service', 'Service', 'Service', 'StatefulSet', 'PodDisruptionBudget', 'ServiceMonitor']);
  t.is(children.find((child) => child.kind === 'PodDisruptionBudget')?.object, undefined);
  for (const child of children.filter((entry) => entry.object !== undefined)) t.is(child.object?.metadata?.ownerReferences?.[0]?.uid, 'uid-1234', child.kind);
  const monitored = desiredChildren(vaultCluster({ metrics: { serviceMonitor: { enabled: true } } })).find((child) => child.kind === 'ServiceMonitor');
  t.truthy(monitored?.object);
});
