import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { ContainerRunner } from './container-runner.ts';
import type { RestartBackoff, RestartPolicy } from './container-runner.ts';
import type { PodFacts } from './downward-api.ts';
import type { HostMountpoints } from './host-mountpoints.ts';
import type { ImageTable } from './image-table.ts';
import type { KubeletApi } from './kubelet-api.ts';
import { nowSeconds, PodStatusBuilder } from './pod-status.ts';
import { preparePodVolumes, VolumeError } from './pod-volumes.ts';
import type { PodVolumes } from './pod-volumes.ts';

/** What every pod worker of a runner shares. */
export interface PodWorkerEnvironment {
  readonly node: string;
  readonly api: KubeletApi;
  readonly images: ImageTable;
  readonly allocateIp: () => string;
  readonly hostIp: string;
  readonly mountpoints: HostMountpoints;
  /** Pod scratch directories (volumes, working directories) go under it, one per pod uid. */
  readonly podsDir: string;
  /** Container logs: <logsDir>/<namespace>_<pod>_<uid>/<container>/<restart>.log */
  readonly logsDir: string;
  readonly claimsDir: string;
  readonly serviceEnv: Readonly<Record<string, string>>;
  readonly hostPath: string;
  readonly backoff: RestartBackoff;
  readonly nodeAllocatable: Readonly<Record<string, string>>;
  /** How often generated volumes (ConfigMap, Secret, tokens) are refreshed. */
  readonly volumeSyncMs: number;
}

const VOLUME_RETRY_MS = 1000;
const REPORT_RETRY_MS = 1000;
const DEFAULT_GRACE_SECONDS = 30;

/** The kubelet's work for one pod (one uid): volumes, init containers, containers, status, deletion. */
export class PodWorker {
  readonly uid: string;
  private pod: V1Pod;
  private readonly env: PodWorkerEnvironment;
  private readonly statusBuilder = new PodStatusBuilder();
  private podIp: string | undefined;
  private readonly startTime = nowSeconds();
  private volumes: PodVolumes | undefined;
  private volumeTimer: NodeJS.Timeout | undefined;
  /** The refreshes in order, so that removing the volumes waits for one under way (it would write into them). */
  private volumeSyncs: Promise<void> = Promise.resolve();
  private blockedReason: string | undefined;
  private initialized = false;
  private finalPhase: 'Succeeded' | 'Failed' | undefined;
  private readonly initRunners: ContainerRunner[];
  private readonly runners: ContainerRunner[];
  private stopping = false;
  private terminating: Promise<void> | undefined;
  private reporting: Promise<void> | undefined;
  private reportAgain = false;
  private lastReport = '';
  private readonly main: Promise<void>;
  private readonly onGone: (worker: PodWorker) => void;

  constructor(pod: V1Pod, env: PodWorkerEnvironment, onGone: (worker: PodWorker) => void) {
    this.pod = pod;
    this.env = env;
    this.onGone = onGone;
    this.uid = pod.metadata?.uid ?? '';
    const spec = pod.spec;
    const podPolicy = (spec?.restartPolicy ?? 'Always') as RestartPolicy;
    this.initRunners = (spec?.initContainers ?? []).map((container) =>
      this.runner(container, container.restartPolicy === 'Always' ? 'Always' : podPolicy === 'Never' ? 'Never' : 'OnFailure'),
    );
    this.runners = (spec?.containers ?? []).map((container) => this.runner(container, podPolicy));
    if (spec?.hostNetwork !== true) this.podIp = env.allocateIp();
    else this.podIp = env.hostIp;
    this.main = this.run().catch((error: unknown) => {
      this.blockedReason = error instanceof Error ? error.message : String(error);
      this.report();
    });
  }

  get namespace(): string {
    return this.pod.metadata?.namespace ?? 'default';
  }

  get name(): string {
    return this.pod.metadata?.name ?? '';
  }

  get ip(): string | undefined {
    return this.podIp;
  }

  /** A newer version of the pod from the API server. */
  update(pod: V1Pod): void {
    this.pod = pod;
    if (pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null) {
      void this.terminate(pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS, true);
      return;
    }
    this.report();
  }

  /** The pod is gone from the API (force-deleted): kill at once, nothing left to report. */
  forget(): Promise<void> {
    return this.terminate(0, false);
  }

  /** The runner is shutting down: kill quickly and clean up, without API calls. */
  shutdown(): Promise<void> {
    return this.terminate(0, false);
  }

  /** Where the pod's containers write their output, one directory per container. */
  private logDir(): string {
    return join(this.env.logsDir, `${this.namespace}_${this.name}_${this.uid}`);
  }

  private facts(): PodFacts {
    return { pod: this.pod, podIp: this.podIp ?? '', hostIp: this.env.hostIp, nodeAllocatable: this.env.nodeAllocatable };
  }

  private runner(container: V1Container, restartPolicy: RestartPolicy): ContainerRunner {
    const hostname = (this.pod.spec?.hostname ?? this.pod.metadata?.name ?? 'pod').slice(0, 63);
    return new ContainerRunner({
      container,
      restartPolicy,
      pod: () => this.pod,
      facts: () => this.facts(),
      hostname,
      workDir: join(this.env.podsDir, this.uid, 'work'),
      logDir: this.logDir(),
      volume: (name) => this.volumes?.get(name),
      api: this.env.api,
      images: this.env.images,
      serviceEnv: this.env.serviceEnv,
      hostPath: this.env.hostPath,
      mountpoints: this.env.mountpoints,
      backoff: this.env.backoff,
      hostNetwork: this.pod.spec?.hostNetwork === true,
      onChange: () => this.report(),
      event: (type, reason, note) => void this.env.api.podEvent(this.pod, this.env.node, type, reason, note),
    });
  }

