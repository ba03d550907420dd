import { randomBytes } from 'node:crypto';
import { uuid } from '../../lib/random-id.ts';
import type { SecureStorage } from '../barrier/secure-storage.ts';
import { getJson, putJson } from '../barrier/secure-storage.ts';

const CLUSTER_INFO_PATH = 'core/cluster/local/info';

export interface ClusterInfo {
  readonly name: string;
  readonly id: string;
}

/** The cluster's name and id, made once at init and read on every unseal. */
export async function ensureClusterInfo(storage: SecureStorage, configuredName?: string): Promise<ClusterInfo> {
  const stored = await getJson<ClusterInfo>(storage, CLUSTER_INFO_PATH);
  if (stored !== undefined) return stored;
  const info: ClusterInfo = {
    name: configuredName ?? `vault-cluster-${randomBytes(4).toString('hex')}`,
    id: uuid(),
  };
  await putJson(storage, CLUSTER_INFO_PATH, info);
  return info;
}
