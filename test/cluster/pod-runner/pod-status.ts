import type { V1Pod } from '@kubernetes/client-node';
import type { ContainerStatusJson } from './container-runner.ts';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** What the pod worker knows, from which the kubelet's view of pod status follows. */
export interface PodSnapshot {
  readonly pod: V1Pod;
  readonly podIp: string | undefined;
  readonly hostIp: string;
  readonly startTime: string;
  readonly sandboxReady: boolean;
  readonly initialized: boolean;
  /** Set once every container has finished for good. */
  readonly finalPhase: 'Succeeded' | 'Failed' | undefined;
  readonly initContainers: readonly ContainerStatusJson[];
  readonly containers: readonly ContainerStatusJson[];
  /** A reason the pod cannot start (e.g. a missing volume source), shown on its conditions. */
  readonly blockedReason?: string;
}

interface ConditionJson {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastTransitionTime: string;
  lastProbeTime: null;
}

/**
 * Keeps condition transition times stable across reports: a condition's lastTransitionTime
 * changes only when its status does, as the kubelet's does.
 */
export class PodStatusBuilder {
  private readonly transitions = new Map<string, { status: string; time: string }>();

  build(snapshot: PodSnapshot): Record<string, unknown> {
    const containers = snapshot.containers;
    const containersReady = containers.length > 0 && containers.every((status) => status.ready);
    const sidecarsReady = snapshot.initContainers.every((status) => !('running' in status.state) || status.ready);
    const gates = readinessGatesPass(snapshot.pod);
    const conditions: ConditionJson[] = [
      this.condition('PodReadyToStartContainers', snapshot.sandboxReady),
      this.condition('Initialized', snapshot.initialized, snapshot.initialized ? undefined : 'ContainersNotInitialized', snapshot.blockedReason),
      this.condition('ContainersReady', containersReady && sidecarsReady, containersReady && sidecarsReady ? undefined : 'ContainersNotReady'),
      this.condition(
        'Ready',
        containersReady && sidecarsReady && gates,
        !(containersReady && sidecarsReady) ? 'ContainersNotReady' : gates ? undefined : 'ReadinessGatesNotReady',
      ),
    ];
    return {
      phase: phaseOf(snapshot),
      conditions,
      hostIP: snapshot.hostIp,
      hostIPs: [{ ip: snapshot.hostIp }],
      ...(snapshot.podIp === undefined ? {} : { podIP: snapshot.podIp, podIPs: [{ ip: snapshot.podIp }] }),
      startTime: snapshot.startTime,
      initContainerStatuses: snapshot.initContainers,
      containerStatuses: containers,
    };
  }

  private condition(type: string, ok: boolean, reason?: string, message?: string): ConditionJson {
    const status = ok ? 'True' : 'False';
    const previous = this.transitions.get(type);
    const time = previous !== undefined && previous.status === status ? previous.time : nowSeconds();
    this.transitions.set(type, { status, time });
    return {
      type,
      status,
      ...(reason === undefined ? {} : { reason }),
      ...(message === undefined || ok ? {} : { message }),
      lastTransitionTime: time,
      lastProbeTime: null,
    };
  }
}

function phaseOf(snapshot: PodSnapshot): PodPhase {
  if (snapshot.finalPhase !== undefined) return snapshot.finalPhase;
  if (!snapshot.initialized) return 'Pending';
  const anyStarted = snapshot.containers.some((status) => 'running' in status.state || 'terminated' in status.state || status.restartCount > 0);
  return anyStarted ? 'Running' : 'Pending';
}

function readinessGatesPass(pod: V1Pod): boolean {
  const conditions = pod.status?.conditions ?? [];
  return (pod.spec?.readinessGates ?? []).every((gate) =>
    conditions.some((condition) => condition.type === gate.conditionType && condition.status === 'True'),
  );
}

export function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
