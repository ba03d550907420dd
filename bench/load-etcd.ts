import { Etcd3 } from 'etcd3';
import type { LoadResult, WatchedPids } from './load-result.ts';
import { cpuPerRequest } from './load-result.ts';
import { processCpuMicros } from './proc-cpu.ts';
import { percentile } from './stats.ts';

/** The etcd3 client's own throughput, the reference the server's storage-bound workloads are ratios of. */
export interface EtcdLoadSpec {
  readonly endpoint: string;
  readonly op: 'get' | 'txn2' | 'put';
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly pids: WatchedPids;
}

const VALUE = Buffer.alloc(256, 'v');
const KEYS = 1_000;

export async function runEtcdLoad(spec: EtcdLoadSpec): Promise<LoadResult> {
  const client = new Etcd3({ hosts: spec.endpoint });
  const kv = client.namespace('bench-ref/');
  try {
    await Promise.all(Array.from({ length: KEYS }, (_, i) => kv.put(`k${i}`).value(VALUE)));
    const op = operation(kv, spec.op);
    if (spec.warmupSeconds > 0) await drive(op, spec.connections, spec.warmupSeconds);
    const before = { ...cpuOf(spec.pids), client: ownCpu() };
    const { latencies, seconds } = await drive(op, spec.connections, spec.seconds);
    const after = { ...cpuOf(spec.pids), client: ownCpu() };
    latencies.sort((a, b) => a - b);
    return {
      requests: latencies.length,
      seconds,
      rps: latencies.length / seconds,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      failures: 0,
      cpuPerRequest: cpuPerRequest(before, after, latencies.length),
    };
  } finally {
    client.close();
  }
}

type Namespace = ReturnType<Etcd3['namespace']>;

function operation(kv: Namespace, op: EtcdLoadSpec['op']): (n: number) => Promise<unknown> {
  if (op === 'get') return (n) => kv.get(`k${n % KEYS}`).buffer();
  if (op === 'put') return (n) => kv.put(`k${n % KEYS}`).value(VALUE).exec();
  // A KV v2 write: data and metadata in one transaction.
  return (n) =>
    kv
      .if(`k${n % KEYS}`, 'Version', '>', -1)
      .then(kv.put(`d${n % KEYS}`).value(VALUE), kv.put(`m${n % KEYS}`).value(VALUE))
      .commit();
}

async function drive(op: (n: number) => Promise<unknown>, connections: number, seconds: number): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let n = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const began = performance.now();
      await op(n++);
      latencies.push(performance.now() - began);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return { latencies, seconds: (performance.now() - start) / 1000 };
}


function ownCpu(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

function cpuOf(pids: WatchedPids): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuMicros(pid)]));
}
