import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeApi, ObjectRef } from '../kube/kube-api.ts';
import { isSubset } from '../kube/subset.ts';

export const SPEC_HASH_ANNOTATION = 'sealbox.dev/spec-hash';

export type ApplyOutcome = 'unchanged' | 'applied' | 'deleted' | 'absent' | { readonly conflict: string };

/** Whether the object's controller reference names this VaultCluster. */
export function controlledBy(object: KubernetesObject, uid: string): boolean {
  return (object.metadata?.ownerReferences ?? []).some((reference) => reference.controller === true && reference.uid === uid);
}

/** The desired object with a hash of itself, so that removing a field also counts as a change. */
export function withSpecHash<T extends KubernetesObject>(object: T): T {
  const hash = createHash('sha256').update(JSON.stringify(object)).digest('hex').slice(0, 16);
  return { ...object, metadata: { ...object.metadata, annotations: { ...(object.metadata?.annotations ?? {}), [SPEC_HASH_ANNOTATION]: hash } } };
}

/**
 * Brings one child in line: applies it when the live object lacks something the operator wants
 * (nothing is sent when it is already there), deletes it when it is not wanted, and never touches
 * an object that another owner (or nobody) controls.
 */
export async function reconcileChild(
  kube: KubeApi,
  existing: KubernetesObject | undefined,
  desired: KubernetesObject | undefined,
  ref: ObjectRef,
  isOurs: (object: KubernetesObject) => boolean,
): Promise<ApplyOutcome> {
  if (desired === undefined) {
    if (existing === undefined || !isOurs(existing)) return 'absent';
    await kube.delete(ref, { uid: existing.metadata?.uid ?? '' });
    return 'deleted';
  }
  if (existing !== undefined && !isOurs(existing)) {
    return { conflict: `${ref.kind} ${ref.name} already exists and does not belong to this VaultCluster; it is left alone` };
  }
  const stamped = withSpecHash(desired);
  if (existing !== undefined && isSubset(stamped, existing)) return 'unchanged';
  await kube.apply(stamped);
  return 'applied';
}
