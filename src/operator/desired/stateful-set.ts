import type { V1Affinity, V1Container, V1EnvVar, V1Probe, V1StatefulSet, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { commonLabels, selectorLabels } from '../api/labels.ts';
import { clusterNames } from '../api/names.ts';
import type { VaultCluster } from '../api/vault-cluster.ts';
import { auditSidecar } from './audit-sidecar.ts';
import { configHash } from './config-map.ts';
import { childMetadata } from './owner.ts';
import { API_PORT, AUDIT_DIR, CLUSTER_PORT, CONFIG_DIR, CONFIG_FILE, ETCD_TLS_DIR, TLS_DIR, TMP_DIR } from './ports.ts';
import { defaultPodSecurityContext, restrictedContainerSecurityContext } from './security-context.ts';
import { ETCD_PASSWORD_ENV, ETCD_USERNAME_ENV } from './server-config.ts';

export const SERVER_CONTAINER = 'server';
export const CONFIG_HASH_ANNOTATION = 'sealbox.dev/config-hash';
const CONFIG_TEMPLATE_DIR = '/vault/config-template';

/**
 * Adds the etcd credentials to the config file in memory, so they never sit in the ConfigMap.
 * Runs on the server image's Node.
 */
export const CONFIG_RENDER_SCRIPT = [
  "const fs = require('node:fs');",
  `const config = JSON.parse(fs.readFileSync(${JSON.stringify(`${CONFIG_TEMPLATE_DIR}/${CONFIG_FILE}`)}, 'utf8'));`,
  `config.storage.etcd.username = process.env.${ETCD_USERNAME_ENV};`,
  `config.storage.etcd.password = process.env.${ETCD_PASSWORD_ENV};`,
  `fs.writeFileSync(${JSON.stringify(`${CONFIG_DIR}/${CONFIG_FILE}`)}, JSON.stringify(config), { mode: 0o600 });`,
].join(' ');

/**
 * The server pods. OnDelete, so that the operator decides when each pod is replaced (standbys
 * first, the leader last); Parallel, so that scaling and a cold start do not wait pod by pod.
 */
export function statefulSet(cluster: VaultCluster): V1StatefulSet {
  const names = clusterNames(cluster);
  const { spec } = cluster;
  const pod = spec.pod;
  const sidecar = auditSidecar(cluster);
  const credentials = spec.storage.etcd.credentialsSecretRef;
  const initContainers = credentials === undefined ? [] : [configRenderer(cluster, credentials.name)];
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: childMetadata(cluster, names.statefulSet),
    spec: {
      replicas: spec.replicas,
      serviceName: names.internalService,
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'OnDelete' },
      selector: { matchLabels: selectorLabels(names.cluster) },
      template: {
        metadata: {
          labels: { ...(pod.labels ?? {}), ...commonLabels(names.cluster) },
          annotations: { ...(pod.annotations ?? {}), [CONFIG_HASH_ANNOTATION]: configHash(cluster) },
        },
        spec: {
          serviceAccountName: names.serviceAccount,
          // Only the kubernetes auth method needs the pod's token (for TokenReview).
          automountServiceAccountToken: spec.kubernetesAuth.enabled,
          securityContext: pod.securityContext ?? defaultPodSecurityContext(),
          terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30,
          affinity: pod.affinity ?? spreadAcrossNodes(names.cluster),
          ...(pod.tolerations === undefined ? {} : { tolerations: pod.tolerations }),
          ...(pod.nodeSelector === undefined ? {} : { nodeSelector: pod.nodeSelector }),
          ...(pod.priorityClassName === undefined ? {} : { priorityClassName: pod.priorityClassName }),
          ...(spec.imagePullSecrets === undefined ? {} : { imagePullSecrets: spec.imagePullSecrets }),
          ...(initContainers.length === 0 ? {} : { initContainers }),
          containers: [serverContainer(cluster), ...(sidecar === undefined ? [] : [sidecar]), ...(pod.sidecars ?? [])],
          volumes: volumes(cluster),
        },
      },
    },
  };
}

