import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import type { ServerProcess } from '../test/helpers/server-process.ts';
import { startServerProcess } from '../test/helpers/server-process.ts';

/** A server process prepared for the workloads: unsealed, audited, with a KV v2 mount, a policy-bound token and an AppRole. */
export interface BenchNode {
  readonly server: ServerProcess;
  readonly pid: number;
  /** The plain-HTTP listener, and the TLS one when asked for. */
  readonly url: string;
  readonly tlsUrl: string | undefined;
  readonly rootToken: string;
  readonly unsealKey: string;
  /** A non-root token whose policy allows the KV workloads. */
  readonly token: string;
  readonly roleId: string;
  readonly secretId: string;
  readonly configPath: string;
}

export interface BenchNodeOptions {
  readonly dir: string;
  readonly name: string;
  readonly storageBlock: string;
  readonly tls?: boolean;
  readonly disableCache?: boolean;
}

const LISTENER_POLLS = 100;
export const SECRET_VALUE = 'v'.repeat(200);

export async function writeNodeConfig(options: BenchNodeOptions): Promise<string> {
  const path = join(options.dir, `${options.name}.hcl`);
  const tls = options.tls === true ? await certificate(options.dir, options.name) : undefined;
  const listeners = [
    'listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}',
    ...(tls === undefined ? [] : [`listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_cert_file = "${tls.cert}"\n  tls_key_file = "${tls.key}"\n}`]),
  ];
  const extra = options.disableCache === true ? 'disable_cache = true\n' : '';
  await writeFile(path, `${listeners.join('\n')}\n${options.storageBlock}\ndisable_mlock = true\n${extra}`);
  return path;
}

/** Starts and prepares one node; everything the workloads need exists when it returns. */
export async function startBenchNode(options: BenchNodeOptions): Promise<BenchNode> {
  const configPath = await writeNodeConfig(options);
  const server = await startServerProcess(['-config', configPath]);
  const urls = await listenerUrls(server, options.tls === true ? 2 : 1);
  const url = urls.find((candidate) => candidate.startsWith('http:'))!;
  const init = await api(url, 'PUT', 'sys/init', undefined, { secret_shares: 1, secret_threshold: 1 });
  const unsealKey = (init['keys'] as string[])[0]!;
  const rootToken = init['root_token'] as string;
  await api(url, 'PUT', 'sys/unseal', undefined, { key: unsealKey });
  await api(url, 'PUT', 'sys/audit/file', rootToken, { type: 'file', options: { file_path: join(options.dir, `${options.name}-audit.log`) } });
  await api(url, 'POST', 'sys/mounts/secret', rootToken, { type: 'kv', options: { version: '2' } });
  await api(url, 'PUT', 'sys/policy/bench', rootToken, { policy: 'path "secret/*" {\n  capabilities = ["create", "read", "update", "list"]\n}\n' });
  const created = await api(url, 'POST', 'auth/token/create', rootToken, { policies: ['bench'], ttl: '24h' });
  const token = (created['auth'] as { client_token: string }).client_token;
  await api(url, 'POST', 'secret/data/bench', token, { data: { value: SECRET_VALUE } });
  await api(url, 'POST', 'sys/auth/approle', rootToken, { type: 'approle' });
  await api(url, 'POST', 'auth/approle/role/bench', rootToken, { token_policies: 'bench', token_ttl: '1h' });
  const roleId = ((await api(url, 'GET', 'auth/approle/role/bench/role-id', rootToken))['data'] as { role_id: string }).role_id;
  const secretId = ((await api(url, 'POST', 'auth/approle/role/bench/secret-id', rootToken, {}))['data'] as { secret_id: string }).secret_id;
  return { server, pid: server.child.pid ?? 0, url, tlsUrl: urls.find((candidate) => candidate.startsWith('https:')), rootToken, unsealKey, token, roleId, secretId, configPath };
}

/** One API call; throws on an error status, with the answer (which carries no secret of ours). */
export async function api(url: string, method: string, path: string, token?: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/v1/${path}`, {
    method,
    headers: token === undefined ? {} : { 'X-Vault-Token': token },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

async function listenerUrls(server: ServerProcess, count: number): Promise<string[]> {
  for (let poll = 0; poll < LISTENER_POLLS; poll++) {
    const urls = server
      .output()
      .split('\n')
      .flatMap((line) => {
        try {
          const entry = JSON.parse(line) as { msg?: string; address?: string };
          return entry.msg === 'listening' && entry.address !== undefined ? [entry.address] : [];
        } catch {
          return [];
        }
      });
    if (urls.length >= count) return urls;
    await sleep(50);
  }
  throw new Error(`the server did not open ${count} listeners`);
}

async function certificate(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1',
    '-keyout', key, '-out', cert,
  ]);
  return { cert, key };
}
