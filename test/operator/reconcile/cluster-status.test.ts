import test from 'ava';
import { mergeConditions } from '../../../src/operator/api/conditions.ts';
import { computeStatus, statusPatch } from '../../../src/operator/reconcile/cluster-status.ts';
import type { StatusInput } from '../../../src/operator/reconcile/cluster-status.ts';
import type { PodView } from '../../../src/operator/reconcile/pod-view.ts';
import { vaultCluster } from '../fixtures.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-01T00:05:00Z');

function pod(ordinal: number, role: 'active' | 'standby' | 'sealed', revision = 'r2'): PodView {
  return { name: `vault-${ordinal}`, ordinal, uid: `u${ordinal}`, ip: `10.0.0.${ordinal}`, revision, deleting: false, podReady: role !== 'sealed', state: { reachable: true, initialized: true, sealed: role === 'sealed', standby: role === 'standby' } };
}

function input(pods: PodView[], extra: Partial<StatusInput> = {}): StatusInput {
  return { cluster: vaultCluster(), pods, initialized: true, updateRevision: 'r2', currentRevision: 'r2', problem: undefined, rolloutNote: undefined, configuredHash: 'h', managedRoles: undefined, now: T0, ...extra };
}

const condition = (status: ReturnType<typeof computeStatus>, type: string) => status.conditions?.find((entry) => entry.type === type);

test('a healthy cluster: Available, Initialized, Unsealed, not Progressing, not Degraded, phase Running', (t) => {
  const status = computeStatus(input([pod(0, 'active'), pod(1, 'standby'), pod(2, 'standby')]));
  t.is(status.phase, 'Running');
  t.is(status.leader, 'vault-0');
  t.is(status.readyReplicas, 3);
  t.deepEqual(status.sealedPods, []);
  t.is(status.selector, 'app.kubernetes.io/name=sealbox,app.kubernetes.io/instance=vault,app.kubernetes.io/component=server');
  t.deepEqual(status.conditions?.map((entry) => [entry.type, entry.status, entry.reason]), [
    ['Available', 'True', 'ActiveNodePresent'],
    ['Initialized', 'True', 'Initialized'],
    ['Unsealed', 'True', 'AllUnsealed'],
    ['Progressing', 'False', 'UpToDate'],
    ['Degraded', 'False', 'AsExpected'],
  ]);
  t.true(status.conditions?.every((entry) => entry.observedGeneration === 1));
});

test('sealed pods, a rollout and a problem show in conditions with reasons', (t) => {
  const status = computeStatus(input([pod(0, 'active', 'r1'), pod(1, 'sealed'), pod(2, 'standby', 'r1')], { problem: { reason: 'KeysSecretMissing', message: 'Secret vault-unseal-keys does not exist' }, rolloutNote: 'waiting' }));
  t.is(status.phase, 'Degraded');
  t.deepEqual(status.sealedPods, ['vault-1']);
  t.deepEqual(status.updatedPods, ['vault-1']);
  t.like(condition(status, 'Unsealed'), { status: 'False', reason: 'PodsSealed' });
  t.like(condition(status, 'Progressing'), { status: 'True', reason: 'RolloutInProgress', message: '1 of 3 pods updated; waiting' });
  t.like(condition(status, 'Degraded'), { status: 'True', reason: 'KeysSecretMissing' });
});

test('an unchanged cluster gives no status patch, whatever the key order the API server returns', (t) => {
  const first = computeStatus(input([pod(0, 'active'), pod(1, 'standby'), pod(2, 'standby')]));
  // The API server returns objects with sorted keys.
  const stored = JSON.parse(JSON.stringify(first, (_key, value: unknown) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) : value)));
  const cluster = { ...vaultCluster(), status: stored };
  const again = computeStatus({ ...input([pod(0, 'active'), pod(1, 'standby'), pod(2, 'standby')]), cluster, now: T1 });
  t.is(statusPatch(stored, again), undefined);
});

test('a changed status patches only what changed, and nulls removed fields', (t) => {
  const before = computeStatus(input([pod(0, 'active'), pod(1, 'standby')]));
  const after = computeStatus({ ...input([pod(0, 'sealed'), pod(1, 'sealed')]), cluster: { ...vaultCluster(), status: before }, now: T1 });
  const patch = statusPatch(before, after)!;
  t.is(patch['leader'], null);
  t.deepEqual(patch['sealedPods'], ['vault-0', 'vault-1']);
  t.false('selector' in patch);
});

test('conditions keep their transition time while their status holds', (t) => {
  const first = mergeConditions(undefined, [{ type: 'Available', status: true, reason: 'ActiveNodePresent', message: 'a' }], 1, T0);
  const same = mergeConditions(first, [{ type: 'Available', status: true, reason: 'ActiveNodePresent', message: 'b' }], 2, T1);
  t.is(same[0]?.lastTransitionTime, '2026-01-01T00:00:00Z');
  t.is(same[0]?.message, 'b');
  const flipped = mergeConditions(same, [{ type: 'Available', status: false, reason: 'NoActiveNode', message: 'c' }], 2, T1);
  t.is(flipped[0]?.lastTransitionTime, '2026-01-01T00:05:00Z');
});

test('before the StatefulSet controller has seen the applied template, the cluster is still Progressing', (t) => {
  // A changed spec: the new generation is observed here, but the pods' revision is not known yet.
  const status = computeStatus(input([pod(0, 'active'), pod(1, 'standby'), pod(2, 'standby')], { updateRevision: undefined }));
  t.like(condition(status, 'Progressing'), { status: 'True', reason: 'RevisionPending' });
  t.like(condition(status, 'Available'), { status: 'True' });
});
