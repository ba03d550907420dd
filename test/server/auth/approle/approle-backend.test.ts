import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { ErrorCode } from '../../../../src/lib/errors.ts';
import { SealboxError } from '../../../../src/lib/errors.ts';
import { matchesPathList } from '../../../../src/server/logical/path-patterns.ts';
import { approleBackendFactory } from '../../../../src/server/auth/approle/approle-backend.ts';
import type { MountOptions } from '../auth-backend-harness.ts';
import { MountedBackend } from '../auth-backend-harness.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function mountApprole(options: MountOptions = {}): Promise<MountedBackend> {
  return MountedBackend.create(approleBackendFactory, 'approle', options);
}

async function rejects(t: ExecutionContext, promise: Promise<unknown>, code: ErrorCode, message: string): Promise<void> {
  const error = await t.throwsAsync(promise, { instanceOf: SealboxError, message });
  t.is(error?.code, code);
}

async function roleId(mounted: MountedBackend, role: string): Promise<string> {
  return String((await mounted.read(`role/${role}/role-id`))?.data?.['role_id']);
}

async function secretId(mounted: MountedBackend, role: string, data: Record<string, unknown> = {}): Promise<{ secretId: string; accessor: string }> {
  const response = await mounted.write(`role/${role}/secret-id`, data);
  return { secretId: String(response?.data?.['secret_id']), accessor: String(response?.data?.['secret_id_accessor']) };
}

test('login paths need no token', async (t) => {
  const { backend } = await mountApprole();
  t.true(matchesPathList('login', backend.unauthenticatedPaths));
  t.false(matchesPathList('role/app', backend.unauthenticatedPaths));
});

test('a new role reads back Vault defaults and gets a UUID role ID', async (t) => {
  const mounted = await mountApprole();
  t.is(await mounted.write('role/app', {}), undefined);
  t.deepEqual((await mounted.read('role/app'))?.data, {
    bind_secret_id: true,
    local_secret_ids: false,
    secret_id_bound_cidrs: [],
    secret_id_num_uses: 0,
    secret_id_ttl: 0,
    token_bound_cidrs: [],
    token_explicit_max_ttl: 0,
    token_max_ttl: 0,
    token_no_default_policy: false,
    token_num_uses: 0,
    token_period: 0,
    token_policies: [],
    token_ttl: 0,
    token_type: 'default',
  });
  t.regex(await roleId(mounted, 'app'), UUID);
});

test('role fields are stored and read back, legacy names included', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/App', {
    secret_id_num_uses: 5,
    secret_id_ttl: '10m',
    bound_cidr_list: '10.0.0.0/8',
    local_secret_ids: true,
    policies: 'a,b',
    period: '1h',
    token_ttl: 60,
    token_bound_cidrs: '10.1.0.0/16',
  });
  const data = (await mounted.read('role/app'))?.data ?? {};
  t.is(data['secret_id_num_uses'], 5);
  t.is(data['secret_id_ttl'], 600);
  t.deepEqual(data['secret_id_bound_cidrs'], ['10.0.0.0/8']);
  t.is(data['local_secret_ids'], true);
  t.deepEqual(data['token_policies'], ['a', 'b']);
  t.deepEqual(data['policies'], ['a', 'b']);
  t.is(data['token_period'], 3600);
  t.is(data['period'], 3600);
  t.is(data['token_ttl'], 60);
  t.deepEqual(data['token_bound_cidrs'], ['10.1.0.0/16']);
  t.deepEqual((await mounted.list('role'))?.data, { keys: ['app'] });
});

test('an update changes only the fields it names', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', { secret_id_num_uses: 5, token_ttl: 60 });
  const id = await roleId(mounted, 'app');
  await mounted.write('role/app', { token_ttl: 90 });
  const data = (await mounted.read('role/app'))?.data ?? {};
  t.is(data['secret_id_num_uses'], 5);
  t.is(data['token_ttl'], 90);
  t.is(await roleId(mounted, 'app'), id);
});

