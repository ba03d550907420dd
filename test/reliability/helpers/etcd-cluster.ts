import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../../helpers/free-port.ts';

/**
 * A three-member etcd cluster on loopback (Debian's etcd-server), whose members can be killed
 * with SIGKILL and started again on their own data, for fault tests.
 */
export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly metricsUrl: string;
  readonly running: boolean;
  /** SIGKILL; the data directory stays. */
  kill(): Promise<void>;
  /** Starts the member again on the data it had. */
  start(): Promise<void>;
  /** Whether this member is the raft leader now (false when it is down or undecided). */
  isLeader(): Promise<boolean>;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Comma-separated client URLs, as Vault's etcd `address` takes them. */
  readonly address: string;
  /** The current leader, waiting (bounded) for one to be elected. */
  leader(): Promise<EtcdMember>;
  /** Waits (bounded) until the running members report healthy, i.e. the cluster has quorum. */
  healthy(): Promise<void>;
  stop(): Promise<void>;
}

const POLLS = 300;
const POLL_MS = 100;

export async function startEtcdCluster(size = 3): Promise<EtcdCluster> {
  const dataRoot = await mkdtemp(join(tmpdir(), 'sealbox-etcd-cluster-'));
  const ports = await Promise.all(Array.from({ length: size * 3 }, () => freePort()));
  const specs = Array.from({ length: size }, (_, i) => ({
    name: `m${i}`,
    client: `http://127.0.0.1:${ports[i * 3]}`,
    peer: `http://127.0.0.1:${ports[i * 3 + 1]}`,
    metrics: `http://127.0.0.1:${ports[i * 3 + 2]}`,
    dataDir: join(dataRoot, `m${i}`),
  }));
  const initialCluster = specs.map((spec) => `${spec.name}=${spec.peer}`).join(',');
  const members = specs.map((spec) => new Member(spec, initialCluster));
  const cluster: EtcdCluster = {
    members,
    address: specs.map((spec) => spec.client).join(','),
    async leader() {
      for (let i = 0; i < POLLS; i++) {
        for (const member of members) if (await member.isLeader()) return member;
        await delay(POLL_MS);
      }
      throw new Error('no etcd leader was elected');
    },
    async healthy() {
      for (let i = 0; i < POLLS; i++) {
        const up = members.filter((member) => member.running);
        if ((await Promise.all(up.map((member) => member.healthy()))).every(Boolean)) return;
        await delay(POLL_MS);
      }
      throw new Error('the etcd cluster did not become healthy');
    },
    async stop() {
      await Promise.all(members.map((member) => member.kill()));
      await rm(dataRoot, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(members.map((member) => member.start()));
    await cluster.healthy();
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

interface MemberSpec {
  readonly name: string;
  readonly client: string;
  readonly peer: string;
  readonly metrics: string;
  readonly dataDir: string;
}

class Member implements EtcdMember {
  readonly #spec: MemberSpec;
  readonly #initialCluster: string;
  #child: ChildProcess | undefined;

  constructor(spec: MemberSpec, initialCluster: string) {
    this.#spec = spec;
    this.#initialCluster = initialCluster;
  }

  get name(): string {
    return this.#spec.name;
  }

  get clientUrl(): string {
    return this.#spec.client;
  }

  get metricsUrl(): string {
    return this.#spec.metrics;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { name, client, peer, metrics, dataDir } = this.#spec;
    this.#child = spawn(
      'etcd',
      [
        '--name', name, '--data-dir', dataDir,
        '--listen-client-urls', client, '--advertise-client-urls', client,
        '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
        '--initial-cluster', this.#initialCluster, '--initial-cluster-state', 'new',
        '--heartbeat-interval', '50', '--election-timeout', '500',
        '--listen-metrics-urls', metrics, '--log-level', 'error',
      ],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    const child = this.#child;
    process.once('exit', () => child.kill('SIGKILL'));
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async isLeader(): Promise<boolean> {
    if (!this.running) return false;
    const text = await fetchText(`${this.#spec.metrics}/metrics`);
    return /^etcd_server_is_leader 1$/m.test(text ?? '');
  }

  async healthy(): Promise<boolean> {
    const text = await fetchText(`${this.#spec.metrics}/health`);
    return text !== undefined && (JSON.parse(text) as { health?: string }).health === 'true';
  }
}

async function fetchText(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return await response.text();
  } catch {
    return undefined;
  }
}
