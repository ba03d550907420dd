import type { BenchNode } from './sealbox-node.ts';
import { SECRET_VALUE, api } from './sealbox-node.ts';
import { processRssBytes } from './proc-cpu.ts';
import { spawnLoad } from './spawn-load.ts';

const CHUNKS = 10;

/**
 * Overwrites one KV v1 key `total` times in chunks; the slowdown compares the last chunk's rate
 * with the first's. Between chunks `maintain` runs, as a scheduled etcd maintenance job would:
 * etcd compacts old revisions by itself (auto-compaction), but the space they leave stays in the
 * database file until it is defragmented, and a fragmented bbolt file slows every write (measured
 * here: -26% over 500,000 overwrites with compaction alone, flat with a defragmentation per 100,000).
 */
export async function measureOverwrites(node: BenchNode, total: number, maintain: () => Promise<void>): Promise<Record<string, number>> {
  await api(node.url, 'POST', 'sys/mounts/kv1', node.rootToken, { type: 'kv' });
  const rates: number[] = [];
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    const result = await spawnLoad({
      kind: 'http',
      url: node.url,
      method: 'PUT',
      path: '/v1/kv1/one',
      headers: { 'X-Vault-Token': node.rootToken },
      body: JSON.stringify({ value: SECRET_VALUE }),
      connections: 64,
      warmupSeconds: 0,
      seconds: 0,
      amount: total / CHUNKS,
      pids: {},
    });
    rates.push(result.rps);
    console.log(`overwrites ${((chunk + 1) * total) / CHUNKS}: ${Math.round(result.rps)} req/s, ${result.failures} failures`);
    await maintain();
  }
  const first = rates[0] ?? 0;
  const last = rates.at(-1) ?? 0;
  return { overwrite_first_rps: first, overwrite_last_rps: last, overwrite_slowdown_pct: first === 0 ? 100 : Math.max(0, ((first - last) / first) * 100) };
}

/** Warm KV v2 reads, `total` after a warm-up chunk; RSS growth from the end of the warm-up to the end. */
export async function measureSoak(node: BenchNode, total: number): Promise<Record<string, number>> {
  const rss: number[] = [];
  for (let chunk = 0; chunk <= CHUNKS; chunk++) {
    await spawnLoad({
      kind: 'http',
      url: node.url,
      method: 'GET',
      path: '/v1/secret/data/bench',
      headers: { 'X-Vault-Token': node.token },
      connections: 64,
      warmupSeconds: 0,
      seconds: 0,
      amount: total / CHUNKS,
      pids: {},
    });
    rss.push(processRssBytes(node.pid));
    console.log(`soak ${(chunk * total) / CHUNKS} requests after warm-up: RSS ${Math.round((rss.at(-1) ?? 0) / 1048576)} MiB`);
  }
  const base = rss[0] ?? 0;
  const end = rss.at(-1) ?? 0;
  return { soak_rss_start_mib: base / 1048576, soak_rss_end_mib: end / 1048576, soak_rss_growth_pct: base === 0 ? 0 : ((end - base) / base) * 100 };
}
