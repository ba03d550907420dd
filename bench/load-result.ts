/** What one measured run of a load generator reports (latencies in milliseconds). */
export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Responses that were not 2xx, and connection errors. */
  readonly failures: number;
  /** CPU microseconds per request of each watched process, by name. */
  readonly cpuPerRequest: Readonly<Record<string, number>>;
}

/** The processes whose CPU time a run measures, by name. */
export type WatchedPids = Readonly<Record<string, number>>;

export function cpuPerRequest(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>, requests: number): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, micros]) => [name, requests === 0 ? 0 : (micros - (before[name] ?? 0)) / requests]));
}