function serverContainer(cluster: VaultCluster): V1Container {
  const { spec } = cluster;
  const scheme = spec.tls === undefined ? 'HTTP' : 'HTTPS';
  const env: V1EnvVar[] = [
    { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    { name: 'VAULT_API_ADDR', value: `${scheme.toLowerCase()}://$(POD_IP):${API_PORT}` },
    { name: 'VAULT_CLUSTER_ADDR', value: `https://$(POD_IP):${CLUSTER_PORT}` },
    // The root filesystem is read-only: scratch space is an emptyDir.
    { name: 'TMPDIR', value: TMP_DIR },
    ...(spec.pod.env ?? []),
  ];
  const ports = [
    { name: 'api', containerPort: API_PORT, protocol: 'TCP' },
    { name: 'cluster', containerPort: CLUSTER_PORT, protocol: 'TCP' },
    ...(spec.metrics.enabled ? [{ name: 'metrics', containerPort: spec.metrics.port, protocol: 'TCP' }] : []),
  ];
  return {
    name: SERVER_CONTAINER,
    image: spec.image,
    imagePullPolicy: spec.imagePullPolicy,
    args: ['server', '-config', `${CONFIG_DIR}/${CONFIG_FILE}`],
    env,
    ports,
    // Ready means initialized and unsealed, active or standby: standbys serve (by forwarding), and
    // a probe that failed them would make the disruption budget impossible to meet.
    readinessProbe: healthProbe(scheme, '/v1/sys/health?standbyok=true', { periodSeconds: 2, failureThreshold: 2 }),
    // Alive means answering at all: a sealed server is waiting for the operator, not stuck.
    livenessProbe: healthProbe(scheme, '/v1/sys/health?standbyok=true&sealedcode=204&uninitcode=204', { periodSeconds: 10, failureThreshold: 6, initialDelaySeconds: 10 }),
    securityContext: spec.pod.containerSecurityContext ?? restrictedContainerSecurityContext(),
    volumeMounts: serverMounts(cluster),
    ...(spec.pod.resources === undefined ? {} : { resources: spec.pod.resources }),
  };
}

function healthProbe(scheme: 'HTTP' | 'HTTPS', path: string, timing: Partial<V1Probe>): V1Probe {
  return { httpGet: { path, port: 'api', scheme }, timeoutSeconds: 2, ...timing };
}

function serverMounts(cluster: VaultCluster): V1VolumeMount[] {
  const { spec } = cluster;
  const mounts: V1VolumeMount[] = [
    { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
    { name: 'tmp', mountPath: TMP_DIR },
  ];
  if (spec.audit.enabled) mounts.push({ name: 'audit', mountPath: AUDIT_DIR });
  if (spec.tls !== undefined) mounts.push({ name: 'tls', mountPath: TLS_DIR, readOnly: true });
  if (spec.storage.etcd.tls !== undefined) mounts.push({ name: 'etcd-tls', mountPath: ETCD_TLS_DIR, readOnly: true });
  return [...mounts, ...(spec.pod.extraVolumeMounts ?? [])];
}

function volumes(cluster: VaultCluster): V1Volume[] {
  const names = clusterNames(cluster);
  const { spec } = cluster;
  const configVolume: V1Volume =
    spec.storage.etcd.credentialsSecretRef === undefined
      ? { name: 'config', configMap: { name: names.config } }
      : { name: 'config', emptyDir: { medium: 'Memory' } };
  const list: V1Volume[] = [configVolume, { name: 'tmp', emptyDir: {} }];
  if (spec.storage.etcd.credentialsSecretRef !== undefined) list.push({ name: 'config-template', configMap: { name: names.config } });
  if (spec.audit.enabled) list.push({ name: 'audit', emptyDir: {} });
  if (spec.tls !== undefined) list.push({ name: 'tls', secret: { secretName: spec.tls.secretName } });
  if (spec.storage.etcd.tls !== undefined) list.push({ name: 'etcd-tls', secret: { secretName: spec.storage.etcd.tls.secretName } });
  return [...list, ...(spec.pod.extraVolumes ?? [])];
}

function configRenderer(cluster: VaultCluster, secretName: string): V1Container {
  return {
    name: 'render-config',
    image: cluster.spec.image,
    imagePullPolicy: cluster.spec.imagePullPolicy,
    command: ['node', '-e', CONFIG_RENDER_SCRIPT],
    env: [
      { name: ETCD_USERNAME_ENV, valueFrom: { secretKeyRef: { name: secretName, key: 'username' } } },
      { name: ETCD_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: secretName, key: 'password' } } },
    ],
    volumeMounts: [
      { name: 'config-template', mountPath: CONFIG_TEMPLATE_DIR, readOnly: true },
      { name: 'config', mountPath: CONFIG_DIR },
    ],
    securityContext: restrictedContainerSecurityContext(),
  };
}

/** Prefer one pod per node, so that losing a node loses one server. */
function spreadAcrossNodes(cluster: string): V1Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorLabels(cluster) } } },
      ],
    },
  };
}
