import test from 'ava';
import type { ServerProcess } from '../helpers/server-process.ts';
import { startUnsealedServer, tempDir, writeServerConfig } from '../helpers/server-process.ts';

const POLICY = `
path "kv/data/team/*"          { capabilities = ["create", "read", "update", "list"] }
path "kv/data/team/secret"     { capabilities = ["deny"] }
path "kv/data/+/shared"        { capabilities = ["read"] }
path "kv/data/+/team*"         { capabilities = ["read", "update"] }
path "kv/metadata/team/*"      { capabilities = ["list", "read"] }
path "kv/data/exact"           { capabilities = ["read"] }
path "kv/data/create-only/*"   { capabilities = ["create"] }
path "kv/data/update-only/*"   { capabilities = ["update"] }
path "kv/data/patch/*"         { capabilities = ["patch", "read"] }
path "kv/delete/del/*"         { capabilities = ["update"] }
path "kv/data/del/*"           { capabilities = ["delete"] }
path "kv1/*"                   { capabilities = ["read", "list"] }
path "kv1/rw/*"                { capabilities = ["create", "update", "read", "delete"] }
path "kv1/rw/locked"           { capabilities = ["deny"] }
path "sys/mounts"              { capabilities = ["read"] }
path "sys/policies/acl/*"      { capabilities = ["read", "list"] }
path "sys/auth/*"              { capabilities = ["create", "update", "read"] }
path "sys/auth/sudo*"          { capabilities = ["create", "update", "read", "sudo"] }
path "auth/token/create"       { capabilities = ["update"] }
`;

type Method = 'GET' | 'LIST' | 'PUT' | 'PATCH' | 'DELETE';
/** method, path, body, whether the policy allows it */
const CASES: ReadonlyArray<readonly [Method, string, unknown, boolean]> = [
  ['GET', 'kv/data/team/a', undefined, true],
  ['PUT', 'kv/data/team/a', { data: { v: 1 } }, true],
  ['PUT', 'kv/data/team/new-key', { data: { v: 1 } }, true],
  ['DELETE', 'kv/data/team/a', undefined, false],
  ['GET', 'kv/data/team/secret', undefined, false],
  ['PUT', 'kv/data/team/secret', { data: { v: 1 } }, false],
  ['GET', 'kv/data/team/deeper/path', undefined, true],
  ['GET', 'kv/data/team', undefined, false],
  ['GET', 'kv/data/x/shared', undefined, true],
  ['GET', 'kv/data/y/shared', undefined, true],
  ['GET', 'kv/data/x/y/shared', undefined, false],
  ['PUT', 'kv/data/x/shared', { data: { v: 1 } }, false],
  ['GET', 'kv/data/x/teamwork', undefined, true],
  ['PUT', 'kv/data/x/team-b/deep', { data: { v: 1 } }, false],
  ['PUT', 'kv/data/team/b', { data: { v: 1 } }, true],
  ['LIST', 'kv/metadata/team', undefined, true],
  ['LIST', 'kv/metadata/team/sub', undefined, true],
  ['GET', 'kv/metadata/team/a', undefined, true],
  ['DELETE', 'kv/metadata/team/a', undefined, false],
  ['LIST', 'kv/metadata/other', undefined, false],
  ['GET', 'kv/data/exact', undefined, true],
  ['GET', 'kv/data/exactly', undefined, false],
  ['PUT', 'kv/data/exact', { data: { v: 1 } }, false],
  ['PUT', 'kv/data/create-only/fresh', { data: { v: 1 } }, true],
  ['PUT', 'kv/data/create-only/existing', { data: { v: 2 } }, false],
  ['PUT', 'kv/data/update-only/existing', { data: { v: 2 } }, true],
  ['PUT', 'kv/data/update-only/fresh', { data: { v: 1 } }, false],
  ['PATCH', 'kv/data/patch/existing', { data: { v: 3 } }, true],
  ['PUT', 'kv/data/patch/existing', { data: { v: 3 } }, false],
  ['PATCH', 'kv/data/team/a', { data: { v: 3 } }, false],
  ['DELETE', 'kv/data/del/existing', undefined, true],
  ['PUT', 'kv/delete/del/existing', { versions: [1] }, true],
  ['GET', 'kv/data/del/existing', undefined, false],
  ['GET', 'kv1/anything', undefined, true],
  ['LIST', 'kv1/folder', undefined, true],
  ['PUT', 'kv1/anything', { v: 1 }, false],
  ['PUT', 'kv1/rw/item', { v: 1 }, true],
  ['DELETE', 'kv1/rw/item', undefined, true],
  ['GET', 'kv1/rw/locked', undefined, false],
  ['GET', 'sys/mounts', undefined, true],
  ['PUT', 'sys/mounts/evil', { type: 'kv' }, false],
  ['GET', 'sys/policies/acl/default', undefined, true],
  ['PUT', 'sys/policies/acl/default', { policy: 'path "*" { capabilities = ["sudo"] }' }, false],
  ['PUT', 'sys/auth/userpass2', { type: 'userpass' }, false],
  ['PUT', 'sys/auth/sudo-userpass', { type: 'userpass' }, true],
  ['GET', 'auth/token/lookup-self', undefined, true],
  ['PUT', 'auth/token/create', { policies: ['default'] }, true],
  ['GET', 'sys/audit', undefined, false],
  ['DELETE', 'sys/mounts/kv', undefined, false],
];

async function call(server: ServerProcess, token: string, method: Method, path: string, body?: unknown) {
  const headers: Record<string, string> = { 'X-Vault-Token': token };
  if (method === 'PATCH') headers['Content-Type'] = 'application/merge-patch+json';
  const response = await fetch(`${server.url}/v1/${path}${method === 'LIST' ? '?list=true' : ''}`, {
    method: method === 'LIST' ? 'GET' : method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.arrayBuffer();
  return response.status;
}

test('a token is allowed exactly what its policy grants (table of path and capability cases)', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const config = await writeServerConfig(dir.path, `storage "file" {\n  path = "${dir.path}/data"\n}`);
  const { server, rootToken } = await startUnsealedServer(['-config', config]);
  t.teardown(() => server.stop({ kill: true }));

  const root = (method: Method, path: string, body?: unknown) => call(server, rootToken, method, path, body);
  t.is(await root('PUT', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } }), 204);
  t.is(await root('PUT', 'sys/mounts/kv1', { type: 'kv' }), 204);
  for (const path of ['team/a', 'team/secret', 'create-only/existing', 'update-only/existing', 'patch/existing', 'del/existing']) {
    t.is(await root('PUT', `kv/data/${path}`, { data: { v: 0 } }), 200, path);
  }
  t.is(await root('PUT', 'sys/policies/acl/table', { policy: POLICY }), 204);
  const created = await fetch(`${server.url}/v1/auth/token/create`, {
    method: 'POST',
    headers: { 'X-Vault-Token': rootToken },
    body: JSON.stringify({ policies: ['table'], ttl: '1h' }),
  });
  const token = ((await created.json()) as { auth: { client_token: string } }).auth.client_token;

  t.true(CASES.length >= 40);
  for (const [method, path, body, allowed] of CASES) {
    const status = await call(server, token, method, path, body);
    t.is(status === 403, !allowed, `${method} ${path} answered ${status}`);
  }
});
