import { createHash } from 'node:crypto';
import type { VaultCluster } from '../api/vault-cluster.ts';
import { AUDIT_FILE, AUDIT_SOCKET } from '../desired/ports.ts';
import type { PodAddress, ServerClient } from '../unseal/server-client.ts';
import { errorText } from '../unseal/server-client.ts';

/** What the operator sets up inside the cluster's barrier (replicated to every pod through storage). */
export interface ServerSettings {
  readonly audit: { readonly device: 'file' | 'socket' } | undefined;
  readonly kubernetesAuth: { readonly path: string; readonly host: string; readonly roles: readonly KubernetesRoleSettings[] } | undefined;
}

export interface KubernetesRoleSettings {
  readonly name: string;
  readonly boundServiceAccountNames: readonly string[];
  readonly boundServiceAccountNamespaces: readonly string[];
  readonly policies: readonly string[];
  readonly audience: string | undefined;
  readonly ttl: string | undefined;
}

const AUDIT_DEVICES = ['file', 'socket'] as const;

export function desiredServerSettings(cluster: VaultCluster, defaultKubernetesHost: string): ServerSettings {
  const { audit, kubernetesAuth } = cluster.spec;
  return {
    audit: audit.enabled ? { device: audit.device } : undefined,
    kubernetesAuth: kubernetesAuth.enabled
      ? {
          path: kubernetesAuth.path,
          host: kubernetesAuth.kubernetesHost ?? defaultKubernetesHost,
          roles: (kubernetesAuth.roles ?? []).map((role) => ({
            name: role.name,
            boundServiceAccountNames: role.boundServiceAccountNames,
            boundServiceAccountNamespaces: role.boundServiceAccountNamespaces,
            policies: role.policies ?? [],
            audience: role.audience,
            ttl: role.ttl,
          })),
        }
      : undefined,
  };
}

/** Changes when the settings do; status.configuredHash remembers what was last applied. */
export function settingsHash(settings: ServerSettings): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
}

/**
 * Makes the server match the settings, idempotently: the audit device (the other device type the
 * operator manages is disabled), and the kubernetes auth method with its config and roles. Roles
 * the operator made before and that left the spec are deleted; others are left alone.
 * Returns the names of the roles it now manages.
 */
export async function applyServerSettings(client: ServerClient, active: PodAddress, token: string, settings: ServerSettings, previouslyManagedRoles: readonly string[]): Promise<string[]> {
  const call = async (method: string, path: string, body?: unknown) => {
    const answer = await client.call(active, method, path, body, token);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${errorText(answer)}`);
    return answer.body;
  };
  const audits = await call('GET', 'sys/audit');
  for (const device of AUDIT_DEVICES) {
    const present = `${device}/` in audits || `${device}/` in ((audits['data'] as Record<string, unknown> | undefined) ?? {});
    const wanted = settings.audit?.device === device;
    if (present && !wanted) await call('DELETE', `sys/audit/${device}`);
    if (!present && wanted) await call('PUT', `sys/audit/${device}`, auditDevice(device));
  }
  const auth = settings.kubernetesAuth;
  if (auth === undefined) return [];
  const mounts = await call('GET', 'sys/auth');
  const mounted = `${auth.path}/` in mounts || `${auth.path}/` in ((mounts['data'] as Record<string, unknown> | undefined) ?? {});
  if (!mounted) await call('PUT', `sys/auth/${auth.path}`, { type: 'kubernetes', description: 'service account logins, set up by sealbox-operator' });
  await call('PUT', `auth/${auth.path}/config`, { kubernetes_host: auth.host });
  for (const role of auth.roles) {
    await call('PUT', `auth/${auth.path}/role/${role.name}`, {
      bound_service_account_names: role.boundServiceAccountNames,
      bound_service_account_namespaces: role.boundServiceAccountNamespaces,
      token_policies: role.policies,
      ...(role.audience === undefined ? {} : { audience: role.audience }),
      ...(role.ttl === undefined ? {} : { token_ttl: role.ttl }),
    });
  }
  const kept = new Set(auth.roles.map((role) => role.name));
  for (const name of previouslyManagedRoles) if (!kept.has(name)) await call('DELETE', `auth/${auth.path}/role/${name}`);
  return [...kept].sort();
}

function auditDevice(device: 'file' | 'socket'): Record<string, unknown> {
  return device === 'file'
    ? { type: 'file', description: 'read by the audit sidecar', options: { file_path: AUDIT_FILE } }
    : { type: 'socket', description: 'read by the audit sidecar', options: { address: AUDIT_SOCKET, socket_type: 'unix' } };
}
