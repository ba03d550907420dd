import autocannon from 'autocannon';
import type { LoadResult, WatchedPids } from './load-result.ts';
import { cpuPerRequest } from './load-result.ts';
import { processCpuMicros } from './proc-cpu.ts';
import { percentile } from './stats.ts';

/** One HTTP workload: autocannon in this process, apart from the server it loads. */
export interface HttpLoadSpec {
  readonly url: string;
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Spread the path over this many keys (`{n}` in the path is replaced), e.g. to avoid one hot key. */
  readonly spread?: number;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** Instead of a duration: exactly this many requests. */
  readonly amount?: number;
  readonly pids: WatchedPids;
}

export async function runHttpLoad(spec: HttpLoadSpec): Promise<LoadResult> {
  if (spec.warmupSeconds > 0) await cannon(spec, { duration: spec.warmupSeconds });
  const before = cpuOf(spec.pids);
  // autocannon's own percentiles are whole milliseconds; its per-response times are not.
  const latencies: number[] = [];
  const timing = { started: performance.now(), lastResponse: 0 };
  const result = await cannon(spec, spec.amount === undefined ? { duration: spec.seconds } : { amount: spec.amount }, latencies, timing);
  const after = cpuOf(spec.pids);
  const requests = result.requests.total;
  // With an amount, autocannon reports its result at the next whole-second tick after the last
  // response, so its duration is rounded up to the second (a 17.1 s run reads 18 s).
  const seconds = spec.amount === undefined ? result.duration : (timing.lastResponse - timing.started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    failures: result.non2xx + result.errors + result.timeouts,
    cpuPerRequest: cpuPerRequest(before, after, requests),
  };
}

function cannon(spec: HttpLoadSpec, length: { duration: number } | { amount: number }, latencies: number[] = [], timing = { lastResponse: 0 }): Promise<autocannon.Result> {
  let next = 0;
  const request: autocannon.Request = {
    method: spec.method,
    path: spec.path.replace('{n}', '0'),
    ...(spec.body === undefined ? {} : { body: spec.body }),
    ...(spec.spread === undefined ? {} : { setupRequest: (req: autocannon.Request) => ({ ...req, path: spec.path.replace('{n}', String(next++ % spec.spread!)) }) }),
  };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        pipelining: 1,
        headers: { 'content-type': 'application/json', ...spec.headers },
        requests: [request],
        ...length,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      timing.lastResponse = performance.now();
      if (statusCode < 300) latencies.push(responseTime);
    });
  });
}


function cpuOf(pids: WatchedPids): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuMicros(pid)]));
}
