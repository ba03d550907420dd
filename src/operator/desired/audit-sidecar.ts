import type { V1Container } from '@kubernetes/client-node';
import type { VaultCluster } from '../api/vault-cluster.ts';
import { AUDIT_DIR, AUDIT_FILE, AUDIT_SOCKET } from './ports.ts';
import { restrictedContainerSecurityContext } from './security-context.ts';

export const AUDIT_SIDECAR_NAME = 'audit';
export const DEFAULT_FILE_SIDECAR_IMAGE = 'busybox:1.36';

/**
 * Listens on the audit socket and copies every entry to its standard output, where the node's log
 * collection picks it up. Runs on the server image's Node; a stale socket file from an earlier run
 * of the container is removed first.
 */
export const SOCKET_SINK_SCRIPT = [
  "const fs = require('node:fs');",
  "const net = require('node:net');",
  `const path = ${JSON.stringify(AUDIT_SOCKET)};`,
  'try { fs.unlinkSync(path); } catch {}',
  'net.createServer((socket) => socket.pipe(process.stdout, { end: false })).listen(path);',
  "process.on('SIGTERM', () => process.exit(0));",
].join(' ');

/** The audit sidecar for the spec's device: tails the audit file, or serves the audit socket. */
export function auditSidecar(cluster: VaultCluster): V1Container | undefined {
  const { audit } = cluster.spec;
  if (!audit.enabled || !audit.sidecar.enabled) return undefined;
  const socket = audit.device === 'socket';
  const image = audit.sidecar.image ?? (socket ? cluster.spec.image : DEFAULT_FILE_SIDECAR_IMAGE);
  return {
    name: AUDIT_SIDECAR_NAME,
    image,
    imagePullPolicy: cluster.spec.imagePullPolicy,
    command: socket ? ['node', '-e', SOCKET_SINK_SCRIPT] : ['tail', '-n', '+1', '-F', AUDIT_FILE],
    volumeMounts: [{ name: 'audit', mountPath: AUDIT_DIR, readOnly: !socket }],
    securityContext: restrictedContainerSecurityContext(),
    ...(audit.sidecar.resources === undefined ? {} : { resources: audit.sidecar.resources }),
  };
}
