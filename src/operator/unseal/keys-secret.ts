import type { V1Secret } from '@kubernetes/client-node';
import { LABEL_INSTANCE, LABEL_NAME } from '../api/labels.ts';

const SHARE_KEY = /^key-(\d+)$/;
const THRESHOLD_KEY = 'threshold';
const HEX_SHARE = /^(?:[0-9a-f]{2})+$/;
export const KEYS_FOR_ANNOTATION = 'sealbox.dev/unseal-keys-for';

/** What a keys Secret holds, as far as init and unseal are concerned. */
export type KeyShares =
  | { readonly kind: 'missing' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'malformed'; readonly reason: string }
  | { readonly kind: 'ok'; readonly shares: readonly string[]; readonly threshold: number };

/**
 * Reads the shares (`key-0`, `key-1`, ... as hex) and the threshold. A Secret without any share is
 * empty (made by the operator before init, or by a user); one with unreadable data is malformed.
 * Reasons never quote the data.
 */
export function readKeyShares(secret: V1Secret | undefined): KeyShares {
  if (secret === undefined) return { kind: 'missing' };
  const data = secret.data ?? {};
  const entries = Object.entries(data)
    .map(([key, value]) => ({ index: SHARE_KEY.exec(key)?.[1], value }))
    .filter((entry): entry is { index: string; value: string } => entry.index !== undefined)
    .sort((a, b) => Number(a.index) - Number(b.index));
  if (entries.length === 0) return { kind: 'empty' };
  const shares: string[] = [];
  for (const entry of entries) {
    const share = Buffer.from(entry.value, 'base64').toString('utf8').trim();
    if (!HEX_SHARE.test(share)) return { kind: 'malformed', reason: `key-${entry.index} is not a hex-encoded key share` };
    shares.push(share);
  }
  const thresholdText = data[THRESHOLD_KEY] === undefined ? undefined : Buffer.from(data[THRESHOLD_KEY], 'base64').toString('utf8').trim();
  const threshold = thresholdText === undefined ? undefined : Number(thresholdText);
  if (threshold === undefined || !Number.isInteger(threshold) || threshold < 1) return { kind: 'malformed', reason: 'threshold is missing or not a positive integer' };
  if (shares.length < threshold) return { kind: 'malformed', reason: `it holds ${shares.length} key share(s) but ${threshold} are needed to unseal` };
  return { kind: 'ok', shares, threshold };
}

/** The data of a keys Secret: the shares as given by sys/init (hex) and the threshold. */
export function keySharesData(shares: readonly string[], threshold: number): Record<string, string> {
  const data: Record<string, string> = { [THRESHOLD_KEY]: Buffer.from(String(threshold)).toString('base64') };
  shares.forEach((share, index) => {
    data[`key-${index}`] = Buffer.from(share).toString('base64');
  });
  return data;
}

/**
 * The keys Secret as first made, before init: empty, labelled for people to find, and with no
 * owner reference so that deleting the VaultCluster never deletes the keys.
 */
export function emptyKeysSecret(namespace: string, name: string, cluster: string): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name, namespace, labels: { [LABEL_NAME]: 'sealbox', [LABEL_INSTANCE]: cluster }, annotations: { [KEYS_FOR_ANNOTATION]: `${namespace}/${cluster}` } },
  };
}
