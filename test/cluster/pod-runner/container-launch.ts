import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { hostCommand } from '../host-command.ts';
import { startManagedProcess } from '../managed-process.ts';
import type { ManagedProcess } from '../managed-process.ts';

/** One bind mount of a container: a host path at a path inside its mount namespace. */
export interface ContainerMount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

export interface LaunchSpec {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly hostname: string;
  readonly workingDir: string;
  /** Applied in order: a mount inside another mount's target comes after it. */
  readonly mounts: readonly ContainerMount[];
  readonly logFile: string;
}

// Runs as the container's first process inside `unshare --mount --uts`: names the host, makes
// the mounts (creating a target inside an earlier mount if needed), then becomes the command.
// Its own tools come from the host's directories, not the container's PATH (busybox applets).
// It says "ready" on fd 3 once the namespace is set up: hooks and exec probes entering the
// namespace before that would act on the host's filesystem.
// The mount namespace is private, so the mounts vanish with the process and never reach the host.
const CONTAINER_INIT = `
set -e
container_path=$PATH
PATH=/usr/sbin:/usr/bin:/sbin:/bin
hostname "$1"
workdir=$2
n=$3
shift 3
while [ "$n" -gt 0 ]; do
  src=$1 dst=$2 mode=$3
  shift 3
  n=$((n - 1))
  if [ -d "$src" ]; then
    [ -d "$dst" ] || mkdir -p "$dst"
  elif [ ! -e "$dst" ]; then
    mkdir -p "$(dirname "$dst")"
    : >"$dst"
  fi
  mount --bind "$src" "$dst"
  if [ "$mode" = ro ]; then mount -o remount,bind,ro "$dst"; fi
done
[ -d "$workdir" ] || mkdir -p "$workdir"
cd "$workdir"
PATH=$container_path
export PATH
echo ready >&3
exec 3>&-
exec "$@"
`;

/** Starts a container's command as a local process in its own mount and UTS namespaces. */
export function launchContainer(spec: LaunchSpec): ManagedProcess {
  const mountArgs = spec.mounts.flatMap((mount) => [mount.source, mount.target, mount.readOnly ? 'ro' : 'rw']);
  return startManagedProcess({
    name: spec.name,
    command: hostCommand('unshare'),
    args: [
      '--mount', '--uts', '--propagation', 'private', '--',
      hostCommand('sh'), '-c', CONTAINER_INIT, 'container-init',
      spec.hostname, spec.workingDir, String(spec.mounts.length), ...mountArgs,
      ...spec.argv,
    ],
    env: { ...spec.env },
    logFile: spec.logFile,
    readySignal: true,
  });
}

/** Runs argv inside a running container's namespaces, environment and working directory (exec probes, hooks). */
export function execInContainer(
  pid: number,
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  workingDir: string,
  timeoutMs: number,
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(hostCommand('nsenter'), ['--target', String(pid), '--mount', '--uts', `--wd=${workingDir}`, '--', ...argv], {
      env: { ...env },
      stdio: 'ignore',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    child.once('error', () => resolve(127));
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 137)));
  });
}

/** Where a container's log of one run goes: <pod log dir>/<container>/<restart count>.log, like /var/log/pods. */
export function containerLogFile(podLogDir: string, container: string, restartCount: number): string {
  return join(podLogDir, container, `${restartCount}.log`);
}
