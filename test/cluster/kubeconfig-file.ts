import { writeFile } from 'node:fs/promises';

export interface KubeconfigParts {
  readonly server: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly user: string;
}

/** Writes a one-context kubeconfig (JSON, which kubectl and every client read as YAML). */
export async function writeKubeconfig(path: string, parts: KubeconfigParts): Promise<void> {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sealbox-test', cluster: { server: parts.server, 'certificate-authority': parts.caFile } }],
    users: [{ name: parts.user, user: { 'client-certificate': parts.certFile, 'client-key': parts.keyFile } }],
    contexts: [{ name: 'sealbox-test', context: { cluster: 'sealbox-test', user: parts.user, namespace: 'default' } }],
    'current-context': 'sealbox-test',
  };
  await writeFile(path, `${JSON.stringify(config, undefined, 2)}\n`, { mode: 0o600 });
}
