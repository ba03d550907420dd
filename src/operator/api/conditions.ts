import { rfc3339Seconds } from '../../lib/rfc3339.ts';
import type { Condition } from './vault-cluster.ts';

/** The condition types of a VaultCluster's status. */
export type ConditionType = 'Available' | 'Initialized' | 'Unsealed' | 'Progressing' | 'Degraded';

export const CONDITION_TYPES: readonly ConditionType[] = ['Available', 'Initialized', 'Unsealed', 'Progressing', 'Degraded'];

/** Every reason the operator gives, so that users and tests can match on them. */
export type ConditionReason =
  // Available
  | 'ActiveNodePresent'
  | 'NoActiveNode'
  // Initialized
  | 'Initialized'
  | 'WaitingForPod'
  | 'NotInitialized'
  // Unsealed
  | 'AllUnsealed'
  | 'PodsSealed'
  // Progressing
  | 'RolloutInProgress'
  | 'ScalingInProgress'
  | 'PodsStarting'
  | 'RevisionPending'
  | 'UpToDate'
  | 'Paused'
  // Degraded
  | 'AsExpected'
  | 'InvalidSpec'
  | 'KeysSecretMissing'
  | 'KeysSecretMalformed'
  | 'KeysSecretNotEmpty'
  | 'StorageLost'
  | 'ResourceConflict'
  | 'ConfigConflict'
  | 'ServerConfigurationFailed'
  | 'UnsealFailed'
  | 'ApiError';

export interface ConditionInput {
  readonly type: ConditionType;
  readonly status: boolean | 'Unknown';
  readonly reason: ConditionReason;
  readonly message: string;
}

/**
 * The new list of conditions: each input replaces the condition of its type, keeping the old
 * lastTransitionTime when the status did not change (so that an unchanged cluster writes nothing).
 */
export function mergeConditions(previous: readonly Condition[] | undefined, inputs: readonly ConditionInput[], generation: number, now: Date): Condition[] {
  const byType = new Map((previous ?? []).map((condition) => [condition.type, condition]));
  for (const input of inputs) {
    const status = input.status === 'Unknown' ? 'Unknown' : input.status ? 'True' : 'False';
    const old = byType.get(input.type);
    byType.set(input.type, {
      type: input.type,
      status,
      observedGeneration: generation,
      lastTransitionTime: old !== undefined && old.status === status ? old.lastTransitionTime : rfc3339Seconds(now),
      reason: input.reason,
      message: input.message,
    });
  }
  const order = (type: string) => {
    const index = CONDITION_TYPES.indexOf(type as ConditionType);
    return index === -1 ? CONDITION_TYPES.length : index;
  };
  return [...byType.values()].sort((a, b) => order(a.type) - order(b.type) || a.type.localeCompare(b.type));
}

export function findCondition(conditions: readonly Condition[] | undefined, type: ConditionType): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}
