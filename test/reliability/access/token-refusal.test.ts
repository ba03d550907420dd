import test from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import { startApiServer } from '../helpers/api-server.ts';
import { rawRequest } from '../helpers/raw-request.ts';

const INVALID_TOKEN = { errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] };
const POLLS = 100;
const POLL_MS = 200;

test('expired, revoked, exhausted and malformed tokens are refused with 403 and never a 5xx', async (t) => {
  const { call, server, rootToken } = await startApiServer(t);
  const create = async (body: Record<string, unknown>) => (await call('POST', 'auth/token/create', body)).json['auth'].client_token as string;

  t.is((await call('PUT', 'sys/policies/acl/creator', { policy: 'path "auth/token/create" { capabilities = ["update"] }' })).status, 204);
  const revoked = await create({ policies: ['creator'] });
  const child = (await call('POST', 'auth/token/create', { policies: ['default'] }, revoked)).json['auth'].client_token as string;
  t.is((await call('GET', 'auth/token/lookup-self', undefined, child)).status, 200);
  t.is((await call('POST', 'auth/token/revoke', { token: revoked })).status, 204);
  t.deepEqual((await call('GET', 'auth/token/lookup-self', undefined, revoked)).json, INVALID_TOKEN);
  t.is((await call('GET', 'auth/token/lookup-self', undefined, child)).status, 403, 'children die with their parent');

  const limited = await create({ policies: ['default'], num_uses: 2 });
  t.is((await call('GET', 'auth/token/lookup-self', undefined, limited)).status, 200);
  t.is((await call('GET', 'auth/token/lookup-self', undefined, limited)).status, 200);
  t.is((await call('GET', 'auth/token/lookup-self', undefined, limited)).status, 403, 'the third use of a two-use token');

  const expiring = await create({ policies: ['default'], ttl: '1s', explicit_max_ttl: '1s' });
  let expired = 0;
  for (let i = 0; i < POLLS && expired !== 403; i++) {
    await delay(POLL_MS);
    expired = (await call('GET', 'auth/token/lookup-self', undefined, expiring)).status;
  }
  t.is(expired, 403, 'an expired token is refused');
  t.is((await call('POST', 'auth/token/renew-self', {}, expiring)).status, 403, 'and cannot be renewed back to life');

  const flipped = `${rootToken.slice(0, -1)}${rootToken.endsWith('a') ? 'b' : 'a'}`;
  const malformed = ['hvs.', 'hvs.AAAAAAAAAAAAAAAAAAAAAAAA', 's.AAAAAAAAAAAAAAAAAAAAAAAA', flipped, rootToken.toLowerCase(), 'x'.repeat(8000), '\u00ff\u00fe', 'null', '../root'];
  for (const token of malformed) {
    for (const header of ['X-Vault-Token', 'Authorization']) {
      const value = header === 'Authorization' ? `Bearer ${token}` : token;
      const answer = await rawRequest(server.url, { method: 'GET', target: '/v1/auth/token/lookup-self', headers: [[header, value]] });
      t.true(answer.status === 403 || answer.status === 431, `${header} ${JSON.stringify(token.slice(0, 30))}: ${answer.status}`);
    }
  }
  t.is((await call('GET', 'sys/mounts', undefined, '')).status, 403, 'no token at all');
  t.is((await call('GET', 'auth/token/lookup-self', undefined, rootToken)).status, 200, 'the real token still works');
});

test('sudo paths and root-protected endpoints need sudo, however broad the other capabilities', async (t) => {
  const { call } = await startApiServer(t);
  const everything = 'path "*" { capabilities = ["create", "read", "update", "delete", "list", "patch"] }';
  t.is((await call('PUT', 'sys/policies/acl/broad', { policy: everything })).status, 204);
  t.is((await call('PUT', 'sys/policies/acl/admin', { policy: everything.replace('"patch"', '"patch", "sudo"') })).status, 204);
  const broad = (await call('POST', 'auth/token/create', { policies: ['broad'] })).json['auth'].client_token as string;
  const admin = (await call('POST', 'auth/token/create', { policies: ['admin'] })).json['auth'].client_token as string;

  const sudoOnly: Array<[string, string, unknown]> = [
    ['PUT', 'sys/audit/f', { type: 'file', options: { file_path: 'discard' } }],
    ['GET', 'sys/audit', undefined],
    ['PUT', 'sys/auth/up', { type: 'userpass' }],
    ['PUT', 'sys/rotate', {}],
    ['PUT', 'sys/seal', {}],
  ];
  for (const [method, path, body] of sudoOnly) {
    t.is((await call(method, path, body, broad)).status, 403, `${method} ${path} without sudo`);
  }
  const noSudoNeeded: Array<[string, string, unknown]> = [
    ['GET', 'sys/auth', undefined],
    ['PUT', 'sys/mounts/no-sudo', { type: 'kv' }],
    ['GET', 'sys/key-status', undefined],
    ['GET', 'sys/policies/acl/broad', undefined],
  ];
  for (const [method, path, body] of noSudoNeeded) {
    t.true((await call(method, path, body, broad)).status < 300, `${method} ${path} needs no sudo`);
  }
  // (sys/step-down is a no-op without HA, before any check, as in Vault; the HA tests cover it.)
  for (const [method, path, body] of sudoOnly.filter(([, path]) => path !== 'sys/seal')) {
    t.true((await call(method, path, body, admin)).status < 300, `${method} ${path} with sudo`);
  }
  t.deepEqual((await call('POST', 'sys/capabilities-self', { paths: ['sys/rotate', 'sys/audit'] }, broad)).json['sys/rotate'], ['create', 'delete', 'list', 'patch', 'read', 'update']);

  // Only root may mint root tokens or tokens with policies it does not hold.
  t.is((await call('POST', 'auth/token/create', { policies: ['root'] }, admin)).status, 400);
  t.is((await call('POST', 'auth/token/create', { policies: ['broad', 'admin', 'root'] }, broad)).status, 400);
  t.is((await call('PUT', 'sys/seal', {}, admin)).status, 204, 'sudo may seal');
});
