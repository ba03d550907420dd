import type { V1Secret } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeApi } from '../kube/kube-api.ts';
import { emptyKeysSecret, keySharesData } from './keys-secret.ts';
import type { PodAddress, ServerClient } from './server-client.ts';
import { errorText } from './server-client.ts';

export interface InitRequest {
  readonly namespace: string;
  readonly cluster: string;
  readonly keysSecret: string;
  /** Whether the keys Secret must first be made (it did not exist). */
  readonly createKeysSecret: boolean;
  readonly shares: number;
  readonly threshold: number;
  /** Where to keep the root token, when the spec asks for it. */
  readonly rootTokenSecret: string | undefined;
}

const SAVE_ATTEMPTS = 5;
const SAVE_RETRY_MS = 1000;

/**
 * Initializes the cluster through pod 0 and puts the shares in the keys Secret. The Secret exists
 * (empty) before sys/init is called, so that the only window where shares exist in memory alone is
 * one write, retried a few times. Returns the root token, for the setup that follows.
 */
export async function initCluster(kube: KubeApi, client: ServerClient, pod0: PodAddress, request: InitRequest): Promise<string> {
  if (request.createKeysSecret) await kube.create(emptyKeysSecret(request.namespace, request.keysSecret, request.cluster));
  const answer = await client.call(pod0, 'PUT', 'sys/init', { secret_shares: request.shares, secret_threshold: request.threshold });
  if (answer.status !== 200) throw new Error(`sys/init on ${pod0.pod}: ${errorText(answer)}`);
  const keys = answer.body['keys'];
  const rootToken = answer.body['root_token'];
  if (!Array.isArray(keys) || typeof rootToken !== 'string') throw new Error(`sys/init on ${pod0.pod} answered without keys`);
  await saveWithRetries(() => kube.mergePatch<V1Secret>({ apiVersion: 'v1', kind: 'Secret', namespace: request.namespace, name: request.keysSecret }, { data: keySharesData(keys.map(String), request.threshold) }));
  if (request.rootTokenSecret !== undefined) {
    const secret: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: request.rootTokenSecret, namespace: request.namespace, annotations: { 'sealbox.dev/root-token-for': `${request.namespace}/${request.cluster}` } },
      data: { token: Buffer.from(rootToken).toString('base64') },
    };
    await saveWithRetries(() => kube.create(secret));
  }
  return rootToken;
}

async function saveWithRetries(save: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await save();
      return;
    } catch (error) {
      if (attempt >= SAVE_ATTEMPTS) throw error;
      await sleep(SAVE_RETRY_MS);
    }
  }
}