test('role writes are validated with Vault messages', async (t) => {
  const mounted = await mountApprole();
  await rejects(t, mounted.write('role/app', { bind_secret_id: false }), 'invalid_request', 'at least one constraint should be enabled on the role');
  await rejects(t, mounted.write('role/app', { secret_id_num_uses: -1 }), 'invalid_request', 'secret_id_num_uses cannot be negative');
  await rejects(t, mounted.write('role/app', { role_id: ' ' }), 'invalid_request', 'invalid role_id supplied, or failed to generate a role_id');
  await rejects(t, mounted.write('role/app', { secret_id_bound_cidrs: '10.0.0.0/40' }), 'invalid_request',
    'invalid value for field "secret_id_bound_cidrs": "10.0.0.0/40" is not an IP address or CIDR block');
  await rejects(t, mounted.write(`role/${'a'.repeat(1025)}`, {}), 'invalid_request', 'role_name is longer than maximum of 1024 bytes');
  await mounted.write('role/app', {});
  await rejects(t, mounted.write('role/app', { local_secret_ids: true }), 'invalid_request', 'local_secret_ids can only be modified during role creation');
  await rejects(t, mounted.write('role/app', { token_ttl: 20, token_max_ttl: 10 }), 'invalid_request', "'token_ttl' cannot be greater than 'token_max_ttl'");
});

test('a role without a secret ID needs CIDR bounds, and the mount-level token types warn', async (t) => {
  const mounted = await mountApprole();
  t.is(await mounted.write('role/open', { bind_secret_id: false, secret_id_bound_cidrs: '127.0.0.0/8' }), undefined);
  t.is(await mounted.write('role/tok', { bind_secret_id: false, token_bound_cidrs: '127.0.0.1' }), undefined);
  const warned = await mounted.write('role/typed', { token_type: 'default-service' });
  t.deepEqual(warned?.warnings, ['default-service has no useful meaning; adjusting to service']);
  t.is((await mounted.read('role/typed'))?.data?.['token_type'], 'service');
});

test('role IDs are unique across roles and can be set', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/one', { role_id: 'custom-one' });
  t.is(await roleId(mounted, 'one'), 'custom-one');
  await rejects(t, mounted.write('role/two', { role_id: 'custom-one' }), 'invalid_request', 'role_id already in use');
  await mounted.write('role/two', {});
  await rejects(t, mounted.write('role/two/role-id', { role_id: 'custom-one' }), 'invalid_request', 'role_id already in use');
  await rejects(t, mounted.write('role/two/role-id', {}), 'invalid_request', 'missing role_id');
  t.is(await mounted.write('role/one/role-id', { role_id: 'renamed' }), undefined);
  t.is(await roleId(mounted, 'one'), 'renamed');
  const { secretId: secret } = await secretId(mounted, 'one');
  await rejects(t, mounted.write('login', { role_id: 'custom-one', secret_id: secret }), 'invalid_request', 'invalid role or secret ID');
  t.not(await mounted.write('login', { role_id: 'renamed', secret_id: secret }), undefined);
});

