import { execFileSync, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Etcd3 } from 'etcd3';
import { startEtcd } from '../test/helpers/etcd.ts';
import { tempDir } from '../test/helpers/server-process.ts';
import type { LoadResult } from './load-result.ts';
import { measureColdStart, measureRotate, measureUnseal } from './one-offs.ts';
import { loadTable, verdictChart, verdictTable } from './report.ts';
import { startBenchNode } from './sealbox-node.ts';
import { measureOverwrites, measureSoak } from './long-runs.ts';
import { spawnLoad } from './spawn-load.ts';
import { median } from './stats.ts';
import { verdicts } from './targets.ts';
import type { BenchEnvironment } from './workloads.ts';
import { WORKLOADS } from './workloads.ts';

const HELP = `npm run bench [-- options]
  --runs N        rounds of every workload, A/B interleaved; the median is reported (default 3)
  --seconds S     measured seconds per run (default 5), after --warmup W seconds (default 1)
  --only a,b      only these workloads (names as in the table); one-off timings are skipped
  --long          also 1,000,000 overwrites of one key and a 1,000,000-request memory soak (tens of minutes)
  --out DIR       where latest.json, latest.md and latest.svg go (default bench/results)`;

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    only: { type: 'string' },
    long: { type: 'boolean', default: false },
    out: { type: 'string', default: fileURLToPath(new URL('./results', import.meta.url)) },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(HELP);
  process.exit(0);
}
const runs = Number(flags.runs);
const timing = { warmupSeconds: Number(flags.warmup), seconds: Number(flags.seconds) };
const only = flags.only?.split(',');
const workloads = WORKLOADS.filter((workload) => only === undefined || only.includes(workload.name));

const machine = machineLine();
console.log(machine);
const started = performance.now();
// As a production etcd is configured: old revisions compacted away every 30 s, so that long
// overwrite runs keep the keyspace (and the watch of the storage cache) at a steady size.
const etcd = await startEtcd({ extraArgs: ['--auto-compaction-mode=periodic', '--auto-compaction-retention=30s'] });
const dir = await tempDir('sealbox-bench-');
const koa = await startKoa();
const etcdBlock = (prefix: string) => `storage "etcd" {\n  address = "${etcd.endpoint}"\n  path = "/${prefix}/"\n}`;
const cleanup: Array<() => Promise<void>> = [];
try {
  const cached = await startBenchNode({ dir: dir.path, name: 'cached', storageBlock: etcdBlock('cached'), tls: true });
  cleanup.push(() => cached.server.stop());
  const uncached = await startBenchNode({ dir: dir.path, name: 'uncached', storageBlock: etcdBlock('uncached'), disableCache: true });
  cleanup.push(() => uncached.server.stop());
  const file = await startBenchNode({ dir: dir.path, name: 'file', storageBlock: `storage "file" {\n  path = "${join(dir.path, 'file-data')}"\n}` });
  cleanup.push(() => file.server.stop());
  const env: BenchEnvironment = { etcd, koaUrl: koa.url, koaPid: koa.pid, cached, uncached, file };

  const samples = new Map<string, LoadResult[]>();
  for (let round = 1; round <= runs; round++) {
    for (const workload of workloads) {
      const result = await spawnLoad(workload.spec(env, timing));
      samples.set(workload.name, [...(samples.get(workload.name) ?? []), result]);
      console.log(`round ${round}/${runs} ${workload.name}: ${Math.round(result.rps)} req/s, p99 ${result.p99.toFixed(2)} ms${result.failures > 0 ? `, ${result.failures} failures` : ''}`);
    }
  }
  const loads = Object.fromEntries([...samples].map(([name, results]) => [name, medianResult(results)]));

  const timings: Record<string, number> = {};
  if (only === undefined) {
    timings['rotate_ms'] = median(await measureRotate(cached, 5));
    console.log(`rotate: ${timings['rotate_ms'].toFixed(1)} ms`);
    timings['unseal_ms'] = median(await measureUnseal(dir.path, etcdBlock('unseal'), 1_000, 10_000, runs));
    console.log(`unseal with 1,000 mounts and 10,000 tokens: ${timings['unseal_ms'].toFixed(1)} ms`);
    if (flags.long) {
      Object.assign(timings, await measureOverwrites(cached, 1_000_000, () => defragment(etcd.endpoint)), await measureSoak(cached, 1_000_000));
    }
    timings['cold_start_ms'] = median(await measureColdStart(file, runs));
    console.log(`cold start to seal-status: ${timings['cold_start_ms'].toFixed(1)} ms`);
  }

  const results = verdicts({ loads, timings });
  const minutes = (performance.now() - started) / 60_000;
  const markdown = [
    `Machine: ${machine}`,
    `Runs: ${runs} per workload, ${timing.seconds} s each after ${timing.warmupSeconds} s warm-up, c=64 unless named _c1; median shown; whole run ${minutes.toFixed(1)} min.`,
    '',
    verdictTable(results),
    '',
    loadTable(loads),
  ].join('\n');
  console.log(`\n${markdown}`);
  await mkdir(flags.out, { recursive: true });
  await writeFile(join(flags.out, 'latest.json'), `${JSON.stringify({ machine, runs, timing, loads, timings, verdicts: results, samples: Object.fromEntries(samples) }, null, 2)}\n`);
  await writeFile(join(flags.out, 'latest.md'), `${markdown}\n`);
  await writeFile(join(flags.out, 'latest.svg'), verdictChart(results, `Sealbox: measured / target (${machine.split(';')[0]})`));
  console.log(`\nwrote ${join(flags.out, 'latest.{json,md,svg}')}`);
} finally {
  for (const stop of cleanup.reverse()) await stop().catch(() => undefined);
  koa.child.kill('SIGTERM');
  await etcd.stop();
  await dir.remove();
}

function medianResult(results: readonly LoadResult[]): LoadResult {
  const pick = (read: (r: LoadResult) => number) => median(results.map(read));
  const names = Object.keys(results[0]?.cpuPerRequest ?? {});
  return {
    requests: pick((r) => r.requests),
    seconds: pick((r) => r.seconds),
    rps: pick((r) => r.rps),
    p50: pick((r) => r.p50),
    p99: pick((r) => r.p99),
    failures: results.reduce((sum, r) => sum + r.failures, 0),
    cpuPerRequest: Object.fromEntries(names.map((name) => [name, pick((r) => r.cpuPerRequest[name] ?? 0)])),
  };
}

function machineLine(): string {
  const cpu = cpus();
  const etcdVersion = execFileSync('etcd', ['--version'], { encoding: 'utf8' }).split('\n')[0]?.replace('etcd Version: ', '') ?? 'unknown';
  const load = loadavg().map((value) => value.toFixed(2)).join(' ');
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores; Node ${process.version}; etcd ${etcdVersion}; load average at start ${load}`;
}

async function startKoa(): Promise<{ url: string; pid: number; child: ReturnType<typeof spawn> }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./http-baseline.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('listening ')) resolve(line.slice('listening '.length));
    });
    child.once('exit', (code) => reject(new Error(`the Koa baseline exited with ${code}`)));
  });
  return { url, pid: child.pid ?? 0, child };
}

/** What an etcd maintenance job does after compaction: gives the freed space back to the file. */
async function defragment(endpoint: string): Promise<void> {
  const client = new Etcd3({ hosts: endpoint });
  try {
    await client.maintenance.defragment();
  } finally {
    client.close();
  }
}
