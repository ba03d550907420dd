import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { watchServer } from '../../helpers/server-process.ts';

const CLI = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface TinyDiskServer {
  readonly url: string;
  output(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

/**
 * `sealbox server -config <config>` with `dataDir` on a tmpfs of `size` (e.g. "512k") mounted
 * in a private mount namespace: a real full disk without privileges on the host. The tmpfs
 * lives as long as the server process.
 */
export async function startServerOnTinyDisk(dataDir: string, size: string, config: string): Promise<TinyDiskServer> {
  const script = `mount -t tmpfs -o size=${size},mode=0700 sealbox-test "$1" && exec "$2" "$3" server -config "$4"`;
  const child = spawn('unshare', ['--mount', '--map-root-user', 'sh', '-c', script, 'sh', dataDir, process.execPath, CLI, config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = await watchServer(child, START_TIMEOUT_MS);
  return {
    url: server.url,
    output: server.output,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () => server.stop({ kill: true }),
  };
}
