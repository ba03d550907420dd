import type { ExecutionContext } from 'ava';
import type { ServerProcess, UnsealedServer } from '../../helpers/server-process.ts';
import { startServerProcess, startUnsealedServer, tempDir, writeServerConfig } from '../../helpers/server-process.ts';

export interface ApiResult {
  readonly status: number;
  readonly json: Record<string, any>;
  readonly headers: Headers;
}

export type ApiCall = (method: string, path: string, body?: unknown, token?: string) => Promise<ApiResult>;

/** One API call through fetch; LIST becomes GET with list=true; never throws on a status. */
export async function callApi(server: ServerProcess, method: string, path: string, body: unknown, token: string): Promise<ApiResult> {
  const list = method === 'LIST';
  const headers: Record<string, string> = token === '' ? {} : { 'X-Vault-Token': token };
  if (method === 'PATCH') headers['Content-Type'] = 'application/merge-patch+json';
  const response = await fetch(`${server.url}/v1/${path}${list ? `${path.includes('?') ? '&' : '?'}list=true` : ''}`, {
    method: list ? 'GET' : method,
    headers,
    redirect: 'manual',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? {} : JSON.parse(text), headers: response.headers };
}

export interface ApiServer extends UnsealedServer {
  readonly dataDir: string;
  /** Calls with the root token unless another is given ('' for none). */
  readonly call: ApiCall;
  /** Stops the process (SIGKILL with `kill`), starts a new one on the same storage and unseals it. */
  restart(options?: { kill?: boolean }): Promise<ApiServer>;
}

/** An initialized, unsealed server on file storage, stopped and removed when the test ends. */
export async function startApiServer(t: ExecutionContext, extraConfig = ''): Promise<ApiServer> {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const dataDir = `${dir.path}/data`;
  const config = await writeServerConfig(dir.path, `storage "file" {\n  path = "${dataDir}"\n}`, extraConfig);
  const started = await startUnsealedServer(['-config', config]);
  t.teardown(() => started.server.stop({ kill: true }));
  return apiServer(t, started, config, dataDir);
}

function apiServer(t: ExecutionContext, started: UnsealedServer, config: string, dataDir: string): ApiServer {
  const call: ApiCall = (method, path, body, token = started.rootToken) => callApi(started.server, method, path, body, token);
  const restart = async (options: { kill?: boolean } = {}) => {
    await started.server.stop(options);
    const server = await startServerProcess(['-config', config]);
    t.teardown(() => server.stop({ kill: true }));
    for (const key of started.unsealKeys) await callApi(server, 'PUT', 'sys/unseal', { key }, '');
    return apiServer(t, { ...started, server }, config, dataDir);
  };
  return { ...started, dataDir, call, restart };
}
