import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerProcess } from '../../helpers/server-process.ts';
import { startUnsealedServer, tempDir, writeServerConfig } from '../../helpers/server-process.ts';
import type { TempDir } from '../../helpers/server-process.ts';

/** How long a test waits for lines a server has already sent; a failure, not a measurement. */
const WAIT_LIMIT_MS = 10_000;
const POLL_MS = 20;

export interface AuditEntry {
  readonly time: string;
  readonly type: 'request' | 'response';
  readonly auth?: Record<string, unknown>;
  readonly request: { id: string; path: string; operation: string; client_token?: string; data?: Record<string, unknown>; [key: string]: unknown };
  readonly response?: { data?: Record<string, unknown>; auth?: Record<string, unknown>; [key: string]: unknown };
  readonly error?: string;
  readonly chain: { seq: number; prev_hmac: string };
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: Record<string, unknown> & { data?: Record<string, unknown>; errors?: string[]; request_id?: string };
}

export interface AuditedServer {
  readonly server: ServerProcess;
  readonly rootToken: string;
  readonly unsealKeys: readonly string[];
  readonly dir: TempDir;
  readonly configPath: string;
  call(method: string, path: string, body?: unknown, token?: string): Promise<ApiAnswer>;
  /** The value as the audit device at `device` logs it, from sys/audit-hash. */
  auditHash(device: string, input: string): Promise<string>;
}

/** A file-backed server, initialized and unsealed, in its own temporary directory. */
export async function startAuditedServer(): Promise<AuditedServer> {
  const dir = await tempDir('sealbox-audit-');
  const configPath = await writeServerConfig(dir.path, `storage "file" {\n  path = "${dir.path}/data"\n}`, 'telemetry {\n  disable_hostname = true\n}');
  const { server, rootToken, unsealKeys } = await startUnsealedServer(['-config', configPath]);
  const call = (method: string, path: string, body?: unknown, token = rootToken) => callApi(server.url, method, path, body, token);
  return {
    server,
    rootToken,
    unsealKeys,
    dir,
    configPath,
    call,
    async auditHash(device, input) {
      const answer = await call('PUT', `sys/audit-hash/${device}`, { input });
      if (answer.status !== 200) throw new Error(`audit-hash: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.data!['hash'] as string;
    },
  };
}

export async function callApi(url: string, method: string, path: string, body: unknown, token: string): Promise<ApiAnswer> {
  const response = await fetch(`${url}/v1/${path}`, {
    method,
    headers: token === '' ? {} : { 'X-Vault-Token': token },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as ApiAnswer['body']) };
}

export function parseEntries(text: string): AuditEntry[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEntry);
}

export async function readEntries(path: string): Promise<AuditEntry[]> {
  return parseEntries(await readFile(path, 'utf8'));
}

/** Waits for a condition that a server's earlier action makes true; bounded so a bug fails the test. */
export async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let waited = 0; waited < WAIT_LIMIT_MS; waited += POLL_MS) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(POLL_MS);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A stream listener (TCP or unix socket) that keeps every line audit devices send it. */
export interface LineListener {
  /** `127.0.0.1:port`, or the socket path. */
  readonly address: string;
  text(): string;
  entries(): AuditEntry[];
  /** Waits until the listener holds an entry that matches. */
  waitFor(what: string, match: (entry: AuditEntry) => boolean): Promise<AuditEntry>;
  /** Stops listening and drops every connection, as a crashed collector would. */
  close(): Promise<void>;
  /** Listens again on the same address. */
  reopen(): Promise<void>;
}

export async function startLineListener(target: { port?: number; path?: string } = {}): Promise<LineListener> {
  let text = '';
  const connections = new Set<Socket>();
  let server: Server | undefined;
  let address = '';
  const listen = async (options: { port: number; host: string } | { path: string }) => {
    const next = createServer((socket) => {
      connections.add(socket);
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('close', () => connections.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(options, () => resolve());
    });
    server = next;
    const bound = next.address();
    address = typeof bound === 'string' ? bound : `127.0.0.1:${bound!.port}`;
  };
  const options = target.path === undefined ? { port: target.port ?? 0, host: '127.0.0.1' } : { path: target.path };
  await listen(options);
  const listener: LineListener = {
    get address() {
      return address;
    },
    text: () => text,
    entries: () => parseEntries(completeLines(text)),
    waitFor: (what, match) => eventually(what, () => listener.entries().find(match)),
    async close() {
      const closing = server;
      server = undefined;
      for (const socket of connections) socket.destroy();
      if (closing !== undefined) await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    async reopen() {
      const [, port] = address.split(':');
      await listen(target.path === undefined ? { port: Number(port), host: '127.0.0.1' } : { path: target.path });
    },
  };
  return listener;
}

/** A UDP listener: every datagram is one line. */
export async function startDatagramListener(): Promise<{ address: string; entries(): AuditEntry[]; close(): Promise<void> }> {
  const socket = createSocket('udp4');
  let text = '';
  socket.on('message', (message) => (text += message.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    entries: () => parseEntries(completeLines(text)),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function completeLines(text: string): string {
  return text.slice(0, text.lastIndexOf('\n') + 1);
}

/** Request and response entries of the requests after the last entry for `afterPath`, up to `untilPath`. */
export function entriesBetween(entries: readonly AuditEntry[], afterPath: string, untilPath?: string): AuditEntry[] {
  let start = 0;
  entries.forEach((entry, index) => {
    if (entry.request.path === afterPath && entry.type === 'response') start = index + 1;
  });
  const rest = entries.slice(start);
  const end = untilPath === undefined ? -1 : rest.findIndex((entry) => entry.request.path.startsWith(untilPath));
  return end === -1 ? rest : rest.slice(0, end);
}

/** No log a test produced may hold a token, a secret value or a key share. */
export function secretsIn(logs: Readonly<Record<string, string>>, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const [name, text] of Object.entries(logs)) {
    for (const secret of secrets) if (secret !== '' && text.includes(secret)) found.push(`${name} holds ${secret.slice(0, 8)}…`);
  }
  return found;
}
