import { isDeepStrictEqual } from 'node:util';
import { findCondition, mergeConditions } from '../api/conditions.ts';
import type { ConditionInput, ConditionReason } from '../api/conditions.ts';
import { labelSelectorString, selectorLabels } from '../api/labels.ts';
import { clusterNames } from '../api/names.ts';
import type { Phase, VaultCluster, VaultClusterStatus } from '../api/vault-cluster.ts';
import type { PodView } from './pod-view.ts';
import { isServing, roleOf } from './pod-view.ts';

/** A problem found in this pass: Degraded=True with this reason. */
export interface Problem {
  readonly reason: ConditionReason;
  readonly message: string;
}

export interface StatusInput {
  readonly cluster: VaultCluster;
  readonly pods: readonly PodView[];
  readonly initialized: boolean;
  readonly updateRevision: string | undefined;
  readonly currentRevision: string | undefined;
  readonly problem: Problem | undefined;
  /** Why the rollout waits or what it did, when pods are outdated. */
  readonly rolloutNote: string | undefined;
  readonly configuredHash: string | undefined;
  readonly managedRoles: readonly string[] | undefined;
  readonly now: Date;
}

/** The whole status from what this pass saw; pure, so that an unchanged cluster gives an identical status. */
export function computeStatus(input: StatusInput): VaultClusterStatus {
  const { cluster, pods, initialized, updateRevision } = input;
  const names = clusterNames(cluster);
  const live = pods.filter((pod) => !pod.deleting);
  const leader = live.find((pod) => roleOf(pod) === 'active');
  const sealed = live.filter((pod) => roleOf(pod) === 'sealed').map((pod) => pod.name);
  const unknown = live.filter((pod) => roleOf(pod) === undefined || roleOf(pod) === 'uninitialized').map((pod) => pod.name);
  const updated = updateRevision === undefined ? [] : live.filter((pod) => pod.revision === updateRevision).map((pod) => pod.name);
  const outdated = live.length - updated.length;
  const replicas = cluster.spec.replicas;
  const allServing = live.length === replicas && live.every(isServing);
  const generation = cluster.metadata?.generation ?? 0;

  // A replaced pod is briefly absent: the rollout goes on until every pod is back and serving.
  const wasRolling = findCondition(cluster.status?.conditions, 'Progressing')?.reason === 'RolloutInProgress';
  const rolling = updateRevision !== undefined && (outdated > 0 || (wasRolling && !allServing));
  const progressing: ConditionInput =
    rolling
      ? { type: 'Progressing', status: true, reason: 'RolloutInProgress', message: `${updated.length} of ${live.length} pods updated${input.rolloutNote === undefined ? '' : `; ${input.rolloutNote}`}` }
      : live.length !== replicas || pods.length !== live.length
        ? { type: 'Progressing', status: true, reason: 'ScalingInProgress', message: `${live.length} of ${replicas} pods exist` }
        : !allServing
          ? { type: 'Progressing', status: true, reason: 'PodsStarting', message: `${live.filter(isServing).length} of ${replicas} pods are ready and unsealed` }
          : // Until the StatefulSet controller has seen the applied template, nobody knows whether pods are outdated.
            updateRevision === undefined
            ? { type: 'Progressing', status: true, reason: 'RevisionPending', message: 'waiting for the StatefulSet controller to observe the pod template' }
            : { type: 'Progressing', status: false, reason: 'UpToDate', message: `all ${replicas} pods are updated, ready and unsealed` };
  const conditions = mergeConditions(
    cluster.status?.conditions,
    [
      leader === undefined
        ? { type: 'Available', status: false, reason: 'NoActiveNode', message: 'no pod is active' }
        : { type: 'Available', status: true, reason: 'ActiveNodePresent', message: `${leader.name} is active` },
      initialized
        ? { type: 'Initialized', status: true, reason: 'Initialized', message: 'the cluster is initialized' }
        : { type: 'Initialized', status: false, reason: live.length === 0 ? 'WaitingForPod' : 'NotInitialized', message: live.length === 0 ? 'waiting for the first pod' : 'the cluster is not initialized yet' },
      sealed.length === 0 && unknown.length === 0 && live.length > 0
        ? { type: 'Unsealed', status: true, reason: 'AllUnsealed', message: `all ${live.length} pods are unsealed` }
        : { type: 'Unsealed', status: false, reason: 'PodsSealed', message: describeSealed(sealed, unknown, live.length) },
      progressing,
      input.problem === undefined
        ? { type: 'Degraded', status: false, reason: 'AsExpected', message: 'no problems' }
        : { type: 'Degraded', status: true, reason: input.problem.reason, message: input.problem.message },
    ],
    generation,
    input.now,
  );
  return {
    observedGeneration: generation,
    phase: phaseOf(input, leader !== undefined, sealed.length > 0, progressing.status === true),
    replicas: live.length,
    readyReplicas: live.filter((pod) => pod.podReady).length,
    selector: labelSelectorString(selectorLabels(names.cluster)),
    initialized,
    ...(leader === undefined ? {} : { leader: leader.name }),
    sealedPods: sealed,
    updatedPods: updated,
    ...currentRevision(input, rolling, allServing),
    ...(updateRevision === undefined ? {} : { updateRevision }),
    keysSecretName: names.keysSecret,
    ...(input.configuredHash === undefined ? {} : { configuredHash: input.configuredHash }),
    ...(input.managedRoles === undefined ? {} : { managedRoles: [...input.managedRoles] }),
    conditions,
  };
}

/** With OnDelete the StatefulSet never advances its currentRevision: it is the revision every pod runs, once they all do. */
function currentRevision(input: StatusInput, rolling: boolean, allServing: boolean): { currentRevision?: string } {
  if (!rolling && allServing && input.updateRevision !== undefined) return { currentRevision: input.updateRevision };
  const previous = input.cluster.status?.currentRevision ?? input.currentRevision;
  return previous === undefined ? {} : { currentRevision: previous };
}

function phaseOf(input: StatusInput, available: boolean, anySealed: boolean, progressing: boolean): Phase {
  if (input.problem !== undefined) return 'Degraded';
  if (input.pods.length === 0) return 'Pending';
  if (!input.initialized) return 'Initializing';
  if (anySealed || !available) return 'Unsealing';
  return progressing ? 'Updating' : 'Running';
}

function describeSealed(sealed: readonly string[], unknown: readonly string[], live: number): string {
  if (live === 0) return 'no pods';
  const parts: string[] = [];
  if (sealed.length > 0) parts.push(`sealed: ${sealed.join(', ')}`);
  if (unknown.length > 0) parts.push(`not answering or not initialized: ${unknown.join(', ')}`);
  return parts.join('; ');
}

/**
 * The merge patch that turns `previous` into `next` (null removes a field), or undefined when
 * they are equal, so that an unchanged cluster writes no status.
 */
export function statusPatch(previous: VaultClusterStatus | undefined, next: VaultClusterStatus): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  const old = (previous ?? {}) as Record<string, unknown>;
  const fresh = next as Record<string, unknown>;
  for (const key of new Set([...Object.keys(old), ...Object.keys(fresh)])) {
    if (isDeepStrictEqual(old[key], fresh[key])) continue;
    patch[key] = fresh[key] === undefined ? null : fresh[key];
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}
