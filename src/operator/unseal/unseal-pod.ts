import type { PodAddress, ServerClient } from './server-client.ts';
import { errorText } from './server-client.ts';

export type UnsealOutcome = { readonly unsealed: true } | { readonly unsealed: false; readonly reason: string; readonly badKeys: boolean };

/**
 * Unseals one pod by its own address: clears any half-done attempt, then gives shares until the
 * server says it is unsealed. A refused share means the Secret's keys do not belong to this
 * cluster's storage.
 */
export async function unsealPod(client: ServerClient, pod: PodAddress, shares: readonly string[], threshold: number): Promise<UnsealOutcome> {
  const reset = await client.call(pod, 'PUT', 'sys/unseal', { reset: true });
  if (reset.status !== 200) return { unsealed: false, reason: `reset: ${errorText(reset)}`, badKeys: false };
  for (const share of shares.slice(0, threshold)) {
    const answer = await client.call(pod, 'PUT', 'sys/unseal', { key: share });
    if (answer.status === 400) return { unsealed: false, reason: `a key share was refused (${errorText(answer)})`, badKeys: true };
    if (answer.status !== 200) return { unsealed: false, reason: errorText(answer), badKeys: false };
    if (answer.body['sealed'] === false) return { unsealed: true };
  }
  return { unsealed: false, reason: `still sealed after ${threshold} key shares`, badKeys: true };
}
