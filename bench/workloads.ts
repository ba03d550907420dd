import type { BenchNode } from './sealbox-node.ts';
import { SECRET_VALUE } from './sealbox-node.ts';
import type { LoadSpec } from './load-worker.ts';

/** Everything a workload can be pointed at, started once per run. */
export interface BenchEnvironment {
  readonly etcd: { readonly endpoint: string; readonly pid: number };
  readonly koaUrl: string;
  readonly koaPid: number;
  /** etcd storage, cache on, TLS listener too. */
  readonly cached: BenchNode;
  /** etcd storage, disable_cache. */
  readonly uncached: BenchNode;
  /** file storage, cache on. */
  readonly file: BenchNode;
}

export interface Timing {
  readonly warmupSeconds: number;
  readonly seconds: number;
}

export interface Workload {
  readonly name: string;
  readonly spec: (env: BenchEnvironment, timing: Timing) => LoadSpec;
}

const C = 64;
const WRITE_BODY = JSON.stringify({ data: { value: SECRET_VALUE } });

function server(node: BenchNode, env: BenchEnvironment, timing: Timing, request: { method: 'GET' | 'POST' | 'PUT'; path: string; token?: string; body?: string; spread?: number; connections?: number; url?: string }): LoadSpec {
  return {
    kind: 'http',
    url: request.url ?? node.url,
    method: request.method,
    path: request.path,
    ...(request.token === undefined ? {} : { headers: { 'X-Vault-Token': request.token } }),
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.spread === undefined ? {} : { spread: request.spread }),
    connections: request.connections ?? C,
    ...timing,
    pids: { server: node.pid, etcd: env.etcd.pid },
  };
}

function etcdRef(env: BenchEnvironment, timing: Timing, op: 'get' | 'txn2' | 'put', connections: number): LoadSpec {
  return { kind: 'etcd', endpoint: env.etcd.endpoint, op, connections, ...timing, pids: { etcd: env.etcd.pid } };
}

/** Reference workloads, then the server's, alternating within each round. */
export const WORKLOADS: readonly Workload[] = [
  { name: 'R_http', spec: (env, timing) => ({ kind: 'http', url: env.koaUrl, method: 'GET', path: '/v1/constant', connections: C, ...timing, pids: { server: env.koaPid } }) },
  { name: 'kv2_read_warm', spec: (env, t) => server(env.cached, env, t, { method: 'GET', path: '/v1/secret/data/bench', token: env.cached.token }) },
  { name: 'sys_health', spec: (env, t) => server(env.cached, env, t, { method: 'GET', path: '/v1/sys/health' }) },
  { name: 'R_get', spec: (env, t) => etcdRef(env, t, 'get', C) },
  { name: 'kv2_read_cache_off', spec: (env, t) => server(env.uncached, env, t, { method: 'GET', path: '/v1/secret/data/bench', token: env.uncached.token }) },
  { name: 'R_txn2', spec: (env, t) => etcdRef(env, t, 'txn2', C) },
  { name: 'kv2_write', spec: (env, t) => server(env.cached, env, t, { method: 'POST', path: '/v1/secret/data/w-{n}', token: env.cached.token, body: WRITE_BODY, spread: 1000 }) },
  { name: 'token_create', spec: (env, t) => server(env.cached, env, t, { method: 'POST', path: '/v1/auth/token/create', token: env.cached.rootToken, body: JSON.stringify({ policies: ['bench'], ttl: '1h' }) }) },
  { name: 'approle_login', spec: (env, t) => server(env.cached, env, t, { method: 'POST', path: '/v1/auth/approle/login', body: JSON.stringify({ role_id: env.cached.roleId, secret_id: env.cached.secretId }) }) },
  { name: 'R_put1', spec: (env, t) => etcdRef(env, t, 'put', 1) },
  { name: 'kv2_write_c1', spec: (env, t) => server(env.cached, env, t, { method: 'POST', path: '/v1/secret/data/s-{n}', token: env.cached.token, body: WRITE_BODY, spread: 1000, connections: 1 }) },
  { name: 'kv2_read_warm_tls', spec: (env, t) => server(env.cached, env, t, { method: 'GET', path: '/v1/secret/data/bench', token: env.cached.token, url: env.cached.tlsUrl ?? env.cached.url }) },
  { name: 'kv2_read_file', spec: (env, t) => server(env.file, env, t, { method: 'GET', path: '/v1/secret/data/bench', token: env.file.token }) },
  { name: 'kv2_write_file', spec: (env, t) => server(env.file, env, t, { method: 'POST', path: '/v1/secret/data/w-{n}', token: env.file.token, body: WRITE_BODY, spread: 1000 }) },
];
