import type { VaultCluster } from './vault-cluster.ts';

export interface SpecProblems {
  /** Problems that stop the reconcile: nothing is changed until the spec is fixed. */
  readonly errors: readonly string[];
  /** Things the operator overrides or ignores, reported but not blocking. */
  readonly warnings: readonly string[];
}

/** Server config keys the operator sets itself; user values for them are ignored. */
export const OPERATOR_CONFIG_KEYS = ['storage', 'backend', 'ha_storage', 'listener', 'api_addr', 'cluster_addr'] as const;

const DURATION = /^[0-9]+(ms|s|m)$/;
const ENDPOINT = /^https?:\/\/[^\s,]+$/;

/**
 * What the CRD schema checks, checked again (a cluster may run an older CRD, or none of its CEL
 * rules), plus the rules a schema cannot say. Every problem names its field.
 */
export function validateSpec(cluster: VaultCluster): SpecProblems {
  const errors: string[] = [];
  const warnings: string[] = [];
  const spec = cluster.spec as Partial<VaultCluster['spec']> | undefined;
  if (spec === undefined || spec === null) return { errors: ['spec: required'], warnings };
  if (!Number.isInteger(spec.replicas) || (spec.replicas ?? 0) < 1) errors.push(`spec.replicas: must be at least 1, got ${String(spec.replicas)}`);
  const storage = spec.storage as Record<string, unknown> | undefined;
  const etcd = spec.storage?.etcd;
  if (storage === undefined || etcd === undefined) {
    const other = Object.keys(storage ?? {}).filter((key) => key !== 'etcd');
    errors.push(other.length > 0 ? `spec.storage: unsupported storage ${other.join(', ')}; only etcd is supported` : 'spec.storage.etcd: required');
  } else {
    if (!Array.isArray(etcd.endpoints) || etcd.endpoints.length === 0) errors.push('spec.storage.etcd.endpoints: at least one endpoint is required');
    for (const endpoint of etcd.endpoints ?? []) if (!ENDPOINT.test(endpoint)) errors.push(`spec.storage.etcd.endpoints: "${endpoint}" is not an http(s) URL`);
    for (const field of ['requestTimeout', 'lockTimeout'] as const) {
      const value = etcd[field];
      if (value !== undefined && !DURATION.test(value)) errors.push(`spec.storage.etcd.${field}: "${value}" is not a duration like 5s`);
    }
    if (etcd.prefix !== undefined && !etcd.prefix.startsWith('/')) errors.push('spec.storage.etcd.prefix: must start with /');
  }
  const unseal = spec.unseal;
  if (unseal !== undefined) {
    const { secretShares: shares, secretThreshold: threshold } = unseal;
    if (!Number.isInteger(shares) || shares < 1 || shares > 255) errors.push(`spec.unseal.secretShares: must be 1 to 255, got ${String(shares)}`);
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > 255) errors.push(`spec.unseal.secretThreshold: must be 1 to 255, got ${String(threshold)}`);
    if (threshold > shares) errors.push(`spec.unseal.secretThreshold: ${threshold} is greater than secretShares (${shares})`);
    if (shares > 1 && threshold === 1) warnings.push('spec.unseal: a threshold of 1 makes every share a full unseal key');
  }
  if (spec.audit?.enabled === true && spec.audit.device === 'socket' && !spec.audit.sidecar.enabled) {
    errors.push('spec.audit.sidecar.enabled: the socket device needs the sidecar that listens on the socket');
  }
  if (spec.config !== undefined && (spec.config === null || typeof spec.config !== 'object' || Array.isArray(spec.config))) {
    errors.push('spec.config: must be an object');
  } else if (spec.config !== undefined) {
    for (const key of OPERATOR_CONFIG_KEYS) {
      if (key in spec.config) warnings.push(`spec.config.${key}: set by the operator; this value is ignored`);
    }
    const telemetry = spec.config['telemetry'];
    if (telemetry !== null && typeof telemetry === 'object' && 'metrics_address' in telemetry && spec.metrics?.enabled === true) {
      warnings.push('spec.config.telemetry.metrics_address: set by the operator from spec.metrics; this value is ignored');
    }
  }
  return { errors, warnings };
}
