import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** kube-apiserver, kube-controller-manager and kubectl built by test/cluster/build.sh. */
export interface KubeBinaries {
  readonly dir: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubectl: string;
}

const BUILD_SCRIPT = fileURLToPath(new URL('./build.sh', import.meta.url));

/**
 * Returns the cached binaries, building them first when the stamp says they are missing or stale
 * (scripts/test-deps.sh builds them before ava starts, so inside tests this is a quick check).
 * build.sh holds a lock, so concurrent callers wait for one build instead of starting two.
 */
export async function kubeBinaries(): Promise<KubeBinaries> {
  const { stdout } = await promisify(execFile)('bash', [BUILD_SCRIPT], { maxBuffer: 1 << 20 });
  const dir = stdout.trim().split('\n').at(-1) ?? '';
  if (dir === '') throw new Error('test/cluster/build.sh printed no directory');
  return {
    dir,
    kubeApiserver: join(dir, 'kube-apiserver'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
    kubectl: join(dir, 'kubectl'),
  };
}
