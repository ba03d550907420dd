import type { KubernetesObject, V1Pod, V1Secret, V1StatefulSet } from '@kubernetes/client-node';
import { describeError } from '../../lib/errors.ts';
import { rfc3339Seconds } from '../../lib/rfc3339.ts';
import type { Logger } from '../../lib/logger.ts';
import { findCondition } from '../api/conditions.ts';
import { FINALIZER, LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_ROLE, MANAGED_BY } from '../api/labels.ts';
import { clusterNames } from '../api/names.ts';
import type { ClusterNames } from '../api/names.ts';
import { validateSpec } from '../api/validation.ts';
import type { VaultCluster, VaultClusterStatus } from '../api/vault-cluster.ts';
import { desiredChildren } from '../desired/desired-children.ts';
import { API_PORT } from '../desired/ports.ts';
import { authDelegatorBinding } from '../desired/service-account.ts';
import { apiErrorMessage } from '../kube/api-errors.ts';
import type { KubeApi } from '../kube/kube-api.ts';
import type { ReconcileResult } from '../queue/run-workers.ts';
import { generateRootToken } from '../unseal/generate-root.ts';
import { initCluster } from '../unseal/init-cluster.ts';
import { readKeyShares } from '../unseal/keys-secret.ts';
import type { KeyShares } from '../unseal/keys-secret.ts';
import type { PodAddress, ServerClient } from '../unseal/server-client.ts';
import { serverState } from '../unseal/server-health.ts';
import { unsealPod } from '../unseal/unseal-pod.ts';
import { controlledBy, reconcileChild } from './apply-child.ts';
import { computeStatus, statusPatch } from './cluster-status.ts';
import type { Problem } from './cluster-status.ts';
import { deleteEtcdData } from './etcd-cleanup.ts';
import type { EventRecorder } from './event-recorder.ts';
import { ordinalOf, podReadyCondition, podRevision, roleOf } from './pod-view.ts';
import type { PodView } from './pod-view.ts';
import { planRollout } from './rollout-plan.ts';
import { applyServerSettings, desiredServerSettings, settingsHash } from './server-settings.ts';

/** A read-only informer cache. */
export interface ReadCache<T> {
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): readonly T[];
}

export interface ReconcilerTiming {
  /** Requeue while something is on its way (pods starting, sealed, rolling). */
  readonly busyMs: number;
  /** Requeue of a settled cluster: the periodic resync. */
  readonly resyncMs: number;
}

export interface ReconcilerDeps {
  readonly kube: KubeApi;
  readonly clusters: ReadCache<VaultCluster>;
  readonly pods: ReadCache<V1Pod>;
  /** Informer caches of the children, by kind. */
  readonly children: ReadonlyMap<string, ReadCache<KubernetesObject>>;
  /** A client for the cluster's pods (trusting its CA when it has TLS). */
  readonly serverClient: (cluster: VaultCluster, readSecret: (name: string) => Promise<V1Secret | undefined>) => Promise<ServerClient>;
  readonly events: EventRecorder;
  readonly logger: Logger;
  readonly now: () => Date;
  /** The API server as the server pods reach it, for the kubernetes auth method. */
  readonly defaultKubernetesHost: string;
  readonly timing: ReconcilerTiming;
}

/** What one pass learned, threaded through its steps. */
interface Pass {
  readonly cluster: VaultCluster;
  readonly names: ClusterNames;
  readonly uid: string;
  readonly client: ServerClient;
  pods: PodView[];
  problem: Problem | undefined;
  initialized: boolean;
  keys: KeyShares | undefined;
  configuredHash: string | undefined;
  managedRoles: readonly string[] | undefined;
  rolloutNote: string | undefined;
  busy: boolean;
  /** StatefulSet replicas to keep for now: the leader hands over before a scale-down removes it. */
  holdReplicas: number | undefined;
}

/** How long a deleted pod counts as leaving even if the cache has not caught up. */
const DELETED_POD_MEMORY_MS = 120_000;

