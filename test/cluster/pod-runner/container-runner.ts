import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import type { V1Container, V1LifecycleHandler, V1Pod } from '@kubernetes/client-node';
import type { ManagedProcess } from '../managed-process.ts';
import { containerLogFile, execInContainer, launchContainer } from './container-launch.ts';
import type { ContainerMount } from './container-launch.ts';
import { ContainerConfigError, containerEnvironment } from './container-env.ts';
import type { PodFacts } from './downward-api.ts';
import type { HostMountpoints } from './host-mountpoints.ts';
import { resolveImageCommand, UnknownImageError } from './image-table.ts';
import type { ImageTable } from './image-table.ts';
import type { KubeletApi } from './kubelet-api.ts';
import type { HostVolume } from './pod-volumes.ts';
import { runHandler, startProbeLoop } from './probes.ts';
import type { ProbeLoop, ProbeTarget } from './probes.ts';
import { expandVars } from './var-expansion.ts';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** Kubernetes' ContainerState as JSON. */
export type ContainerStateJson =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | { terminated: { exitCode: number; signal?: number; reason: string; message?: string; startedAt: string; finishedAt: string; containerID: string } };

export interface ContainerStatusJson {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: ContainerStateJson;
  lastState: ContainerStateJson | Record<string, never>;
}

export interface RestartBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export interface ContainerContext {
  readonly container: V1Container;
  readonly restartPolicy: RestartPolicy;
  readonly pod: () => V1Pod;
  readonly facts: () => PodFacts;
  readonly hostname: string;
  /** The default working directory (the image's WORKDIR stands in for it). */
  readonly workDir: string;
  readonly logDir: string;
  /** The pod's volume of that name, once the volumes are set up. */
  readonly volume: (name: string) => HostVolume | undefined;
  readonly api: KubeletApi;
  readonly images: ImageTable;
  readonly serviceEnv: Readonly<Record<string, string>>;
  /** The host's PATH, after the image's own directories. */
  readonly hostPath: string;
  readonly mountpoints: HostMountpoints;
  readonly backoff: RestartBackoff;
  /** Containers of a hostNetwork pod bind the host's addresses, so listens are not narrowed. */
  readonly hostNetwork: boolean;
  readonly onChange: () => void;
  readonly event: (type: 'Normal' | 'Warning', reason: string, note: string) => void;
}

const CONFIG_RETRY_MS = 1000;
const POD_IP_ENV = 'SEALBOX_POD_IP';

/**
 * One container of a pod on a fake node: starts its command as a local process, runs its probes
 * and lifecycle hooks, restarts it per the restart policy with back-off, and reports its status.
 */
export class ContainerRunner {
  readonly name: string;
  private readonly context: ContainerContext;
  private state: ContainerStateJson = { waiting: { reason: 'ContainerCreating' } };
  private lastState: ContainerStatusJson['lastState'] = {};
  private restartCount = 0;
  private ready = false;
  private started = false;
  private containerId: string | undefined;
  private process: ManagedProcess | undefined;
  private env: Record<string, string> = {};
  private workingDir = '';
  private probes: ProbeLoop[] = [];
  private stopping = false;
  private wake: (() => void) | undefined;
  private loop: Promise<number | undefined> | undefined;

  constructor(context: ContainerContext) {
    this.context = context;
    this.name = context.container.name;
  }

  /** Starts the run loop; resolves with the final exit code once the container will not restart (undefined if stopped). */
  run(): Promise<number | undefined> {
    this.loop ??= this.runLoop();
    return this.loop;
  }

  /** Whether the container is running and its startup probe (if any) has passed. */
  isStarted(): boolean {
    return this.started;
  }

