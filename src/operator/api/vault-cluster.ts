import type {
  V1Affinity,
  V1Container,
  V1EnvVar,
  V1PodSecurityContext,
  V1ResourceRequirements,
  V1SecurityContext,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';

/**
 * The VaultCluster resource as the API server returns it. crds/vaultclusters.sealbox.dev.yaml is
 * the source; a test checks these types against it (a field is required here when the schema
 * requires it or gives it a default, since the API server applies defaults on every read).
 */
export const GROUP = 'sealbox.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'VaultCluster';
export const PLURAL = 'vaultclusters';

export interface VaultCluster {
  apiVersion?: string;
  kind?: string;
  metadata?: VaultClusterMetadata;
  spec: VaultClusterSpec;
  status?: VaultClusterStatus;
}

export interface VaultClusterMetadata {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface VaultClusterSpec {
  replicas: number;
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  imagePullSecrets?: NameRef[];
  storage: StorageSpec;
  /** Extra server configuration in Vault's JSON form, merged under the operator's keys. */
  config?: Record<string, unknown>;
  tls?: TlsSpec;
  unseal: UnsealSpec;
  audit: AuditSpec;
  metrics: MetricsSpec;
  kubernetesAuth: KubernetesAuthSpec;
  pod: PodSpec;
  updateStrategy: UpdateStrategySpec;
  podDisruptionBudget: PodDisruptionBudgetSpec;
  deletionPolicy: 'Retain' | 'Delete';
  paused: boolean;
}

export interface NameRef {
  name: string;
}

export interface StorageSpec {
  etcd: EtcdSpec;
}

export interface EtcdSpec {
  endpoints: string[];
  prefix?: string;
  tls?: TlsSpec;
  credentialsSecretRef?: NameRef;
  requestTimeout: string;
  lockTimeout: string;
}

export interface TlsSpec {
  secretName: string;
}

export interface UnsealSpec {
  secretShares: number;
  secretThreshold: number;
  keysSecretRef?: NameRef;
  rootToken: RootTokenSpec;
}

export interface RootTokenSpec {
  store: boolean;
  secretName?: string;
}

export interface AuditSpec {
  enabled: boolean;
  device: 'file' | 'socket';
  sidecar: AuditSidecarSpec;
}

export interface AuditSidecarSpec {
  enabled: boolean;
  image?: string;
  resources?: V1ResourceRequirements;
}

export interface MetricsSpec {
  enabled: boolean;
  port: number;
  serviceMonitor: ServiceMonitorSpec;
}

export interface ServiceMonitorSpec {
  enabled: boolean;
  interval: string;
}

export interface KubernetesAuthSpec {
  enabled: boolean;
  path: string;
  kubernetesHost?: string;
  roles?: KubernetesAuthRole[];
}

export interface KubernetesAuthRole {
  name: string;
  boundServiceAccountNames: string[];
  boundServiceAccountNamespaces: string[];
  policies?: string[];
  audience?: string;
  ttl?: string;
}

export interface PodSpec {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resources?: V1ResourceRequirements;
  affinity?: V1Affinity;
  tolerations?: V1Toleration[];
  nodeSelector?: Record<string, string>;
  priorityClassName?: string;
  securityContext?: V1PodSecurityContext;
  containerSecurityContext?: V1SecurityContext;
  env?: V1EnvVar[];
  extraVolumes?: V1Volume[];
  extraVolumeMounts?: V1VolumeMount[];
  sidecars?: V1Container[];
  terminationGracePeriodSeconds?: number;
}

export interface UpdateStrategySpec {
  type: 'OperatorManaged' | 'OnDelete';
}

export interface PodDisruptionBudgetSpec {
  enabled: boolean;
  maxUnavailable?: number;
}

export type Phase = 'Pending' | 'Initializing' | 'Unsealing' | 'Running' | 'Updating' | 'Degraded' | 'Paused' | 'Deleting';

export interface VaultClusterStatus {
  observedGeneration?: number;
  phase?: Phase;
  replicas?: number;
  readyReplicas?: number;
  selector?: string;
  initialized?: boolean;
  leader?: string;
  sealedPods?: string[];
  updatedPods?: string[];
  currentRevision?: string;
  updateRevision?: string;
  keysSecretName?: string;
  configuredHash?: string;
  managedRoles?: string[];
  conditions?: Condition[];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}
