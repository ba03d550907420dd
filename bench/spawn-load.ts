import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LoadResult } from './load-result.ts';
import type { LoadSpec } from './load-worker.ts';

const WORKER = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

/** Runs one load in its own process, so the load generator never shares an event loop with what it measures. */
export async function spawnLoad(spec: LoadSpec): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [WORKER, JSON.stringify(spec)], { maxBuffer: 16 * 1024 * 1024 });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as LoadResult;
}