  /** Runs the preStop hook, then SIGTERM, then SIGKILL when `graceMs` is over; no restarts afterwards. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.wake?.();
    const child = this.process;
    if (child !== undefined && child.exitCode() === undefined) {
      const deadline = Date.now() + graceMs;
      const preStop = this.context.container.lifecycle?.preStop;
      if (preStop !== undefined && graceMs > 0) await this.runHook(preStop, 'PreStop', graceMs);
      await child.stop(Math.max(0, deadline - Date.now()));
    }
    await this.loop;
  }

  status(): ContainerStatusJson {
    const { container } = this.context;
    return {
      name: container.name,
      image: container.image ?? '',
      imageID: container.image ?? '',
      ...(this.containerId === undefined ? {} : { containerID: this.containerId }),
      ready: this.ready,
      started: this.started,
      restartCount: this.restartCount,
      state: this.state,
      lastState: this.lastState,
    };
  }

  private setState(state: ContainerStateJson): void {
    this.state = state;
    this.context.onChange();
  }

  private async runLoop(): Promise<number | undefined> {
    for (;;) {
      if (this.stopping) return undefined;
      const child = await this.startProcess();
      if (child === undefined) {
        await this.sleep(CONFIG_RETRY_MS);
        continue;
      }
      // stop() may have come while the process was being set up, before it could be signalled.
      if (this.stopping) void child.stop(0);
      const code = await child.exited;
      this.stopProbes();
      const startedAt = 'running' in this.state ? this.state.running.startedAt : now();
      const terminated: ContainerStateJson = {
        terminated: {
          exitCode: code,
          ...(code > 128 ? { signal: code - 128 } : {}),
          reason: code === 0 ? 'Completed' : 'Error',
          startedAt,
          finishedAt: now(),
          containerID: this.containerId ?? '',
        },
      };
      this.ready = false;
      this.started = false;
      this.process = undefined;
      this.setState(terminated);
      if (this.stopping || !this.shouldRestart(code)) return code;
      this.lastState = terminated;
      this.restartCount += 1;
      const delay = Math.min(this.context.backoff.maxMs, this.context.backoff.initialMs * 2 ** (this.restartCount - 1));
      this.setState({ waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${this.name}` } });
      this.context.event('Warning', 'BackOff', `Back-off restarting failed container ${this.name}`);
      await this.sleep(delay);
    }
  }

  private shouldRestart(code: number): boolean {
    switch (this.context.restartPolicy) {
      case 'Always':
        return true;
      case 'OnFailure':
        return code !== 0;
      case 'Never':
        return false;
    }
  }

  /** Resolves the configuration and launches the process; undefined (with a waiting reason set) if it cannot yet. */
  private async startProcess(): Promise<ManagedProcess | undefined> {
    const { container } = this.context;
    let argv: string[];
    let mounts: ContainerMount[];
    try {
      const facts = this.context.facts();
      const specEnv = await containerEnvironment({
        facts,
        container,
        containers: [...(facts.pod.spec?.containers ?? []), ...(facts.pod.spec?.initContainers ?? [])],
        api: this.context.api,
        serviceEnv: this.context.serviceEnv,
      });
      const lookup = (name: string) => specEnv[name];
      const resolved = resolveImageCommand(
        this.context.images,
        container.image ?? '',
        container.command?.map((part) => expandVars(part, lookup)),
        container.args?.map((part) => expandVars(part, lookup)),
      );
      argv = resolved.argv;
      this.env = {
        PATH: [...resolved.path, this.context.hostPath].join(':'),
        HOME: '/root',
        HOSTNAME: this.context.hostname,
        ...(this.context.hostNetwork ? {} : { [POD_IP_ENV]: facts.podIp }),
        ...specEnv,
      };
      mounts = this.mounts(specEnv);
      this.workingDir = container.workingDir ?? join(this.context.workDir, container.name);
      if (container.workingDir !== undefined) this.context.mountpoints.ensure(container.workingDir, 'directory');
      else await mkdir(this.workingDir, { recursive: true });
    } catch (error) {
      if (error instanceof UnknownImageError) {
        // Like the kubelet: a failed pull, then back-off, then another failed pull.
        const pulled = 'waiting' in this.state && this.state.waiting.reason === 'ErrImagePull';
        this.setState({ waiting: { reason: pulled ? 'ImagePullBackOff' : 'ErrImagePull', message: error.message } });
        return undefined;
      }
      if (error instanceof ContainerConfigError) {
        this.setState({ waiting: { reason: 'CreateContainerConfigError', message: error.message } });
        return undefined;
      }
      this.setState({ waiting: { reason: 'CreateContainerError', message: error instanceof Error ? error.message : String(error) } });
      return undefined;
    }
    const logFile = containerLogFile(this.context.logDir, container.name, this.restartCount);
    await mkdir(dirname(logFile), { recursive: true });
    const child = launchContainer({
      name: `${this.context.facts().pod.metadata?.name ?? 'pod'}/${container.name}`,
      argv,
      env: this.env,
      hostname: this.context.hostname,
      workingDir: this.workingDir,
      mounts,
      logFile,
    });
    this.process = child;
    this.containerId = `sealbox-pod-runner://${this.context.facts().pod.metadata?.uid ?? ''}-${container.name}-${this.restartCount}`;
    // Failing to set up (a mount, say) ends the process: the run loop reports its exit.
    if (!(await child.ready)) return child;
    this.setState({ running: { startedAt: now() } });
    this.context.event('Normal', 'Started', `Started container ${container.name}`);
    const postStart = container.lifecycle?.postStart;
    if (postStart !== undefined) {
      const result = await this.runHook(postStart, 'PostStart', 30_000);
      if (!result) {
        void child.stop(this.terminationGraceMs());
        return child;
      }
    }
    this.startProbes(child);
    return child;
  }

