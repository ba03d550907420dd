import test from 'ava';
import type { PodView } from '../../../src/operator/reconcile/pod-view.ts';
import { planRollout } from '../../../src/operator/reconcile/rollout-plan.ts';

type Role = 'active' | 'standby' | 'sealed' | 'down';

function pod(ordinal: number, role: Role, revision: string, extra: Partial<PodView> = {}): PodView {
  return {
    name: `vault-${ordinal}`,
    ordinal,
    uid: `uid-${ordinal}`,
    ip: `10.0.0.${ordinal}`,
    revision,
    deleting: false,
    podReady: role === 'active' || role === 'standby',
    state: role === 'down' ? { reachable: false, reason: 'down' } : { reachable: true, initialized: true, sealed: role === 'sealed', standby: role === 'standby' },
    ...extra,
  };
}

test('nothing to do when every pod runs the update revision', (t) => {
  t.deepEqual(planRollout({ replicas: 3, updateRevision: 'new', pods: [pod(0, 'active', 'new'), pod(1, 'standby', 'new'), pod(2, 'standby', 'new')] }), { kind: 'none' });
});

test('standbys go first, highest ordinal first; the leader is never deleted while it leads', (t) => {
  const step = planRollout({ replicas: 3, updateRevision: 'new', pods: [pod(0, 'active', 'old'), pod(1, 'standby', 'old'), pod(2, 'standby', 'old')] });
  t.like(step, { kind: 'delete', pod: 'vault-2', uid: 'uid-2' });
  const next = planRollout({ replicas: 3, updateRevision: 'new', pods: [pod(0, 'active', 'old'), pod(1, 'standby', 'old'), pod(2, 'standby', 'new')] });
  t.like(next, { kind: 'delete', pod: 'vault-1' });
});

test('the leader last: a step-down first, then its deletion once another pod is active', (t) => {
  const stepDown = planRollout({ replicas: 3, updateRevision: 'new', pods: [pod(0, 'active', 'old'), pod(1, 'standby', 'new'), pod(2, 'standby', 'new')] });
  t.deepEqual(stepDown, { kind: 'step-down', pod: 'vault-0' });
  const replaced = planRollout({ replicas: 3, updateRevision: 'new', pods: [pod(0, 'standby', 'old'), pod(1, 'active', 'new'), pod(2, 'standby', 'new')] });
  t.like(replaced, { kind: 'delete', pod: 'vault-0' });
});

test('one step at a time: wait while a pod terminates, is missing, or is not back and unsealed', (t) => {
  t.like(planRollout({ replicas: 3, updateRevision: 'new', pods: [pod(0, 'active', 'old'), pod(1, 'standby', 'old'), pod(2, 'standby', 'old', { deleting: true })] }), { kind: 'wait' });
  t.like(planRollout({ replicas: 3, updateRevision: 'new', pods: [pod(0, 'active', 'old'), pod(1, 'standby', 'old')] }), { kind: 'wait' });
  t.like(planRollout({ replicas: 3, updateRevision: 'new', pods: [pod(0, 'active', 'old'), pod(1, 'standby', 'old'), pod(2, 'sealed', 'new')] }), { kind: 'wait' });
  t.like(planRollout({ replicas: 3, updateRevision: undefined, pods: [pod(0, 'active', 'old')] }), { kind: 'wait' });
});

test('an outdated pod that serves nothing is replaced before healthy standbys', (t) => {
  const step = planRollout({ replicas: 3, updateRevision: 'new', pods: [pod(0, 'active', 'old'), pod(1, 'down', 'old'), pod(2, 'standby', 'old')] });
  t.like(step, { kind: 'delete', pod: 'vault-1' });
});

test('a single pod is simply replaced', (t) => {
  t.like(planRollout({ replicas: 1, updateRevision: 'new', pods: [pod(0, 'active', 'old')] }), { kind: 'delete', pod: 'vault-0' });
});
