import { setTimeout as sleep } from 'node:timers/promises';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { parseDurationMs } from '../lib/duration.ts';
import { isNotFound } from '../operator/kube/api-errors.ts';
import type { CommandIo } from './command-io.ts';
import { parseFlags } from './flags.ts';
import { loadKubeConfig } from './kube-config.ts';

const USAGE = `Usage: sealbox operator delete-cluster [options] NAME...

  Deletes VaultClusters and waits until the operator has finalized them (removed what owner
  references cannot, and the data when deletionPolicy is Delete). The Helm chart runs it before
  uninstalling, while the operator still runs: deleted after the operator, a VaultCluster would
  wait for its finalizer forever.

Options:
  -namespace NS     namespace of the VaultClusters (default: POD_NAMESPACE, or default)
  -timeout DURATION how long to wait for them to be gone (default 5m)
  -kubeconfig FILE  kubeconfig to use; in-cluster config when running in a pod`;

const CLUSTERS = { group: 'sealbox.dev', version: 'v1alpha1', plural: 'vaultclusters' } as const;
const POLL_MS = 1000;

/** `sealbox operator delete-cluster`: exit 0 once every named VaultCluster is gone, 2 on timeout. */
export async function operatorDeleteClusterCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const flags = parseFlags(args, new Set(['help', 'h']));
  if (flags.booleans.has('help') || flags.booleans.has('h')) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const timeoutMs = parseDurationMs(flags.values.get('timeout') ?? '5m');
  if (flags.positional.length === 0 || timeoutMs === undefined || timeoutMs <= 0) {
    io.stderr.write(`${USAGE}\n`);
    return 1;
  }
  const namespace = flags.values.get('namespace') ?? io.env['POD_NAMESPACE'] ?? 'default';
  const api = loadKubeConfig(flags.values.get('kubeconfig'), io.env).makeApiClient(CustomObjectsApi);
  for (const name of flags.positional) {
    try {
      await api.deleteNamespacedCustomObject({ ...CLUSTERS, namespace, name });
      io.stdout.write(`vaultcluster ${namespace}/${name} deleted; waiting for the operator to finalize it\n`);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (const name of flags.positional) {
    while (await exists(api, namespace, name)) {
      if (Date.now() >= deadline) {
        io.stderr.write(`vaultcluster ${namespace}/${name} is still there after ${flags.values.get('timeout') ?? '5m'}: is the operator running?\n`);
        return 2;
      }
      await sleep(POLL_MS);
    }
    io.stdout.write(`vaultcluster ${namespace}/${name} is gone\n`);
  }
  return 0;
}

async function exists(api: CustomObjectsApi, namespace: string, name: string): Promise<boolean> {
  try {
    await api.getNamespacedCustomObject({ ...CLUSTERS, namespace, name });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