  private mounts(env: Readonly<Record<string, string>>): ContainerMount[] {
    const out: ContainerMount[] = [];
    for (const mount of this.context.container.volumeMounts ?? []) {
      const volume = this.context.volume(mount.name);
      if (volume === undefined) throw new ContainerConfigError(`volumeMount "${mount.name}": no such volume`);
      const subPath = mount.subPathExpr !== undefined ? expandVars(mount.subPathExpr, (name) => env[name]) : (mount.subPath ?? '');
      if (isAbsolute(subPath) || normalize(subPath).startsWith('..')) throw new ContainerConfigError(`volumeMount "${mount.name}": invalid subPath`);
      const source = subPath === '' ? volume.hostPath : join(volume.hostPath, subPath);
      out.push({ source, target: mount.mountPath, readOnly: volume.readOnly || mount.readOnly === true });
    }
    // Parents before children, so a mount inside another volume lands in the mounted one.
    out.sort((a, b) => a.target.split('/').length - b.target.split('/').length);
    for (const mount of out) this.context.mountpoints.ensure(mount.target, isDirectoryLike(mount.source) ? 'directory' : 'file');
    return out;
  }

  private target(child: ManagedProcess): ProbeTarget {
    return {
      podIp: this.context.facts().podIp,
      ports: this.context.container.ports ?? [],
      exec: (argv, timeoutMs) => execInContainer(child.pid, argv, this.env, this.workingDir, timeoutMs),
    };
  }

  private startProbes(child: ManagedProcess): void {
    const { container } = this.context;
    const target = this.target(child);
    const afterStartup = () => {
      this.started = true;
      if (container.readinessProbe === undefined) this.ready = true;
      this.context.onChange();
      if (container.readinessProbe !== undefined) {
        this.probes.push(
          startProbeLoop(container.readinessProbe, target, false, (ok, result) => {
            if (!ok && this.ready) this.context.event('Warning', 'Unhealthy', `Readiness probe failed: ${result.message}`);
            this.ready = ok;
            this.context.onChange();
          }),
        );
      }
      if (container.livenessProbe !== undefined) {
        this.probes.push(
          startProbeLoop(container.livenessProbe, target, true, (ok, result) => {
            if (ok) return;
            this.context.event('Warning', 'Unhealthy', `Liveness probe failed: ${result.message}`);
            this.killUnhealthy(child, container.livenessProbe?.terminationGracePeriodSeconds);
          }),
        );
      }
    };
    if (container.startupProbe === undefined) {
      afterStartup();
      return;
    }
    const startup = startProbeLoop(container.startupProbe, target, false, (ok, result) => {
      startup.stop();
      if (ok) {
        afterStartup();
        return;
      }
      this.context.event('Warning', 'Unhealthy', `Startup probe failed: ${result.message}`);
      this.killUnhealthy(child, container.startupProbe?.terminationGracePeriodSeconds);
    });
    this.probes.push(startup);
  }

  private killUnhealthy(child: ManagedProcess, probeGraceSeconds: number | undefined): void {
    this.stopProbes();
    this.context.event('Normal', 'Killing', `Container ${this.name} failed a probe, will be restarted`);
    void child.stop(probeGraceSeconds === undefined ? this.terminationGraceMs() : probeGraceSeconds * 1000);
  }

  private terminationGraceMs(): number {
    return (this.context.pod().spec?.terminationGracePeriodSeconds ?? 30) * 1000;
  }

  private stopProbes(): void {
    for (const probe of this.probes) probe.stop();
    this.probes = [];
  }

  private async runHook(handler: V1LifecycleHandler, name: string, timeoutMs: number): Promise<boolean> {
    const child = this.process;
    if (child === undefined) return false;
    if (handler.sleep !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, handler.sleep!.seconds * 1000)));
      return true;
    }
    const result = await runHandler(handler, this.target(child), timeoutMs);
    if (!result.ok) this.context.event('Warning', `Failed${name}Hook`, `${name} hook failed: ${result.message}`);
    return result.ok;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function isDirectoryLike(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return true;
  }
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
