import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestFn } from 'ava';
import type { EtcdStorageConfig } from '../../src/server/config/server-config.ts';
import { freePort } from './free-port.ts';

/**
 * A real single-member etcd (Debian's etcd-server) on free loopback ports, for tests.
 *
 *   const etcd = useEtcd(test);                 // one etcd for the whole test file
 *   test('x', async (t) => { const backend = await EtcdBackend.create(etcdStorageConfig(etcd().endpoint)); ... });
 *
 *   await withEtcd(async (etcd) => { ... });    // a private etcd for one test (e.g. to kill it)
 *   await startEtcd({ tls: { caFile, certFile, keyFile } });  // https only, client certificates required
 *
 * Tests sharing one etcd keep apart by prefix: etcdStorageConfig() picks a unique one.
 */
export interface RunningEtcd {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** The etcd process, e.g. for a benchmark to read its CPU time. */
  readonly pid: number;
  /** SIGKILLs etcd (SIGTERM can take seconds while it hands over leadership) and removes its data. */
  stop(): Promise<void>;
}

/** Server certificate and key, and the CA that client certificates must chain to. */
export interface EtcdTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface StartEtcdOptions {
  readonly tls?: EtcdTlsFiles;
  /** More etcd flags, e.g. auto-compaction for long benchmark runs. */
  readonly extraArgs?: readonly string[];
}

const START_ATTEMPTS = 3;
const HEALTH_POLLS = 150;
const HEALTH_POLL_MS = 100;

const running = new Set<{ readonly child: ChildProcess; readonly dataDir: string }>();

/** Registers hooks starting etcd before the file's tests and stopping it after; returns an accessor. */
export function useEtcd<Context>(test: TestFn<Context>): () => RunningEtcd {
  let etcd: RunningEtcd | undefined;
  test.before(async () => {
    etcd = await startEtcd();
  });
  test.after.always(async () => {
    await etcd?.stop();
  });
  return () => {
    if (etcd === undefined) throw new Error('etcd is not running: call useEtcd(test) at the top level of the test file');
    return etcd;
  };
}

/** Runs `work` against a private etcd, stopped afterwards whatever happens. */
export async function withEtcd<T>(work: (etcd: RunningEtcd) => Promise<T>, options: StartEtcdOptions = {}): Promise<T> {
  const etcd = await startEtcd(options);
  try {
    return await work(etcd);
  } finally {
    await etcd.stop();
  }
}

/** A storage config for `endpoint` under a fresh unique prefix, with short test timeouts. */
export function etcdStorageConfig(endpoint: string, overrides: Partial<EtcdStorageConfig> = {}): EtcdStorageConfig {
  return {
    type: 'etcd',
    endpoints: [endpoint],
    prefix: uniquePrefix(),
    haEnabled: true,
    requestTimeoutMs: 2000,
    lockTtlSeconds: 2,
    ...overrides,
  };
}

export function uniquePrefix(): string {
  return `/sealbox-test-${randomUUID()}/`;
}

export async function startEtcd(options: StartEtcdOptions = {}): Promise<RunningEtcd> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(options);
    } catch (error) {
      // Free ports are found by binding and releasing, so another process can win the race.
      if (attempt >= START_ATTEMPTS) throw error;
    }
  }
}

async function startOnce(options: StartEtcdOptions): Promise<RunningEtcd> {
  const [clientPort, peerPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const endpoint = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  // /health on a plain-http metrics listener works the same with and without client TLS.
  const metrics = `http://127.0.0.1:${metricsPort}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'sealbox-etcd-'));
  const child = spawn(
    'etcd',
    [
      '--name', 'test',
      '--data-dir', dataDir,
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `test=${peer}`,
      '--heartbeat-interval', '10',
      '--election-timeout', '100',
      '--listen-metrics-urls', metrics,
      '--log-level', 'error',
      ...tlsArguments(options.tls),
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const entry = { child, dataDir };
  running.add(entry);
  ensureExitCleanup();
  const stderr = captureTail(child);
  const stop = once(async () => {
    running.delete(entry);
    await kill(child);
    await rm(dataDir, { recursive: true, force: true });
  });
  try {
    await waitHealthy(metrics, child, stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, pid: child.pid ?? 0, stop };
}

function tlsArguments(tls: EtcdTlsFiles | undefined): string[] {
  if (tls === undefined) return [];
  return ['--cert-file', tls.certFile, '--key-file', tls.keyFile, '--trusted-ca-file', tls.caFile, '--client-cert-auth'];
}

async function waitHealthy(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let poll = 0; poll < HEALTH_POLLS; poll += 1) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`etcd exited (${child.exitCode ?? child.signalCode}) before becoming healthy:\n${stderr()}`);
    }
    if (await isHealthy(endpoint)) return;
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
  throw new Error(`etcd at ${endpoint} not healthy after ${(HEALTH_POLLS * HEALTH_POLL_MS) / 1000} s:\n${stderr()}`);
}

async function isHealthy(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await response.json()) as { health?: unknown };
    return body.health === 'true';
  } catch {
    return false;
  }
}

function captureTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-8192);
  });
  return () => tail;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

function once(work: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= work());
}

let exitCleanupRegistered = false;

// A crashed or interrupted test worker must not leave etcd processes or data dirs behind.
function ensureExitCleanup(): void {
  if (exitCleanupRegistered) return;
  exitCleanupRegistered = true;
  process.once('exit', () => {
    for (const { child, dataDir } of running) {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