/**
 * One VaultCluster, level-triggered: each pass reads the caches and the servers' own state,
 * changes what is needed (one rollout step at most), writes status only when it changed, and asks
 * to come back soon while anything is in motion.
 */
export class Reconciler {
  readonly #deps: ReconcilerDeps;
  /** Root tokens from init, kept until the setup that follows has used (and maybe revoked) them. */
  readonly #initRootTokens = new Map<string, string>();
  /** StatefulSet generations this operator applied, so a lagging cache is not mistaken for the truth. */
  readonly #appliedGenerations = new Map<string, number>();
  readonly #deletedPods = new Map<string, number>();
  /** The last active pod seen per cluster, so that a pass without any leader does not hide a change. */
  readonly #lastLeaders = new Map<string, string>();

  constructor(deps: ReconcilerDeps) {
    this.#deps = deps;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace = '', name = ''] = key.split('/');
    const cluster = this.#deps.clusters.get(name, namespace);
    if (cluster === undefined) return {};
    if (cluster.metadata?.deletionTimestamp !== undefined) return this.#finalize(cluster);
    if (!(cluster.metadata?.finalizers ?? []).includes(FINALIZER)) {
      await this.#deps.kube.setClusterFinalizers(cluster, [...(cluster.metadata?.finalizers ?? []), FINALIZER]);
      return {};
    }
    if (cluster.spec.paused) return this.#paused(cluster);
    const { errors, warnings } = validateSpec(cluster);
    if (errors.length > 0) {
      await this.#writeStatus(cluster, { ...this.#staticStatus(cluster), problem: { reason: 'InvalidSpec', message: errors.join('; ') } });
      return {};
    }
    const names = clusterNames(cluster);
    const readSecret = (secretName: string) => this.#deps.kube.read<V1Secret>({ apiVersion: 'v1', kind: 'Secret', namespace: names.namespace, name: secretName });
    const pass: Pass = {
      cluster,
      names,
      uid: cluster.metadata?.uid ?? '',
      client: await this.#deps.serverClient(cluster, readSecret),
      pods: [],
      problem: undefined,
      holdReplicas: undefined,
      initialized: false,
      keys: undefined,
      configuredHash: cluster.status?.configuredHash,
      managedRoles: cluster.status?.managedRoles,
      rolloutNote: undefined,
      busy: false,
    };
    pass.pods = await this.#observePods(pass);
    pass.initialized = pass.pods.some((pod) => pod.state.reachable && pod.state.initialized);
    if (pass.initialized) await this.#handOverBeforeScaleDown(pass);
    const statefulSetObject = await this.#applyChildren(pass);
    if (pass.problem === undefined) await this.#initialize(pass);
    if (pass.problem === undefined && pass.initialized) await this.#unseal(pass);
    await this.#labelPods(pass);
    if (pass.problem === undefined && pass.initialized) await this.#configureServer(pass);
    if (pass.problem === undefined && pass.initialized) await this.#roll(pass, statefulSetObject);
    if (warnings.length > 0 && pass.problem === undefined) pass.problem = { reason: 'ConfigConflict', message: warnings.join('; ') };
    const status = await this.#writeStatus(cluster, {
      pods: pass.pods,
      initialized: pass.initialized || cluster.status?.initialized === true,
      updateRevision: this.#updateRevision(pass, statefulSetObject),
      currentRevision: statefulSetObject?.status?.currentRevision,
      problem: pass.problem,
      rolloutNote: pass.rolloutNote,
      configuredHash: pass.configuredHash,
      managedRoles: pass.managedRoles,
    });
    // A warning about the spec does not need a quick look again; anything in motion or broken does.
    const troubled = pass.problem !== undefined && pass.problem.reason !== 'ConfigConflict';
    const settled = !pass.busy && !troubled && findCondition(status.conditions, 'Progressing')?.status === 'False';
    return { requeueAfterMs: settled ? this.#deps.timing.resyncMs : this.#deps.timing.busyMs };
  }

  /** Pods of the StatefulSet, each asked for its state by its own address. */
  async #observePods(pass: Pass): Promise<PodView[]> {
    const { names } = pass;
    const now = Date.now();
    for (const [uid, expiry] of this.#deletedPods) if (expiry < now) this.#deletedPods.delete(uid);
    const pods = this.#deps.pods
      .list(names.namespace)
      .filter((pod) => pod.metadata?.labels?.[LABEL_INSTANCE] === names.cluster && pod.metadata.labels[LABEL_MANAGED_BY] === MANAGED_BY)
      .map((pod) => ({ pod, ordinal: ordinalOf(pod.metadata?.name ?? '', names.statefulSet) }))
      .filter((entry): entry is { pod: V1Pod; ordinal: number } => entry.ordinal !== undefined)
      .sort((a, b) => a.ordinal - b.ordinal);
    return Promise.all(
      pods.map(async ({ pod, ordinal }) => {
        const ip = pod.status?.podIP;
        const uid = pod.metadata?.uid ?? '';
        const running = pod.status?.phase === 'Running' && ip !== undefined && ip !== '';
        return {
          name: pod.metadata?.name ?? '',
          ordinal,
          uid,
          ip,
          revision: podRevision(pod),
          deleting: pod.metadata?.deletionTimestamp !== undefined || this.#deletedPods.has(uid),
          podReady: podReadyCondition(pod),
          state: running ? await serverState(pass.client, this.#address(pass, pod.metadata?.name ?? '', ip)) : { reachable: false as const, reason: 'the pod is not running yet' },
        };
      }),
    );
  }

  #address(pass: Pass, pod: string, ip: string): PodAddress {
    const scheme = pass.cluster.spec.tls === undefined ? 'http' : 'https';
    const host = ip.includes(':') ? `[${ip}]` : ip;
    return { pod, url: `${scheme}://${host}:${API_PORT}`, serverName: `${pod}.${pass.names.internalService}.${pass.names.namespace}.svc` };
  }

  #podAddress(pass: Pass, view: PodView): PodAddress {
    return this.#address(pass, view.name, view.ip ?? '');
  }

  /** Applies every child; returns the StatefulSet as the API server has it. */
  async #applyChildren(pass: Pass): Promise<V1StatefulSet | undefined> {
    const { cluster, names, uid } = pass;
    const conflicts: string[] = [];
    const failures: string[] = [];
    let statefulSetObject = this.#cached<V1StatefulSet>('StatefulSet', names.namespace, names.statefulSet);
    for (const child of desiredChildren(cluster)) {
      const ref = { apiVersion: child.apiVersion, kind: child.kind, namespace: names.namespace, name: child.name };
      let desired = child.object;
      if (child.kind === 'StatefulSet' && desired !== undefined && pass.holdReplicas !== undefined) {
        const held = desired as V1StatefulSet;
        desired = { ...held, spec: { ...held.spec!, replicas: pass.holdReplicas } } as V1StatefulSet;
      }
      try {
        // Kinds without an informer (ServiceMonitor, whose CRD may not even exist) are read each
        // pass, so that one turned off is removed; a missing API answers 404 like a missing object.
        const existing = this.#cached(child.kind, names.namespace, child.name) ?? (desired === undefined && this.#deps.children.has(child.kind) ? undefined : await this.#deps.kube.read(ref));
        const outcome = await reconcileChild(this.#deps.kube, existing, desired, ref, (object) => controlledBy(object, uid));
        if (typeof outcome === 'object') conflicts.push(outcome.conflict);
        if (outcome === 'applied' && child.kind === 'StatefulSet') {
          statefulSetObject = await this.#deps.kube.read<V1StatefulSet>(ref);
          const generation = statefulSetObject?.metadata?.generation;
          if (generation !== undefined) this.#appliedGenerations.set(uid, generation);
        }
      } catch (error) {
        failures.push(`${child.kind} ${child.name}: ${apiErrorMessage(error)}`);
      }
    }
    await this.#applyAuthDelegator(pass, conflicts, failures);
    if (conflicts.length > 0) pass.problem = { reason: 'ResourceConflict', message: [...conflicts, ...failures].join('; ') };
    else if (failures.length > 0) pass.problem = { reason: 'ApiError', message: failures.join('; ') };
    return statefulSetObject;
  }

  /**
   * Scaling down removes the highest ordinals; when the leader is among them it steps down first,
   * so that the StatefulSet controller never takes away the active node. Until another pod is
   * active, the StatefulSet keeps its replicas.
   */
  async #handOverBeforeScaleDown(pass: Pass): Promise<void> {
    const current = this.#cached<V1StatefulSet>('StatefulSet', pass.names.namespace, pass.names.statefulSet)?.spec?.replicas;
    const wanted = pass.cluster.spec.replicas;
    if (current === undefined || current <= wanted) return;
    const leader = pass.pods.find((pod) => roleOf(pod) === 'active');
    const successor = pass.pods.some((pod) => roleOf(pod) === 'standby' && pod.ordinal < wanted && !pod.deleting);
    if (leader === undefined || leader.ordinal < wanted || !successor) return;
    try {
      pass.keys ??= readKeyShares(await this.#readKeysSecret(pass));
      await this.#withAdminToken(pass, leader, async (token) => this.#stepDown(pass, leader, token));
      pass.holdReplicas = current;
      pass.busy = true;
      pass.rolloutNote = `${leader.name} steps down before the scale-down removes it`;
    } catch (error) {
      // Scale down anyway: a server stopped by its pod's deletion gives up the lock as it exits.
      this.#deps.logger.warn('step-down before scale-down failed', { cluster: pass.names.cluster, error: describeError(error) });
    }
  }

  async #applyAuthDelegator(pass: Pass, conflicts: string[], failures: string[]): Promise<void> {
    const { cluster, names } = pass;
    const desired = authDelegatorBinding(cluster);
    const ref = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', name: names.authDelegatorBinding };
    const wanted = cluster.spec.kubernetesAuth.enabled;
    if (!wanted && !pass.cluster.status?.managedRoles) return;
    try {
      const existing = await this.#deps.kube.read(ref);
      const ours = existing !== undefined && existing.metadata?.labels?.[LABEL_INSTANCE] === names.cluster && existing.metadata.labels[LABEL_MANAGED_BY] === MANAGED_BY;
      if (!wanted) {
        if (ours) await this.#deps.kube.delete(ref);
        return;
      }
      if (existing !== undefined && !ours) {
        conflicts.push(`ClusterRoleBinding ${names.authDelegatorBinding} exists and was not made by this operator`);
        return;
      }
      const outcome = await reconcileChild(this.#deps.kube, existing, desired, ref, () => ours);
      if (typeof outcome === 'object') conflicts.push(outcome.conflict);
    } catch (error) {
      failures.push(`ClusterRoleBinding ${names.authDelegatorBinding}: ${apiErrorMessage(error)}`);
    }
  }

  #cached<T extends KubernetesObject>(kind: string, namespace: string, name: string): T | undefined {
    return this.#deps.children.get(kind)?.get(name, namespace) as T | undefined;
  }

  async #readKeysSecret(pass: Pass): Promise<V1Secret | undefined> {
    return this.#deps.kube.read<V1Secret>({ apiVersion: 'v1', kind: 'Secret', namespace: pass.names.namespace, name: pass.names.keysSecret });
  }

  /** Initializes through pod 0, once: never over a keys Secret that holds shares, never again after storage loss. */
  async #initialize(pass: Pass): Promise<void> {
    if (pass.initialized) return;
    const { cluster, names } = pass;
    const answering = pass.pods.filter((pod) => pod.state.reachable && !pod.deleting);
    if (answering.length === 0) return;
    if (cluster.status?.initialized === true) {
      pass.problem = { reason: 'StorageLost', message: `the servers report uninitialized storage under ${names.etcdPrefix} although this cluster was initialized; the operator will not initialize it again` };
      return;
    }
    const pod0 = answering.find((pod) => pod.ordinal === 0);
    if (pod0 === undefined) return;
    const secret = await this.#readKeysSecret(pass);
    const keys = readKeyShares(secret);
    if (keys.kind === 'ok' || keys.kind === 'malformed') {
      pass.problem = { reason: 'KeysSecretNotEmpty', message: `Secret ${names.keysSecret} already holds key shares but the cluster is not initialized; refusing to initialize over them (delete the Secret, or restore the storage those keys belong to)` };
      return;
    }
    const { unseal } = cluster.spec;
    const rootToken = await initCluster(this.#deps.kube, pass.client, this.#podAddress(pass, pod0), {
      namespace: names.namespace,
      cluster: names.cluster,
      keysSecret: names.keysSecret,
      createKeysSecret: secret === undefined,
      shares: unseal.secretShares,
      threshold: unseal.secretThreshold,
      rootTokenSecret: unseal.rootToken.store ? names.rootTokenSecret : undefined,
    });
    this.#initRootTokens.set(pass.uid, rootToken);
    this.#deps.logger.info('initialized the cluster', { cluster: `${names.namespace}/${names.cluster}`, pod: pod0.name, shares: unseal.secretShares, threshold: unseal.secretThreshold });
    await this.#deps.events.record(cluster, 'Normal', 'Initialized', `Initialized through ${pod0.name} with ${unseal.secretShares} key shares (threshold ${unseal.secretThreshold}); shares stored in Secret ${names.keysSecret}`);
    pass.initialized = true;
    pass.busy = true;
    pass.pods = pass.pods.map((pod) => (pod === pod0 ? { ...pod, state: { reachable: true, initialized: true, sealed: true, standby: false } } : pod));
  }

  /** Unseals every sealed pod by its own address with the shares from the keys Secret. */
  async #unseal(pass: Pass): Promise<void> {
    const sealed = pass.pods.filter((pod) => !pod.deleting && pod.state.reachable && pod.state.initialized && pod.state.sealed);
    if (sealed.length === 0) return;
    pass.busy = true;
    const { names } = pass;
    const keys = readKeyShares(await this.#readKeysSecret(pass));
    pass.keys = keys;
    if (keys.kind === 'missing') {
      pass.problem = { reason: 'KeysSecretMissing', message: `Secret ${names.keysSecret} with the unseal keys does not exist; ${sealed.map((pod) => pod.name).join(', ')} stay sealed` };
      return;
    }
    if (keys.kind !== 'ok') {
      const reason = keys.kind === 'empty' ? 'it holds no key shares' : keys.reason;
      pass.problem = { reason: 'KeysSecretMalformed', message: `Secret ${names.keysSecret} cannot be used to unseal: ${reason}; ${sealed.map((pod) => pod.name).join(', ')} stay sealed` };
      return;
    }
    for (const pod of sealed) {
      const address = this.#podAddress(pass, pod);
      try {
        const outcome = await unsealPod(pass.client, address, keys.shares, keys.threshold);
        if (!outcome.unsealed) {
          if (outcome.badKeys) pass.problem = { reason: 'KeysSecretMalformed', message: `the key shares in Secret ${names.keysSecret} do not unseal ${pod.name}: ${outcome.reason}` };
          this.#deps.logger.warn('could not unseal a pod', { cluster: names.cluster, pod: pod.name, reason: outcome.reason });
          continue;
        }
        this.#deps.logger.info('unsealed a pod', { cluster: names.cluster, pod: pod.name });
        await this.#deps.events.record(pass.cluster, 'Normal', 'Unsealed', `Unsealed ${pod.name}`);
        const state = await serverState(pass.client, address);
        pass.pods = pass.pods.map((view) => (view === pod ? { ...view, state } : view));
      } catch (error) {
        this.#deps.logger.warn('could not unseal a pod', { cluster: names.cluster, pod: pod.name, error: describeError(error) });
      }
    }
  }

  /** Keeps the role label of each pod equal to what its server says; the Services select on it. */
  async #labelPods(pass: Pass): Promise<void> {
    for (const view of pass.pods) {
      const role = roleOf(view);
      if (view.deleting || role === undefined) continue;
      const pod = this.#deps.pods.get(view.name, pass.names.namespace);
      if (pod === undefined || pod.metadata?.labels?.[LABEL_ROLE] === role) continue;
      try {
        await this.#deps.kube.mergePatch({ apiVersion: 'v1', kind: 'Pod', namespace: pass.names.namespace, name: view.name }, { metadata: { labels: { [LABEL_ROLE]: role } } });
      } catch (error) {
        this.#deps.logger.warn('could not label a pod', { cluster: pass.names.cluster, pod: view.name, error: describeError(error) });
      }
    }
  }

  /** Applies the in-server settings (audit device, kubernetes auth) when they changed since last time. */
  async #configureServer(pass: Pass): Promise<void> {
    const leader = pass.pods.find((pod) => roleOf(pod) === 'active' && !pod.deleting);
    const settings = desiredServerSettings(pass.cluster, this.#deps.defaultKubernetesHost);
    const hash = settingsHash(settings);
    const pendingRoot = this.#initRootTokens.has(pass.uid);
    if (hash === pass.configuredHash && !pendingRoot) return;
    pass.busy = true;
    if (leader === undefined) return;
    try {
      pass.keys ??= readKeyShares(await this.#readKeysSecret(pass));
      const roles = await this.#withAdminToken(pass, leader, (token) => applyServerSettings(pass.client, this.#podAddress(pass, leader), token, settings, pass.managedRoles ?? []));
      pass.configuredHash = hash;
      pass.managedRoles = settings.kubernetesAuth === undefined ? undefined : roles;
      await this.#deps.events.record(pass.cluster, 'Normal', 'ServerConfigured', `Applied the audit device and auth settings through ${leader.name}`);
    } catch (error) {
      pass.problem = { reason: 'ServerConfigurationFailed', message: `could not apply the audit device and auth settings: ${describeError(error)}` };
    }
  }

  /**
   * Runs `work` with a root token: the stored one when the spec keeps it, the one from init until
   * it has been used once, or else one generated from the key shares and revoked afterwards.
   */
  async #withAdminToken<T>(pass: Pass, leader: PodAddress | PodView, work: (token: string) => Promise<T>): Promise<T> {
    const address = 'url' in leader ? leader : this.#podAddress(pass, leader);
    const { cluster, names } = pass;
    if (cluster.spec.unseal.rootToken.store) {
      const secret = await this.#deps.kube.read<V1Secret>({ apiVersion: 'v1', kind: 'Secret', namespace: names.namespace, name: names.rootTokenSecret });
      const stored = secret?.data?.['token'];
      if (stored !== undefined) {
        this.#initRootTokens.delete(pass.uid);
        return work(Buffer.from(stored, 'base64').toString('utf8'));
      }
    }
    let token = this.#initRootTokens.get(pass.uid);
    if (token === undefined) {
      const keys = pass.keys;
      if (keys?.kind !== 'ok') throw new Error(`no usable key shares in Secret ${names.keysSecret} to generate a root token`);
      const generated = await generateRootToken(pass.client, address, keys.shares, keys.threshold);
      if (generated.cancelledOther) await this.#deps.events.record(cluster, 'Warning', 'GenerateRootCancelled', 'Cancelled a root token generation that was in progress, to run the operator’s own');
      token = generated.token;
    }
    this.#initRootTokens.delete(pass.uid);
    try {
      return await work(token);
    } finally {
      const revoked = await pass.client.call(address, 'PUT', 'auth/token/revoke-self', {}, token).catch(() => undefined);
      if (revoked === undefined || revoked.status >= 300) this.#deps.logger.warn('could not revoke the operator’s root token', { cluster: names.cluster });
    }
  }

  async #stepDown(pass: Pass, leader: PodView, token: string): Promise<void> {
    const answer = await pass.client.call(this.#podAddress(pass, leader), 'PUT', 'sys/step-down', {}, token);
    if (answer.status >= 300) throw new Error(`step-down of ${leader.name}: HTTP ${answer.status}`);
    this.#deps.logger.info('asked the leader to step down', { cluster: pass.names.cluster, pod: leader.name });
    await this.#deps.events.record(pass.cluster, 'Normal', 'LeaderStepDown', `Asked ${leader.name} to step down`);
  }

  #updateRevision(pass: Pass, statefulSetObject: V1StatefulSet | undefined): string | undefined {
    const status = statefulSetObject?.status;
    const generation = statefulSetObject?.metadata?.generation ?? 0;
    if (status?.observedGeneration === undefined || status.observedGeneration < generation) return undefined;
    if (generation < (this.#appliedGenerations.get(pass.uid) ?? 0)) return undefined;
    return status.updateRevision;
  }

  /** One step of replacing outdated pods, when the operator manages updates. */
  async #roll(pass: Pass, statefulSetObject: V1StatefulSet | undefined): Promise<void> {
    if (pass.cluster.spec.updateStrategy.type !== 'OperatorManaged') return;
    const step = planRollout({ pods: pass.pods, replicas: pass.cluster.spec.replicas, updateRevision: this.#updateRevision(pass, statefulSetObject) });
    if (step.kind === 'none') return;
    pass.busy = true;
    if (step.kind === 'wait') {
      pass.rolloutNote ??= step.reason;
      return;
    }
    const { names } = pass;
    if (step.kind === 'delete') {
      pass.rolloutNote = `replacing ${step.pod} (${step.reason})`;
      this.#deletedPods.set(step.uid, Date.now() + DELETED_POD_MEMORY_MS);
      await this.#deps.kube.delete({ apiVersion: 'v1', kind: 'Pod', namespace: names.namespace, name: step.pod }, { uid: step.uid });
      this.#deps.logger.info('deleted a pod to roll it', { cluster: names.cluster, pod: step.pod, reason: step.reason });
      await this.#deps.events.record(pass.cluster, 'Normal', 'PodReplaced', `Deleted ${step.pod} (${step.reason}) so that it restarts at revision ${this.#updateRevision(pass, statefulSetObject) ?? ''}`);
      return;
    }
    const leader = pass.pods.find((pod) => pod.name === step.pod);
    if (leader === undefined) return;
    pass.rolloutNote = `${step.pod} steps down before it is replaced`;
    pass.keys ??= readKeyShares(await this.#readKeysSecret(pass));
    try {
      await this.#withAdminToken(pass, leader, (token) => this.#stepDown(pass, leader, token));
    } catch (error) {
      this.#deps.logger.warn('step-down failed', { cluster: names.cluster, pod: step.pod, error: describeError(error) });
      pass.rolloutNote = `step-down of ${step.pod} failed: ${describeError(error)}`;
    }
  }

  async #paused(cluster: VaultCluster): Promise<ReconcileResult> {
    const conditions = [...(cluster.status?.conditions ?? [])];
    const status: VaultClusterStatus = { ...(cluster.status ?? {}), phase: 'Paused', observedGeneration: cluster.metadata?.generation ?? 0, conditions };
    const progressing = findCondition(conditions, 'Progressing');
    if (progressing?.reason !== 'Paused') {
      const now = rfc3339Seconds(this.#deps.now());
      const replaced = conditions.filter((condition) => condition.type !== 'Progressing');
      replaced.push({ type: 'Progressing', status: 'False', reason: 'Paused', message: 'spec.paused is true: the operator changes nothing', lastTransitionTime: now, observedGeneration: cluster.metadata?.generation ?? 0 });
      status.conditions = replaced;
    }
    const patch = statusPatch(cluster.status, status);
    if (patch !== undefined) await this.#deps.kube.patchClusterStatus(cluster, patch);
    return {};
  }

  /** The status parts that do not need the pods (an invalid spec). */
  #staticStatus(cluster: VaultCluster) {
    return {
      pods: [] as PodView[],
      initialized: cluster.status?.initialized === true,
      updateRevision: cluster.status?.updateRevision,
      currentRevision: cluster.status?.currentRevision,
      rolloutNote: undefined,
      configuredHash: cluster.status?.configuredHash,
      managedRoles: cluster.status?.managedRoles,
    };
  }

  async #writeStatus(cluster: VaultCluster, input: Omit<Parameters<typeof computeStatus>[0], 'cluster' | 'now'>): Promise<VaultClusterStatus> {
    const status = computeStatus({ ...input, cluster, now: this.#deps.now() });
    const patch = statusPatch(cluster.status, status);
    if (patch !== undefined) {
      await this.#deps.kube.patchClusterStatus(cluster, patch);
      await this.#recordTransitions(cluster, cluster.status, status);
    }
    return status;
  }

  async #recordTransitions(cluster: VaultCluster, before: VaultClusterStatus | undefined, after: VaultClusterStatus): Promise<void> {
    const { events } = this.#deps;
    const uid = cluster.metadata?.uid ?? '';
    const previousLeader = this.#lastLeaders.get(uid) ?? before?.leader;
    if (after.leader !== undefined) {
      this.#lastLeaders.set(uid, after.leader);
      if (previousLeader !== undefined && previousLeader !== after.leader) await events.record(cluster, 'Normal', 'LeaderChanged', `${after.leader} is active (was ${previousLeader})`);
    }
    const wasRolling = findCondition(before?.conditions, 'Progressing')?.reason === 'RolloutInProgress';
    const rolling = findCondition(after.conditions, 'Progressing')?.reason === 'RolloutInProgress';
    if (!wasRolling && rolling) await events.record(cluster, 'Normal', 'RolloutStarted', `Rolling pods to revision ${after.updateRevision ?? ''}, standbys first and the leader last`);
    if (wasRolling && !rolling) await events.record(cluster, 'Normal', 'RolloutComplete', `All pods run revision ${after.updateRevision ?? ''}`);
    const degraded = findCondition(after.conditions, 'Degraded');
    const wasDegraded = findCondition(before?.conditions, 'Degraded');
    if (degraded?.status === 'True' && (wasDegraded?.status !== 'True' || wasDegraded.reason !== degraded.reason)) {
      await events.record(cluster, 'Warning', degraded.reason, degraded.message);
    }
  }

  /** Deletion: what owner references cannot collect, and the data when deletionPolicy says Delete. */
  async #finalize(cluster: VaultCluster): Promise<ReconcileResult> {
    const finalizers = cluster.metadata?.finalizers ?? [];
    if (!finalizers.includes(FINALIZER)) return {};
    const names = clusterNames(cluster);
    const { kube } = this.#deps;
    const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', name: names.authDelegatorBinding };
    const existing = await kube.read(binding);
    if (existing?.metadata?.labels?.[LABEL_INSTANCE] === names.cluster && existing.metadata.labels[LABEL_MANAGED_BY] === MANAGED_BY) await kube.delete(binding);
    if (cluster.spec.deletionPolicy === 'Delete') {
      // The servers must be gone first, or the active one would write its lock back into etcd.
      const podsLeft = this.#deps.pods.list(names.namespace).filter((pod) => pod.metadata?.labels?.[LABEL_INSTANCE] === names.cluster && ordinalOf(pod.metadata.name ?? '', names.statefulSet) !== undefined);
      if (podsLeft.length > 0) {
        await kube.delete({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: names.namespace, name: names.statefulSet }, { propagationPolicy: 'Background' });
        return { requeueAfterMs: this.#deps.timing.busyMs };
      }
      const secret = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', namespace: names.namespace, name });
      await deleteEtcdData(cluster, (namespace, name) => kube.read<V1Secret>({ ...secret(name), namespace }));
      await kube.delete(secret(names.keysSecret));
      await kube.delete(secret(names.rootTokenSecret));
      await this.#deps.events.record(cluster, 'Normal', 'DataDeleted', `Deleted the etcd data under ${names.etcdPrefix} and the keys Secret (deletionPolicy Delete)`);
    }
    await kube.setClusterFinalizers(cluster, finalizers.filter((finalizer) => finalizer !== FINALIZER));
    this.#initRootTokens.delete(cluster.metadata?.uid ?? '');
    this.#appliedGenerations.delete(cluster.metadata?.uid ?? '');
    this.#lastLeaders.delete(cluster.metadata?.uid ?? '');
    return {};
  }
}

