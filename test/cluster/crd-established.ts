import { waitUntil } from './wait-until.ts';

type Kubectl = (args: readonly string[], stdin?: string) => Promise<string>;

/**
 * Waits until the API server reports a CRD Established. Not `kubectl wait --for=condition=...`:
 * right after an apply the CRD can still have no status.conditions, and kubectl then fails at once
 * (".status.conditions accessor error: <nil> is of the type <nil>") instead of waiting.
 */
export async function crdEstablished(kubectl: Kubectl, name: string): Promise<void> {
  await waitUntil(async () => {
    const status = await kubectl(['get', 'crd', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']);
    return status.trim() === 'True' ? true : undefined;
  }, { timeoutMs: 60_000, intervalMs: 200, what: `CRD ${name} to be established` });
}