test('the one-field sub-paths read, write and reset their field', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', { secret_id_bound_cidrs: '10.0.0.0/8' });
  const cases: [string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>][] = [
    ['policies', { token_policies: 'x,y' }, { token_policies: ['x', 'y'] }, { token_policies: [] }],
    ['period', { period: 60 }, { token_period: 60, period: 60 }, { token_period: 0 }],
    ['token-num-uses', { token_num_uses: 4 }, { token_num_uses: 4 }, { token_num_uses: 0 }],
    ['token-ttl', { token_ttl: 30 }, { token_ttl: 30 }, { token_ttl: 0 }],
    ['token-max-ttl', { token_max_ttl: 300 }, { token_max_ttl: 300 }, { token_max_ttl: 0 }],
    ['token-bound-cidrs', { token_bound_cidrs: '10.2.0.0/16' }, { token_bound_cidrs: ['10.2.0.0/16'] }, { token_bound_cidrs: [] }],
    ['bind-secret-id', { bind_secret_id: false }, { bind_secret_id: false }, { bind_secret_id: true }],
    ['secret-id-num-uses', { secret_id_num_uses: 7 }, { secret_id_num_uses: 7 }, { secret_id_num_uses: 0 }],
    ['secret-id-ttl', { secret_id_ttl: '1h' }, { secret_id_ttl: 3600 }, { secret_id_ttl: 0 }],
  ];
  for (const [segment, body, written, reset] of cases) {
    t.is(await mounted.write(`role/app/${segment}`, body), undefined, segment);
    t.deepEqual((await mounted.read(`role/app/${segment}`))?.data, written, segment);
    t.is(await mounted.delete(`role/app/${segment}`), undefined, segment);
    t.deepEqual((await mounted.read(`role/app/${segment}`))?.data, reset, segment);
  }
  await mounted.write('role/app/secret-id-bound-cidrs', { secret_id_bound_cidrs: '10.3.0.0/16' });
  t.deepEqual((await mounted.read('role/app/secret-id-bound-cidrs'))?.data, { secret_id_bound_cidrs: ['10.3.0.0/16'] });
  await mounted.write('role/app/bound-cidr-list', { bound_cidr_list: '10.4.0.0/16' });
  const legacy = await mounted.read('role/app/bound-cidr-list');
  t.deepEqual(legacy?.data, { bound_cidr_list: ['10.4.0.0/16'] });
  t.deepEqual(legacy?.warnings, ['The "bound_cidr_list" field is deprecated and will be removed. Please use "secret_id_bound_cidrs" instead.']);
  t.deepEqual((await mounted.read('role/app/local-secret-ids'))?.data, { local_secret_ids: false });
});

test('the one-field sub-paths refuse missing fields and unknown roles', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', {});
  const missing: [string, string][] = [
    ['policies', 'missing token_policies'],
    ['period', 'missing period'],
    ['token-num-uses', 'missing token_num_uses'],
    ['token-ttl', 'missing token_ttl'],
    ['token-max-ttl', 'missing token_max_ttl'],
    ['token-bound-cidrs', 'missing token_bound_cidrs'],
    ['bind-secret-id', 'missing bind_secret_id'],
    ['secret-id-num-uses', 'missing secret_id_num_uses'],
    ['secret-id-ttl', 'missing secret_id_ttl'],
    ['secret-id-bound-cidrs', 'missing secret_id_bound_cidrs'],
    ['bound-cidr-list', 'missing bound_cidr_list'],
  ];
  for (const [segment, message] of missing) {
    await rejects(t, mounted.write(`role/app/${segment}`, {}), 'invalid_request', message);
    await rejects(t, mounted.write(`role/ghost/${segment}`, {}), 'unsupported_path', 'unsupported path');
    t.is(await mounted.read(`role/ghost/${segment}`), undefined);
  }
  await rejects(t, mounted.write('role/app/bind-secret-id', { bind_secret_id: false }), 'invalid_request', 'at least one constraint should be enabled on the role');
  await rejects(t, mounted.write('role/app/secret-id-num-uses', { secret_id_num_uses: -2 }), 'invalid_request', 'secret_id_num_uses cannot be negative');
  await rejects(t, mounted.delete('role/app/local-secret-ids'), 'unsupported_operation', 'unsupported operation');
  t.is(await mounted.delete('role/ghost/policies'), undefined);
});

test('a secret ID is issued with its accessor, TTL and use count', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', { secret_id_num_uses: 3, secret_id_ttl: 600 });
  const response = await mounted.write('role/app/secret-id', {});
  t.regex(String(response?.data?.['secret_id']), UUID);
  t.regex(String(response?.data?.['secret_id_accessor']), UUID);
  t.is(response?.data?.['secret_id_ttl'], 600);
  t.is(response?.data?.['secret_id_num_uses'], 3);
  const narrowed = await mounted.write('role/app/secret-id', { num_uses: 2, ttl: 60 });
  t.is(narrowed?.data?.['secret_id_ttl'], 60);
  t.is(narrowed?.data?.['secret_id_num_uses'], 2);
});

