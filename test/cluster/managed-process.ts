import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { hostCommand } from './host-command.ts';

/**
 * A long-running child of the harness (etcd, kube-apiserver, a container), in its own process
 * group, with its output appended to a log file.
 *
 * Every child is started through `setpriv --pdeathsig KILL`, so the kernel kills it when the
 * process that started it dies for any reason (an ava worker killed on timeout runs no hooks);
 * a normal exit of the parent kills every process group that is still running.
 */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** The exit code, or 128 + signal number, once the process has exited. */
  exitCode(): number | undefined;
  /** Resolves with the exit code when the process exits. */
  readonly exited: Promise<number>;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs: number): Promise<number>;
  /** The last few KiB of the log, for error messages. */
  logTail(): string;
  /**
   * With `readySignal`: true once the process has written a line to file descriptor 3, false if
   * it exited first. Without: true at once.
   */
  readonly ready: Promise<boolean>;
}

export interface ManagedProcessOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Gives the process a pipe on fd 3 on which it says it is ready (see `ready`). */
  readonly readySignal?: boolean;
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
const LOG_TAIL_BYTES = 8192;

const liveGroups = new Set<number>();
let exitHookInstalled = false;

export function startManagedProcess(options: ManagedProcessOptions): ManagedProcess {
  const log = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(hostCommand('setpriv'), ['--pdeathsig', 'KILL', '--', options.command, ...options.args], {
      detached: true,
      stdio: options.readySignal === true ? ['ignore', log, log, 'pipe'] : ['ignore', log, log],
      env: options.env ?? process.env,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
  } finally {
    closeSync(log);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${options.name} (${options.command})`);
  liveGroups.add(pid);
  installExitHook();
  let code: number | undefined;
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (exitCode, signal) => {
      code = exitCode ?? 128 + (signal === null ? 0 : (SIGNAL_NUMBERS[signal] ?? 0));
      // The group may still hold grandchildren: take them down with their leader.
      signalGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
      resolve(code);
    });
  });
  const readyPipe = child.stdio[3];
  const ready =
    readyPipe === undefined || readyPipe === null
      ? Promise.resolve(true)
      : new Promise<boolean>((resolve) => {
          readyPipe.once('data', () => resolve(true));
          readyPipe.once('close', () => resolve(false));
          readyPipe.once('error', () => resolve(false));
        });
  return {
    name: options.name,
    pid,
    ready,
    exitCode: () => code,
    exited,
    async stop(graceMs) {
      if (code !== undefined) return code;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    logTail: () => readTail(options.logFile),
  };
}

/** The process group ids (= pids of the started processes) still running, for leak checks. */
export function liveProcessGroups(): number[] {
  return [...liveGroups];
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
  });
}

export function readTail(file: string, bytes = LOG_TAIL_BYTES): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