  private async run(): Promise<void> {
    this.report();
    await mkdir(join(this.env.podsDir, this.uid), { recursive: true });
    this.volumes = await this.prepareVolumes();
    if (this.volumes === undefined) return;
    this.volumeTimer = setInterval(() => {
      this.volumeSyncs = this.volumeSyncs.then(() => this.volumes?.sync()).catch(() => undefined);
    }, this.env.volumeSyncMs);
    this.blockedReason = undefined;
    this.report();
    for (const runner of this.initRunners) {
      if (this.stopping) return;
      if (this.isSidecar(runner)) {
        void runner.run();
        await this.until(() => runner.isStarted());
        continue;
      }
      const code = await runner.run();
      if (code === undefined) return;
      if (code !== 0) {
        this.finish('Failed');
        return;
      }
    }
    this.initialized = true;
    this.report();
    const codes = await Promise.all(this.runners.map((runner) => runner.run()));
    if (this.stopping || codes.some((code) => code === undefined)) return;
    await Promise.all(this.initRunners.filter((runner) => this.isSidecar(runner)).map((runner) => runner.stop(this.graceMs())));
    this.finish(codes.every((code) => code === 0) ? 'Succeeded' : 'Failed');
  }

  private isSidecar(runner: ContainerRunner): boolean {
    return (this.pod.spec?.initContainers ?? []).some((container) => container.name === runner.name && container.restartPolicy === 'Always');
  }

  private finish(phase: 'Succeeded' | 'Failed'): void {
    this.finalPhase = phase;
    this.report();
  }

  private async prepareVolumes(): Promise<PodVolumes | undefined> {
    let reported = '';
    while (!this.stopping) {
      try {
        return await preparePodVolumes({
          facts: () => this.facts(),
          api: this.env.api,
          podDir: join(this.env.podsDir, this.uid),
          claimsDir: this.env.claimsDir,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== reported) {
          reported = message;
          this.blockedReason = `MountVolume.SetUp failed: ${error instanceof VolumeError ? '' : 'API error: '}${message}`;
          this.env.api.podEvent(this.pod, this.env.node, 'Warning', 'FailedMount', this.blockedReason).catch(() => undefined);
          this.report();
        }
        await new Promise((resolve) => setTimeout(resolve, VOLUME_RETRY_MS));
      }
    }
    return undefined;
  }

  /** Waits until `condition` holds or the pod is stopping (a sidecar that never starts holds the pod back, as in Kubernetes). */
  private async until(condition: () => boolean): Promise<void> {
    while (!this.stopping && !condition()) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  private graceMs(): number {
    return (this.pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
  }

  private terminate(graceSeconds: number, deleteFromApi: boolean): Promise<void> {
    this.terminating ??= (async () => {
      this.stopping = true;
      if (this.volumeTimer !== undefined) clearInterval(this.volumeTimer);
      const graceMs = graceSeconds * 1000;
      if (deleteFromApi && graceMs > 0) this.env.api.podEvent(this.pod, this.env.node, 'Normal', 'Killing', 'Stopping pod').catch(() => undefined);
      await Promise.all(this.runners.map((runner) => runner.stop(graceMs)));
      await Promise.all(this.initRunners.map((runner) => runner.stop(graceMs)));
      await this.main;
      await this.reporting;
      await this.volumeSyncs;
      await this.volumes?.remove();
      await rm(join(this.env.podsDir, this.uid), { recursive: true, force: true });
      if (deleteFromApi) await this.env.api.deletePodNow(this.namespace, this.name, this.uid).catch(() => undefined);
      this.onGone(this);
    })();
    return this.terminating;
  }

  /** Sends the current status (coalescing bursts; one patch in flight at a time). */
  private report(): void {
    if (this.stopping && this.terminating !== undefined) return;
    this.reportAgain = true;
    if (this.reporting !== undefined) return;
    // .finally runs after the assignment even when sendReports finishes synchronously.
    this.reporting = this.sendReports().finally(() => {
      this.reporting = undefined;
      if (this.reportAgain) this.report();
    });
  }

  private async sendReports(): Promise<void> {
    while (this.reportAgain && !(this.stopping && this.terminating !== undefined)) {
      this.reportAgain = false;
      const status = this.statusBuilder.build({
        pod: this.pod,
        podIp: this.podIp,
        hostIp: this.env.hostIp,
        startTime: this.startTime,
        sandboxReady: this.volumes !== undefined,
        initialized: this.initialized,
        finalPhase: this.finalPhase,
        initContainers: this.initRunners.map((runner) => runner.status()),
        containers: this.runners.map((runner) => runner.status()),
        ...(this.blockedReason === undefined ? {} : { blockedReason: this.blockedReason }),
      });
      const body = JSON.stringify(status);
      if (body === this.lastReport) continue;
      try {
        await this.env.api.patchPodStatus(this.namespace, this.name, status);
        this.lastReport = body;
      } catch {
        // A pod that is gone needs no status (the patch ignores 404); anything else is tried again.
        setTimeout(() => this.report(), REPORT_RETRY_MS).unref();
      }
    }
  }
}