test('secret ID requests are validated with Vault messages', async (t) => {
  const mounted = await mountApprole();
  await rejects(t, mounted.write('role/ghost/secret-id', {}), 'unsupported_path', 'role "ghost" does not exist');
  await mounted.write('role/limited', { secret_id_num_uses: 3, secret_id_ttl: 600, secret_id_bound_cidrs: '10.0.0.0/8', token_bound_cidrs: '10.0.0.0/8' });
  await rejects(t, mounted.write('role/limited/secret-id', { num_uses: -1 }), 'invalid_request', 'num_uses cannot be negative');
  await rejects(t, mounted.write('role/limited/secret-id', { num_uses: 4 }), 'invalid_request', "num_uses cannot be higher than the role's secret_id_num_uses");
  await rejects(t, mounted.write('role/limited/secret-id', { num_uses: 0 }), 'invalid_request', "num_uses cannot be higher than the role's secret_id_num_uses");
  await rejects(t, mounted.write('role/limited/secret-id', { ttl: 601 }), 'invalid_request', "ttl cannot be longer than the role's secret_id_ttl");
  await rejects(t, mounted.write('role/limited/secret-id', { cidr_list: '11.0.0.0/16' }), 'invalid_request',
    'failed to verify subset relationship between CIDR blocks on the role ["10.0.0.0/8"] and CIDR blocks on the secret ID ["11.0.0.0/16"]');
  await rejects(t, mounted.write('role/limited/secret-id', { token_bound_cidrs: '12.0.0.0/16' }), 'invalid_request',
    'failed to verify subset relationship between CIDR blocks on the role ["10.0.0.0/8"] and CIDR blocks on the secret ID ["12.0.0.0/16"]');
  await rejects(t, mounted.write('role/limited/secret-id', { metadata: 'novalue' }), 'invalid_request', 'failed to parse metadata: invalid key/value pair "novalue"');
  await rejects(t, mounted.write('role/limited/secret-id', { metadata: '{"a":' }), 'invalid_request', 'failed to parse metadata: expected a JSON object of strings');
  await mounted.write('role/unbound', { bind_secret_id: false, secret_id_bound_cidrs: '127.0.0.1' });
  await rejects(t, mounted.write('role/unbound/secret-id', {}), 'invalid_request', 'bind_secret_id is not set on the role');
});

test('secret ID TTLs are capped by the mount max lease TTL', async (t) => {
  const mounted = await mountApprole({ maxLeaseTtl: 300 });
  await mounted.write('role/app', {});
  const response = await mounted.write('role/app/secret-id', { ttl: 3600 });
  t.is(response?.data?.['secret_id_ttl'], 300);
});

test('custom secret IDs are registered once', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', {});
  const response = await mounted.write('role/app/custom-secret-id', { secret_id: 'my-own-secret' });
  t.is(response?.data?.['secret_id'], 'my-own-secret');
  await rejects(t, mounted.write('role/app/custom-secret-id', { secret_id: 'my-own-secret' }), 'invalid_request', 'SecretID is already registered');
  await rejects(t, mounted.write('role/app/custom-secret-id', {}), 'invalid_request', 'missing secret_id');
  t.not(await mounted.write('login', { role_id: await roleId(mounted, 'app'), secret_id: 'my-own-secret' }), undefined);
});

