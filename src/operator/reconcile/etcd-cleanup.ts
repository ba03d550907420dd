import { Etcd3 } from 'etcd3';
import type { IOptions } from 'etcd3';
import type { V1Secret } from '@kubernetes/client-node';
import { clusterNames } from '../api/names.ts';
import type { VaultCluster } from '../api/vault-cluster.ts';

export type SecretReader = (namespace: string, name: string) => Promise<V1Secret | undefined>;

/** Removes a deleted cluster's data (deletionPolicy Delete): every key under its etcd prefix. */
export async function deleteEtcdData(cluster: VaultCluster, readSecret: SecretReader): Promise<void> {
  const names = clusterNames(cluster);
  const etcd = cluster.spec.storage.etcd;
  const options: IOptions = { hosts: [...etcd.endpoints], dialTimeout: 5000 };
  if (etcd.tls !== undefined) {
    const secret = await readSecret(names.namespace, etcd.tls.secretName);
    const file = (key: string) => (secret?.data?.[key] === undefined ? undefined : Buffer.from(secret.data[key], 'base64'));
    const ca = file('ca.crt');
    if (ca === undefined) throw new Error(`etcd TLS Secret ${etcd.tls.secretName} has no ca.crt`);
    const certChain = file('tls.crt');
    const privateKey = file('tls.key');
    options.credentials = { rootCertificate: ca, ...(certChain === undefined || privateKey === undefined ? {} : { certChain, privateKey }) };
  }
  if (etcd.credentialsSecretRef !== undefined) {
    const secret = await readSecret(names.namespace, etcd.credentialsSecretRef.name);
    const text = (key: string) => Buffer.from(secret?.data?.[key] ?? '', 'base64').toString('utf8');
    options.auth = { username: text('username'), password: text('password') };
  }
  const client = new Etcd3(options);
  try {
    await client.delete().prefix(names.etcdPrefix).exec();
  } finally {
    client.close();
  }
}
