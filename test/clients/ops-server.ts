import type { ExecutionContext } from 'ava';
import { uniquePrefix } from '../helpers/etcd.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import { startServerProcess, tempDir, writeServerConfig } from '../helpers/server-process.ts';

/** A server on etcd initialized with 5 shares and threshold 3, unsealed, for the key operation client tests. */
export interface OpsServer {
  readonly url: string;
  readonly rootToken: string;
  /** The five hex shares of init. */
  readonly unsealKeys: readonly string[];
  /** The etcd key prefix the server stores under, for dumps. */
  readonly storagePrefix: string;
  /** Stops the process and starts it again on the same storage: it comes back sealed. */
  restart(): Promise<void>;
}

export async function startOpsServer(t: ExecutionContext, etcdEndpoint: string): Promise<OpsServer> {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const storagePrefix = uniquePrefix();
  const storage = `storage "etcd" {\n  address = "${etcdEndpoint}"\n  path = "${storagePrefix}"\n}`;
  const config = await writeServerConfig(dir.path, storage);
  let server: ServerProcess = await startServerProcess(['-config', config]);
  t.teardown(() => server.stop({ kill: true }));
  const init = await put(server.url, 'sys/init', { secret_shares: 5, secret_threshold: 3 });
  const unsealKeys = init['keys'] as string[];
  for (const key of unsealKeys.slice(0, 3)) await put(server.url, 'sys/unseal', { key });
  return {
    get url() {
      return server.url;
    },
    rootToken: init['root_token'] as string,
    unsealKeys,
    storagePrefix,
    async restart() {
      await server.stop();
      server = await startServerProcess(['-config', config]);
    },
  };
}

async function put(url: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/v1/${path}`, { method: 'PUT', body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** What `vault operator generate-root -decode` does: raw standard base64, XORed with the OTP. */
export function decodeRootToken(encoded: string, otp: string): string {
  const bytes = Buffer.from(encoded, 'base64');
  const pad = Buffer.from(otp, 'utf8');
  if (bytes.length !== pad.length) throw new Error(`encoded token has ${bytes.length} bytes, the OTP ${pad.length}`);
  return Buffer.from(bytes.map((byte, index) => byte ^ pad[index]!)).toString('utf8');
}