test('secret IDs are listed by accessor and looked up by value or accessor', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', {});
  const first = await secretId(mounted, 'app', { metadata: '{"team":"blue"}', cidr_list: '127.0.0.0/8', token_bound_cidrs: '127.0.0.1', ttl: 120, num_uses: 2 });
  const second = await secretId(mounted, 'app', { metadata: 'a=1,b=2' });
  const keys = (await mounted.list('role/app/secret-id'))?.data?.['keys'];
  t.deepEqual([...(keys as string[])].sort(), [first.accessor, second.accessor].sort());
  const lookup = await mounted.write('role/app/secret-id/lookup', { secret_id: first.secretId });
  t.deepEqual(lookup?.data, {
    cidr_list: ['127.0.0.0/8'],
    creation_time: '2025-01-01T00:00:00.000Z',
    expiration_time: '2025-01-01T00:02:00.000Z',
    last_updated_time: '2025-01-01T00:00:00.000Z',
    metadata: { team: 'blue' },
    secret_id_accessor: first.accessor,
    secret_id_num_uses: 2,
    secret_id_ttl: 120,
    token_bound_cidrs: ['127.0.0.1'],
  });
  const byAccessor = await mounted.write('role/app/secret-id-accessor/lookup', { secret_id_accessor: second.accessor });
  t.deepEqual(byAccessor?.data?.['metadata'], { a: '1', b: '2' });
  t.is(byAccessor?.data?.['expiration_time'], '0001-01-01T00:00:00Z');
  t.is(await mounted.write('role/app/secret-id/lookup', { secret_id: 'unknown' }), undefined);
  await rejects(t, mounted.write('role/app/secret-id-accessor/lookup', { secret_id_accessor: 'nope' }), 'not_found', 'failed to find accessor entry for secret_id_accessor: "nope"');
  await rejects(t, mounted.write('role/app/secret-id/lookup', {}), 'invalid_request', 'missing secret_id');
  await rejects(t, mounted.write('role/app/secret-id-accessor/lookup', {}), 'invalid_request', 'missing secret_id_accessor');
  await rejects(t, mounted.write('role/ghost/secret-id/lookup', { secret_id: first.secretId }), 'invalid_request', 'role "ghost" does not exist');
  await rejects(t, mounted.list('role/ghost/secret-id'), 'invalid_request', 'role "ghost" does not exist');
});

test('an accessor of one role does not reach the secret IDs of another', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/one', {});
  await mounted.write('role/two', {});
  const { accessor } = await secretId(mounted, 'one');
  await rejects(t, mounted.write('role/two/secret-id-accessor/lookup', { secret_id_accessor: accessor }), 'not_found', `failed to find accessor entry for secret_id_accessor: "${accessor}"`);
  await rejects(t, mounted.write('role/two/secret-id-accessor/destroy', { secret_id_accessor: accessor }), 'not_found', `failed to find accessor entry for secret_id_accessor: "${accessor}"`);
});

test('secret IDs are destroyed by value or by accessor', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', {});
  const id = await roleId(mounted, 'app');
  const first = await secretId(mounted, 'app');
  const second = await secretId(mounted, 'app');
  const third = await secretId(mounted, 'app');
  t.is(await mounted.write('role/app/secret-id/destroy', { secret_id: first.secretId }), undefined);
  t.is(await mounted.write('role/app/secret-id-accessor/destroy', { secret_id_accessor: second.accessor }), undefined);
  t.is(await mounted.delete('role/app/secret-id-accessor/destroy', { secret_id_accessor: third.accessor }), undefined);
  for (const gone of [first, second, third]) {
    await rejects(t, mounted.write('login', { role_id: id, secret_id: gone.secretId }), 'invalid_request', 'invalid role or secret ID');
  }
  t.deepEqual((await mounted.list('role/app/secret-id'))?.data, { keys: [] });
  await rejects(t, mounted.write('role/app/secret-id-accessor/destroy', { secret_id_accessor: second.accessor }), 'not_found',
    `failed to find accessor entry for secret_id_accessor: "${second.accessor}"`);
  await rejects(t, mounted.write('role/app/secret-id/destroy', {}), 'invalid_request', 'missing secret_id');
  t.is(await mounted.delete('role/app/secret-id/destroy', { secret_id: 'never-issued' }), undefined);
});

