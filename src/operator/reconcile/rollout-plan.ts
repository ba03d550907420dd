import type { PodView } from './pod-view.ts';
import { isServing, roleOf } from './pod-view.ts';

/** The one step a rollout takes in this pass. */
export type RolloutStep =
  | { readonly kind: 'none' }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'delete'; readonly pod: string; readonly uid: string; readonly reason: string }
  | { readonly kind: 'step-down'; readonly pod: string };

export interface RolloutInput {
  readonly pods: readonly PodView[];
  readonly replicas: number;
  /** The StatefulSet's updateRevision; undefined until its controller has seen the latest template. */
  readonly updateRevision: string | undefined;
}

/**
 * Replaces outdated pods one at a time so that an active node always exists: first pods that
 * serve nothing anyway (not ready, sealed), then standbys from the highest ordinal down, then the
 * leader, after a step-down has made an updated standby active. Each deletion waits until every
 * other pod is back and serving.
 */
export function planRollout(input: RolloutInput): RolloutStep {
  const { pods, replicas, updateRevision } = input;
  if (updateRevision === undefined) return { kind: 'wait', reason: 'the StatefulSet controller has not seen the new template yet' };
  const outdated = pods.filter((pod) => !pod.deleting && pod.revision !== updateRevision);
  if (outdated.length === 0) return { kind: 'none' };
  const leaving = pods.find((pod) => pod.deleting);
  if (leaving !== undefined) return { kind: 'wait', reason: `pod ${leaving.name} is terminating` };
  if (pods.length < replicas) return { kind: 'wait', reason: `${replicas - pods.length} pod(s) still to be created` };
  const idle = byOrdinalDescending(outdated.filter((pod) => !isServing(pod) && roleOf(pod) !== 'active'));
  const firstIdle = idle[0];
  if (firstIdle !== undefined) return { kind: 'delete', pod: firstIdle.name, uid: firstIdle.uid, reason: 'outdated and not serving' };
  const notServing = pods.find((pod) => !isServing(pod));
  if (notServing !== undefined) return { kind: 'wait', reason: `pod ${notServing.name} is not yet ready and unsealed` };
  const standby = byOrdinalDescending(outdated.filter((pod) => roleOf(pod) === 'standby'))[0];
  if (standby !== undefined) return { kind: 'delete', pod: standby.name, uid: standby.uid, reason: 'outdated standby' };
  const leader = outdated.find((pod) => roleOf(pod) === 'active');
  if (leader === undefined) return { kind: 'wait', reason: 'no active node to hand over from' };
  if (pods.length === 1) return { kind: 'delete', pod: leader.name, uid: leader.uid, reason: 'outdated, and the only pod' };
  return { kind: 'step-down', pod: leader.name };
}

function byOrdinalDescending(pods: readonly PodView[]): PodView[] {
  return [...pods].sort((a, b) => b.ordinal - a.ordinal);
}
