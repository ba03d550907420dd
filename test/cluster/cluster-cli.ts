// `npm run cluster:up` / `npm run cluster:down`: the test cluster for a person at a shell.
//
//   up      starts a supervisor in the background that runs the cluster, waits until it is ready
//           and prints how to use it (KUBECONFIG, kubectl); a second `up` reports the running one
//   down    asks the supervisor to stop everything and waits until it has
//   serve   (internal) the supervisor itself
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from './test-cluster.ts';
import { readTail } from './managed-process.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const STATE_DIR = join(REPO, '.cache', 'kube-cluster');
const CLUSTER_DIR = join(STATE_DIR, 'cluster');
const STATE_FILE = join(STATE_DIR, 'state.json');
const SUPERVISOR_LOG = join(STATE_DIR, 'supervisor.log');
const POLL_MS = 250;
const UP_TIMEOUT_MS = 15 * 60_000;
const DOWN_TIMEOUT_MS = 60_000;

interface State {
  readonly pid: number;
  readonly kubeconfig: string;
  readonly server: string;
  readonly kubectl: string;
}

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up':
      return up();
    case 'down':
      return down();
    case 'serve':
      return serve();
    default:
      process.stderr.write('usage: cluster-cli.ts up|down\n');
      return 2;
  }
}

async function up(): Promise<number> {
  const running = await readState();
  if (running !== undefined && alive(running.pid)) {
    printUsage(running, 'already running');
    return 0;
  }
  await rm(STATE_FILE, { force: true });
  await mkdir(STATE_DIR, { recursive: true });
  const log = openSync(SUPERVISOR_LOG, 'w');
  const supervisor = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve'], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  supervisor.unref();
  const deadline = Date.now() + UP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const state = await readState();
    if (state !== undefined) {
      printUsage(state, 'up');
      return 0;
    }
    if (supervisor.exitCode !== null || !alive(supervisor.pid ?? 0)) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  process.stderr.write(`cluster:up failed; supervisor log ${SUPERVISOR_LOG}:\n${readTail(SUPERVISOR_LOG)}\n`);
  if (supervisor.pid !== undefined && alive(supervisor.pid)) process.kill(supervisor.pid, 'SIGTERM');
  return 1;
}

async function down(): Promise<number> {
  const state = await readState();
  if (state === undefined || !alive(state.pid)) {
    await rm(STATE_FILE, { force: true });
    process.stdout.write('cluster:down: no cluster running\n');
    return 0;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + DOWN_TIMEOUT_MS;
  while (alive(state.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  if (alive(state.pid)) {
    // Its children die with it (parent-death signal), but its mounts and files may stay.
    process.kill(state.pid, 'SIGKILL');
    process.stderr.write('cluster:down: the supervisor did not stop in time and was killed\n');
  }
  await rm(STATE_FILE, { force: true });
  process.stdout.write('cluster:down: stopped\n');
  return 0;
}

async function serve(): Promise<number> {
  await rm(CLUSTER_DIR, { recursive: true, force: true });
  await mkdir(CLUSTER_DIR, { recursive: true });
  const cluster = await startCluster({ dir: CLUSTER_DIR });
  const state: State = {
    pid: process.pid,
    kubeconfig: cluster.kubeconfigPath,
    server: cluster.server,
    kubectl: cluster.controlPlane.binaries.kubectl,
  };
  await writeFile(STATE_FILE, `${JSON.stringify(state, undefined, 2)}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await cluster.stop();
  await rm(CLUSTER_DIR, { recursive: true, force: true });
  return 0;
}

function printUsage(state: State, what: string): void {
  process.stdout.write(
    [
      `cluster:${what}: ${state.server} (supervisor pid ${state.pid})`,
      `  export KUBECONFIG=${state.kubeconfig}`,
      `  export PATH=${dirname(state.kubectl)}:$PATH   # the pinned kubectl`,
      `  logs: ${join(CLUSTER_DIR, 'logs')} (control plane), ${join(CLUSTER_DIR, 'runner', 'logs')} (containers)`,
      '  stop: npm run cluster:down',
      '',
    ].join('\n'),
  );
}

async function readState(): Promise<State | undefined> {
  if (!existsSync(STATE_FILE)) return undefined;
  try {
    return JSON.parse(await readFile(STATE_FILE, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Exit explicitly: client watch sockets and timers would keep the supervisor alive after `down`.
process.exit(await main(process.argv[2]));