test('a login grants the role token settings with role and secret ID metadata', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', { token_policies: 'dev', token_ttl: 300, token_max_ttl: 600, token_num_uses: 2, token_bound_cidrs: '127.0.0.0/8' });
  const id = await roleId(mounted, 'app');
  const { secretId: secret } = await secretId(mounted, 'app', { metadata: '{"team":"blue"}', token_bound_cidrs: '127.0.0.1' });
  const response = await mounted.write('login', { role_id: id, secret_id: secret });
  t.deepEqual(response, {
    login: {
      policies: ['dev'],
      ttl: 300,
      maxTtl: 600,
      explicitMaxTtl: 0,
      period: 0,
      numUses: 2,
      noDefaultPolicy: false,
      renewable: true,
      boundCidrs: ['127.0.0.1'],
      metadata: { team: 'blue', role_name: 'app' },
      displayName: '',
      aliasName: id,
    },
  });
});

test('logins with missing or wrong credentials fail with Vault messages', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', {});
  await mounted.write('role/other', {});
  const id = await roleId(mounted, 'app');
  const { secretId: otherSecret } = await secretId(mounted, 'other');
  await rejects(t, mounted.write('login', {}), 'invalid_request', 'missing role_id');
  await rejects(t, mounted.write('login', { role_id: 'unknown', secret_id: otherSecret }), 'invalid_request', 'invalid role or secret ID');
  await rejects(t, mounted.write('login', { role_id: id }), 'invalid_request', 'missing secret_id');
  await rejects(t, mounted.write('login', { role_id: id, secret_id: 'wrong' }), 'invalid_request', 'invalid role or secret ID');
  await rejects(t, mounted.write('login', { role_id: id, secret_id: otherSecret }), 'invalid_request', 'invalid role or secret ID');
});

test('each login spends one use and the last use deletes the secret ID', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', {});
  const id = await roleId(mounted, 'app');
  const { secretId: secret } = await secretId(mounted, 'app', { num_uses: 2 });
  mounted.clock.advance(10);
  await mounted.write('login', { role_id: id, secret_id: secret });
  const after = await mounted.write('role/app/secret-id/lookup', { secret_id: secret });
  t.is(after?.data?.['secret_id_num_uses'], 1);
  t.is(after?.data?.['last_updated_time'], '2025-01-01T00:00:10.000Z');
  await mounted.write('login', { role_id: id, secret_id: secret });
  await rejects(t, mounted.write('login', { role_id: id, secret_id: secret }), 'invalid_request', 'invalid role or secret ID');
  t.is(await mounted.write('role/app/secret-id/lookup', { secret_id: secret }), undefined);
  t.false((await mounted.keys()).some((key) => key.startsWith('secret_id/') || key.startsWith('accessor/')));
});

test('concurrent logins spend a limited secret ID exactly as often as allowed', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', {});
  const id = await roleId(mounted, 'app');
  const { secretId: secret } = await secretId(mounted, 'app', { num_uses: 3 });
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => mounted.write('login', { role_id: id, secret_id: secret })));
  t.is(results.filter((result) => result.status === 'fulfilled').length, 3);
  t.is(results.filter((result) => result.status === 'rejected').length, 7);
});

test('an expired secret ID is refused and removed', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', { secret_id_ttl: 60 });
  const id = await roleId(mounted, 'app');
  const { secretId: secret, accessor } = await secretId(mounted, 'app');
  mounted.clock.advance(59);
  t.not(await mounted.write('login', { role_id: id, secret_id: secret }), undefined);
  mounted.clock.advance(1);
  t.is(await mounted.write('role/app/secret-id/lookup', { secret_id: secret }), undefined);
  await rejects(t, mounted.write('login', { role_id: id, secret_id: secret }), 'invalid_request', 'invalid role or secret ID');
  await rejects(t, mounted.write('role/app/secret-id-accessor/lookup', { secret_id_accessor: accessor }), 'not_found',
    `failed to find accessor entry for secret_id_accessor: "${accessor}"`);
  t.false((await mounted.keys()).some((key) => key.startsWith('secret_id/') || key.startsWith('accessor/')));
});

