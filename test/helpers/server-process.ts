import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;

export interface ServerProcess {
  /** Base URL of the first listener, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM and wait for exit (SIGKILL with `kill: true`). */
  stop(options?: { kill?: boolean }): Promise<void>;
}

/**
 * Runs `sealbox server` as a real process. The listener binds port 0 and the test reads the
 * actual address from the server's "listening" log line, so parallel tests never collide.
 */
export async function startServerProcess(args: readonly string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI, 'server', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watchServer(child);
}

/**
 * Follows a spawned `sealbox server` (however it was started) until its "listening" line, and
 * keeps what it prints for the test to read.
 */
export async function watchServer(child: ChildProcess, startTimeoutMs = START_TIMEOUT_MS): Promise<ServerProcess> {
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A server that never said it listens must not outlive the test that gave up on it.
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time:\n${output}`));
    }, startTimeoutMs);
    const lines = createInterface({ input: child.stderr! });
    lines.on('line', (line) => {
      output += `${line}\n`;
      const address = listeningAddress(line);
      if (address === undefined) return;
      clearTimeout(timer);
      resolve(address);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    async stop(options = {}) {
      if (child.exitCode === null && child.signalCode === null) child.kill(options.kill ? 'SIGKILL' : 'SIGTERM');
      await exited;
    },
  };
}

function listeningAddress(line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: string; address?: string };
    return entry.msg === 'listening' ? entry.address : undefined;
  } catch {
    return undefined;
  }
}

export interface TempDir {
  readonly path: string;
  remove(): Promise<void>;
}

export async function tempDir(prefix = 'sealbox-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Writes an HCL server config with one plain-HTTP listener on an ephemeral loopback port. */
export async function writeServerConfig(dir: string, storageBlock: string, extra = ''): Promise<string> {
  const path = join(dir, 'server.hcl');
  await writeFile(
    path,
    `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\n${storageBlock}\ndisable_mlock = true\n${extra}\n`,
  );
  return path;
}

export interface UnsealedServer {
  readonly server: ServerProcess;
  readonly rootToken: string;
  readonly unsealKeys: readonly string[];
}

/** Starts a server, initializes it with one share and unseals it: the usual start of a client test. */
export async function startUnsealedServer(args: readonly string[]): Promise<UnsealedServer> {
  const server = await startServerProcess(args);
  try {
    const init = await postJson(`${server.url}/v1/sys/init`, { secret_shares: 1, secret_threshold: 1 });
    const keys = init['keys'] as string[];
    await postJson(`${server.url}/v1/sys/unseal`, { key: keys[0] });
    return { server, rootToken: init['root_token'] as string, unsealKeys: keys };
  } catch (error) {
    await server.stop({ kill: true });
    throw error;
  }
}

async function postJson(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'PUT', body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}
