import type { LoadResult } from './load-result.ts';

/** Medians per workload, and the one-off timings in milliseconds. */
export interface Measured {
  readonly loads: Readonly<Record<string, LoadResult>>;
  readonly timings: Readonly<Record<string, number>>;
}

export interface Verdict {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
  /** measured / required, for the chart: at least 1 passes (latency targets are inverted). */
  readonly score: number;
}

type Check = (m: Measured) => Verdict | undefined;

function ratio(target: string, workload: string, reference: string, factor: number): Check {
  return ({ loads }) => {
    const got = loads[workload];
    const ref = loads[reference];
    if (got === undefined || ref === undefined) return undefined;
    const value = got.rps / ref.rps;
    return { target, measured: `${value.toFixed(2)} × (${Math.round(got.rps)} / ${Math.round(ref.rps)} req/s)`, pass: value >= factor, score: value / factor };
  };
}

function latency(target: string, read: (m: Measured) => number | undefined, limit: (m: Measured) => number | undefined): Check {
  return (m) => {
    const value = read(m);
    const max = limit(m);
    if (value === undefined || max === undefined) return undefined;
    return { target, measured: `${value.toFixed(2)} ms (limit ${max.toFixed(2)} ms)`, pass: value <= max, score: max / Math.max(value, 0.001) };
  };
}

const p99 = (name: string) => (m: Measured) => m.loads[name]?.p99;
const fixed = (ms: number) => () => ms;

export const TARGETS: readonly Check[] = [
  ratio('KV v2 read, warm >= 0.5 x R_http', 'kv2_read_warm', 'R_http', 0.5),
  latency('KV v2 read, warm: p99 <= 10 ms', p99('kv2_read_warm'), fixed(10)),
  ratio('KV v2 read, cache off >= 0.55 x R_get', 'kv2_read_cache_off', 'R_get', 0.55),
  ratio('KV v2 write >= 0.75 x R_txn2', 'kv2_write', 'R_txn2', 0.75),
  latency('KV v2 write: p99 <= 50 ms', p99('kv2_write'), fixed(50)),
  latency('KV v2 write c=1: p50 <= R_put1 p50 + 0.5 ms', (m) => m.loads['kv2_write_c1']?.p50, (m) => (m.loads['R_put1'] === undefined ? undefined : m.loads['R_put1'].p50 + 0.5)),
  ratio('Token create >= 0.7 x R_txn2', 'token_create', 'R_txn2', 0.7),
  ratio('sys/health >= 0.8 x R_http', 'sys_health', 'R_http', 0.8),
  latency('Unseal, 1,000 mounts + 10,000 tokens <= 250 ms', (m) => m.timings['unseal_ms'], fixed(250)),
  latency('Cold start to seal-status <= 1 s', (m) => m.timings['cold_start_ms'], fixed(1000)),
  latency('Barrier rotate <= 50 ms', (m) => m.timings['rotate_ms'], fixed(50)),
  (m) => {
    const growth = m.timings['soak_rss_growth_pct'];
    if (growth === undefined) return undefined;
    return { target: 'RSS flat (within 10%) over the soak', measured: `${growth.toFixed(1)} %`, pass: growth <= 10, score: 10 / Math.max(growth, 0.1) };
  },
  (m) => {
    const slowdown = m.timings['overwrite_slowdown_pct'];
    if (slowdown === undefined) return undefined;
    return { target: 'Overwrites of one key: slowdown <= 20%', measured: `${slowdown.toFixed(1)} %`, pass: slowdown <= 20, score: 20 / Math.max(slowdown, 0.1) };
  },
];

export function verdicts(measured: Measured): Verdict[] {
  return TARGETS.flatMap((check) => check(measured) ?? []);
}