test('CIDR bounds of the role and of the secret ID are checked at login without spending a use', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', { secret_id_bound_cidrs: '10.0.0.0/8' });
  const id = await roleId(mounted, 'app');
  const { secretId: secret } = await secretId(mounted, 'app', { cidr_list: '10.1.0.0/16', num_uses: 1 });
  await rejects(t, mounted.write('login', { role_id: id, secret_id: secret }, { remoteAddress: '192.168.0.1' }), 'invalid_request',
    'source address "192.168.0.1" unauthorized by CIDR restrictions on the role');
  await rejects(t, mounted.write('login', { role_id: id, secret_id: secret }, { remoteAddress: '10.2.0.1' }), 'invalid_request',
    'source address "10.2.0.1" unauthorized through CIDR restrictions on the secret ID');
  t.not(await mounted.write('login', { role_id: id, secret_id: secret }, { remoteAddress: '10.1.0.1' }), undefined);
});

test('a role without a secret ID logs in by role ID from its CIDR bounds', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/host', { bind_secret_id: false, secret_id_bound_cidrs: '127.0.0.0/8', token_policies: 'host' });
  const id = await roleId(mounted, 'host');
  const response = await mounted.write('login', { role_id: id });
  t.deepEqual(response?.login?.metadata, { role_name: 'host' });
  t.deepEqual(response?.login?.policies, ['host']);
  await rejects(t, mounted.write('login', { role_id: id }, { remoteAddress: '10.0.0.1' }), 'invalid_request',
    'source address "10.0.0.1" unauthorized by CIDR restrictions on the role');
});

test('deleting a role removes its secret IDs and role ID', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', {});
  const id = await roleId(mounted, 'app');
  const { secretId: secret } = await secretId(mounted, 'app');
  t.is(await mounted.delete('role/app'), undefined);
  t.is(await mounted.read('role/app'), undefined);
  t.deepEqual(await mounted.keys(), ['salt']);
  await mounted.write('role/app', { role_id: id });
  await rejects(t, mounted.write('login', { role_id: id, secret_id: secret }), 'invalid_request', 'invalid role or secret ID');
  t.is(await mounted.delete('role/never'), undefined);
});

test('tidy removes expired secret IDs and answers 202 with a warning', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', {});
  const id = await roleId(mounted, 'app');
  await secretId(mounted, 'app', { ttl: 30 });
  const { secretId: lasting } = await secretId(mounted, 'app');
  mounted.clock.advance(31);
  const response = await mounted.write('tidy/secret-id', {});
  t.is(response?.status, 202);
  t.deepEqual(response?.warnings, ["Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs."]);
  t.is(((await mounted.list('role/app/secret-id'))?.data?.['keys'] as string[]).length, 1);
  t.is((await mounted.keys()).filter((key) => key.startsWith('accessor/')).length, 1);
  t.not(await mounted.write('login', { role_id: id, secret_id: lasting }), undefined);
  t.true(mounted.logger.lines.some((line) => line.message === 'approle tidy finished' && line.fields['removed'] === 1));
});

test('storage keys hold no role ID, secret ID or accessor, and values no secret ID', async (t) => {
  const mounted = await mountApprole();
  await mounted.write('role/app', { role_id: 'role-id-in-plain-sight' });
  const issued = await secretId(mounted, 'app', { num_uses: 5 });
  await mounted.write('role/app/custom-secret-id', { secret_id: 'custom-secret-in-plain-sight' });
  await mounted.write('login', { role_id: 'role-id-in-plain-sight', secret_id: issued.secretId });
  const keys = (await mounted.keys()).join('\n');
  for (const secret of ['role-id-in-plain-sight', issued.secretId, issued.accessor, 'custom-secret-in-plain-sight']) {
    t.false(keys.includes(secret), secret);
  }
  const plaintext = await mounted.plaintextDump();
  t.false(plaintext.includes(issued.secretId));
  t.false(plaintext.includes('custom-secret-in-plain-sight'));
  const raw = await mounted.rawDump();
  for (const secret of ['role-id-in-plain-sight', issued.secretId, issued.accessor, 'custom-secret-in-plain-sight']) {
    t.false(raw.includes(secret), secret);
  }
});
