import type { PodAddress, ServerClient } from './server-client.ts';

/** What a pod's server says about itself (sys/health), or why it could not be asked. */
export type ServerState =
  | { readonly reachable: true; readonly initialized: boolean; readonly sealed: boolean; readonly standby: boolean }
  | { readonly reachable: false; readonly reason: string };

/** Asks one pod, by its own address; every answer of sys/health (200, 429, 503, 501) carries the state. */
export async function serverState(client: ServerClient, pod: PodAddress): Promise<ServerState> {
  try {
    const answer = await client.call(pod, 'GET', 'sys/health');
    const { initialized, sealed, standby } = answer.body;
    if (typeof initialized !== 'boolean' || typeof sealed !== 'boolean') return { reachable: false, reason: `sys/health answered HTTP ${answer.status} without a state` };
    return { reachable: true, initialized, sealed, standby: standby === true };
  } catch (error) {
    return { reachable: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
