import type { V1Pod } from '@kubernetes/client-node';
import type { PodRole } from '../api/labels.ts';
import { LABEL_REVISION } from '../api/labels.ts';
import type { ServerState } from '../unseal/server-health.ts';

/** One server pod as a reconcile pass sees it: the Kubernetes side and what its server said. */
export interface PodView {
  readonly name: string;
  readonly ordinal: number;
  readonly uid: string;
  readonly ip: string | undefined;
  readonly revision: string | undefined;
  /** Being deleted (a deletionTimestamp is set). */
  readonly deleting: boolean;
  /** The pod's Ready condition. */
  readonly podReady: boolean;
  readonly state: ServerState;
}

export function ordinalOf(podName: string, statefulSet: string): number | undefined {
  const match = new RegExp(`^${statefulSet.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(podName);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export function podReadyCondition(pod: V1Pod): boolean {
  return (pod.status?.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True');
}

export function podRevision(pod: V1Pod): string | undefined {
  return pod.metadata?.labels?.[LABEL_REVISION];
}

/** The role label a pod should carry for what its server said; undefined when it could not be asked. */
export function roleOf(view: PodView): PodRole | undefined {
  if (!view.state.reachable) return undefined;
  if (!view.state.initialized) return 'uninitialized';
  if (view.state.sealed) return 'sealed';
  return view.state.standby ? 'standby' : 'active';
}

/** Serving: Ready, initialized and unsealed, and not on its way out. */
export function isServing(view: PodView): boolean {
  const role = roleOf(view);
  return !view.deleting && view.podReady && (role === 'active' || role === 'standby');
}
