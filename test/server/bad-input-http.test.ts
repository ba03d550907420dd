import test from 'ava';
import { request } from 'node:http';
import { startUnsealedServer, tempDir, writeServerConfig } from '../helpers/server-process.ts';
import type { UnsealedServer } from '../helpers/server-process.ts';

async function server(t: { teardown(fn: () => Promise<void>): void }): Promise<UnsealedServer> {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const config = await writeServerConfig(dir.path, `storage "file" {\n  path = "${dir.path}/data"\n}`);
  const started = await startUnsealedServer(['-config', config]);
  t.teardown(() => started.server.stop({ kill: true }));
  return started;
}

/** node:http sends the path exactly as written, where fetch would normalize it. */
function raw(url: string, method: string, path: string, token: string, body?: string): Promise<{ status: number; json: { errors?: string[] } }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'X-Vault-Token': token };
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    const req = request({ hostname, port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text === '' ? {} : JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('client mistakes on logical paths get 4xx with a clear message, and nothing is lost', async (t) => {
  const { server: s, rootToken } = await server(t);
  const call = (method: string, path: string, body?: unknown) => raw(s.url, method, path, rootToken, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  t.is((await call('POST', '/v1/sys/mounts/kv', { type: 'kv', options: { version: '2' }, surprise_field: true })).status, 204, 'unknown fields are ignored');
  t.is((await call('POST', '/v1/kv/data/keep', { data: { value: 'kept' } })).status, 200);

  const cases: Array<[string, string, unknown, number, RegExp]> = [
    ['POST', '/v1/kv/data/a', '{"data": ', 400, /failed to parse JSON input/],
    ['POST', '/v1/kv/data/a', { data: 'not an object' }, 400, /data/],
    ['POST', '/v1/kv/data/a', { data: { x: 1 }, options: { cas: 'seven' } }, 400, /check-and-set/],
    ['POST', '/v1/kv/config', { max_versions: 'many' }, 400, /max_versions/],
    ['POST', '/v1/kv/delete/a', { versions: 'one,two' }, 400, /versions/],
    ['POST', '/v1/sys/mounts/x', { type: 'kv', config: { default_lease_ttl: 'forever' } }, 400, /default_lease_ttl/],
    ['POST', '/v1/sys/mounts/y', {}, 400, /backend type must be specified/],
    ['POST', '/v1/auth/token/create', { ttl: 'soon' }, 400, /ttl/],
    ['POST', '/v1/auth/token/create', { num_uses: 'x' }, 400, /num_uses/],
    ['POST', '/v1/sys/policies/acl/p', { policy: 'path "a" { capabilities = ["fly"] }' }, 400, /fly/],
    ['POST', '/v1/sys/policies/acl/p', { policy: 'path "a" {' }, 400, /./],
    ['GET', '/v1/kv/data/%2e%2e/%2e%2e/sys/policies/acl/root', undefined, 400, /parent references/],
    ['GET', '/v1/kv/data/a%00b', undefined, 400, /non-printable/],
    ['GET', `/v1/kv/data/${'k'.repeat(5000)}`, undefined, 400, /./],
    ['GET', '/v1/kv/data/a?list=maybe', undefined, 400, /list/],
    ['PATCH', '/v1/kv/data/keep', { data: { value: 'x' } }, 415, /merge-patch/],
  ];
  for (const [method, path, body, status, message] of cases) {
    const response = await call(method, path, body);
    t.is(response.status, status, `${method} ${path.slice(0, 60)}`);
    t.regex(response.json.errors?.[0] ?? '', message, `${method} ${path.slice(0, 60)}`);
  }
  const huge = await call('POST', '/v1/kv/data/huge', JSON.stringify({ data: { blob: 'x'.repeat(40 * 1024 * 1024) } }));
  t.is(huge.status, 413);
  const kept = await call('GET', '/v1/kv/data/keep');
  t.is(kept.status, 200);
  t.is((kept.json as { data?: { data?: { value?: string } } }).data?.data?.value, 'kept');
});

test('tokens bound to CIDRs work only from them', async (t) => {
  const { server: s, rootToken } = await server(t);
  // Vault binds created tokens to CIDRs through token roles.
  const create = async (role: string, cidrs: string) => {
    t.is((await raw(s.url, 'POST', `/v1/auth/token/roles/${role}`, rootToken, JSON.stringify({ token_bound_cidrs: cidrs }))).status, 204);
    const response = await raw(s.url, 'POST', `/v1/auth/token/create/${role}`, rootToken, JSON.stringify({ ttl: '1h' }));
    return (response.json as unknown as { auth: { client_token: string } }).auth.client_token;
  };
  const local = await create('local', '127.0.0.0/8');
  const remote = await create('remote', '10.0.0.0/8');
  t.is((await raw(s.url, 'GET', '/v1/auth/token/lookup-self', local)).status, 200);
  t.is((await raw(s.url, 'GET', '/v1/auth/token/lookup-self', remote)).status, 403);
});
