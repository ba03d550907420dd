import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

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
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time:\n${output}`));
    }, START_TIMEOUT_MS);
    createInterface({ input: child.stderr }).on('line', (line) => {
      output += `${line}\n`;
      const address = /"msg":"listening"/.test(line) ? /"address":"([^"]+)"/.exec(line)?.[1] : undefined;
      if (address === undefined) return;
      clearTimeout(timer);
      resolve(address);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
