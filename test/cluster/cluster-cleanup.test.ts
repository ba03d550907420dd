// The harness leaves nothing behind: not when a test fails, not when the test process dies.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { liveProcessGroups } from './managed-process.ts';
import { withCluster } from './test-cluster.ts';
import { waitUntil } from './wait-until.ts';

const HOLDER = fileURLToPath(new URL('./cluster-holder.ts', import.meta.url));

/** Running, not a zombie waiting for whoever inherited it to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Every mount table on the machine (one per process, so every mount namespace) that mentions `path`. */
function mountsMentioning(path: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/mountinfo`, 'utf8').includes(path)) found.push(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

test.serial('a test that fails inside the cluster leaves no process, mount or directory behind', async (t) => {
  let pids: number[] = [];
  let dir = '';
  const failure = await t.throwsAsync(
    withCluster(async (cluster) => {
      dir = cluster.controlPlane.dir;
      const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
      const namespace = await cluster.createNamespace('cleanup');
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'data' }, data: { key: 'value' } } });
      await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: 'mounted' },
          spec: {
            containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 'data', mountPath: '/etc/cleanup-check' }] }],
            volumes: [{ name: 'data', configMap: { name: 'data' } }],
          },
        },
      });
      await waitUntil(
        async () => ((await core.readNamespacedPod({ namespace, name: 'mounted' })).status?.phase === 'Running' ? true : undefined),
        { timeoutMs: 90_000, what: 'the pod to run' },
      );
      pids = liveProcessGroups();
      t.true(mountsMentioning(dir).length > 0, 'the container has its mounts while it runs');
      throw new Error('simulated test failure');
    }),
  );
  t.is(failure?.message, 'simulated test failure');
  t.true(pids.length >= 4, `etcd, kube-apiserver, kube-controller-manager and a container: ${pids.join(', ')}`);
  t.deepEqual(pids.filter(alive), []);
  t.deepEqual(mountsMentioning(dir), []);
  t.false(existsSync(dir));
});

test.serial('a test process that is killed takes its cluster down with it', async (t) => {
  const holder = spawn(process.execPath, [HOLDER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => holder.once('exit', resolve));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: holder.stdout }).once('line', resolve);
    holder.once('exit', (code) => reject(new Error(`cluster holder exited with ${code} before reporting`)));
  });
  const { pids, dir } = JSON.parse(line) as { pids: number[]; dir: string };
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.true(pids.length >= 4);
  holder.kill('SIGKILL');
  await exited;
  await waitUntil(() => (pids.some(alive) ? undefined : true), { timeoutMs: 10_000, intervalMs: 100, what: 'the cluster processes to die' });
  t.deepEqual(pids.filter(alive), []);
  t.deepEqual(mountsMentioning(dir), []);
});
