import test from 'ava';
import { rejectsWith, tokenHarness } from './token-harness.ts';

test('a role written with no fields reads back with Vault defaults', async (t) => {
  const h = await tokenHarness();
  t.is(await h.call(h.rootToken, 'update', 'roles/plain', {}), undefined);
  t.deepEqual((await h.call(h.rootToken, 'read', 'roles/plain'))!.data, {
    allowed_entity_aliases: null,
    allowed_policies: [],
    allowed_policies_glob: [],
    disallowed_policies: [],
    disallowed_policies_glob: [],
    explicit_max_ttl: 0,
    name: 'plain',
    orphan: false,
    path_suffix: '',
    period: 0,
    renewable: true,
    token_explicit_max_ttl: 0,
    token_no_default_policy: false,
    token_period: 0,
    token_type: 'default-service',
  });
});

test('roles can be listed, updated field by field and deleted', async (t) => {
  const h = await tokenHarness();
  await h.call(h.rootToken, 'update', 'roles/app', {
    allowed_policies: 'Dev, ops',
    disallowed_policies: ['Admin'],
    allowed_policies_glob: 'team-*',
    orphan: true,
    renewable: false,
    path_suffix: 'v1.0',
    token_period: '1h',
    token_num_uses: 3,
    token_bound_cidrs: '10.0.0.0/8,127.0.0.1',
    token_explicit_max_ttl: '2h',
    allowed_entity_aliases: 'Bob',
  });
  await h.call(h.rootToken, 'update', 'roles/other', {});
  t.deepEqual((await h.call(h.rootToken, 'list', 'roles/'))!.data, { keys: ['app', 'other'] });
  await h.call(h.rootToken, 'update', 'roles/app', { orphan: false });
  t.deepEqual((await h.call(h.rootToken, 'read', 'roles/app'))!.data, {
    allowed_entity_aliases: ['bob'],
    allowed_policies: ['dev', 'ops'],
    allowed_policies_glob: ['team-*'],
    disallowed_policies: ['admin'],
    disallowed_policies_glob: [],
    explicit_max_ttl: 0,
    name: 'app',
    orphan: false,
    path_suffix: 'v1.0',
    period: 0,
    renewable: false,
    token_bound_cidrs: ['10.0.0.0/8', '127.0.0.1'],
    token_explicit_max_ttl: 7200,
    token_no_default_policy: false,
    token_num_uses: 3,
    token_period: 3600,
    token_type: 'default-service',
  });
  t.is(await h.call(h.rootToken, 'delete', 'roles/app'), undefined);
  t.is(await h.call(h.rootToken, 'read', 'roles/app'), undefined);
  t.deepEqual((await h.call(h.rootToken, 'list', 'roles'))!.data, { keys: ['other'] });
});

test('legacy period and explicit_max_ttl fill both names; with the new names too they are ignored with a warning', async (t) => {
  const h = await tokenHarness();
  await h.call(h.rootToken, 'update', 'roles/legacy', { period: '2h', explicit_max_ttl: '3h', bound_cidrs: '10.1.0.0/16' });
  const data = (await h.call(h.rootToken, 'read', 'roles/legacy'))!.data!;
  t.deepEqual([data['period'], data['token_period'], data['explicit_max_ttl'], data['token_explicit_max_ttl']], [7200, 7200, 10800, 10800]);
  t.deepEqual([data['bound_cidrs'], data['token_bound_cidrs']], [['10.1.0.0/16'], ['10.1.0.0/16']]);
  const both = await h.call(h.rootToken, 'update', 'roles/legacy', { period: '2h', token_period: '1h' });
  t.deepEqual(both!.warnings, ["Both 'token_period' and deprecated 'period' value supplied, ignoring the deprecated value"]);
  const after = (await h.call(h.rootToken, 'read', 'roles/legacy'))!.data!;
  t.deepEqual([after['period'], after['token_period']], [0, 3600]);
});

test('role writes validate their fields', async (t) => {
  const h = await tokenHarness();
  await rejectsWith(t, h.call(h.rootToken, 'update', 'roles/r', { path_suffix: 'a/' }), 400, /^given role path suffix contains invalid characters/);
  await rejectsWith(t, h.call(h.rootToken, 'update', 'roles/r', { path_suffix: 'a..b' }), 400, 'error registering path suffix: path cannot contain parent references');
  await rejectsWith(t, h.call(h.rootToken, 'update', 'roles/r', { token_type: 'weird' }), 400, `invalid 'token_type' value "weird"`);
  await rejectsWith(t, h.call(h.rootToken, 'update', 'roles/r', { token_type: 'batch' }), 400, 'batch tokens are not supported by this server');
  await rejectsWith(t, h.call(h.rootToken, 'update', 'roles/r', { token_bound_cidrs: '10.0.0.0/40' }), 400, /"token_bound_cidrs": "10.0.0.0\/40" is not an IP address or CIDR block/);
  await rejectsWith(t, h.call(h.rootToken, 'update', 'roles/r', { token_num_uses: -1 }), 400, "error parsing role fields: 'token_num_uses' cannot be negative");
  const warned = await h.call(h.rootToken, 'update', 'roles/r', { token_explicit_max_ttl: '1000h' });
  t.deepEqual(warned!.warnings, [
    'Given explicit max TTL of 3600000 is greater than system/mount allowed value of 2764800 seconds; until this is fixed attempting to create tokens against this role will result in an error',
  ]);
});

test('a role lets a token escape the subset rule within its allowed policies, and sets orphan, path, period and uses', async (t) => {
  const h = await tokenHarness({ existingPolicies: ['default', 'dev', 'ops', 'team-a'] });
  await h.call(h.rootToken, 'update', 'roles/app', {
    allowed_policies: 'dev,ops',
    allowed_policies_glob: 'team-*',
    orphan: true,
    path_suffix: 'v1.0',
    token_period: '1h',
    token_num_uses: 3,
    token_bound_cidrs: '10.0.0.0/8',
  });
  const caller = await h.createToken(h.rootToken, { policies: 'default' });
  const response = await h.call(caller, 'update', 'create/app', {});
  const auth = response!.auth!;
  t.deepEqual(auth.policies, ['default', 'dev', 'ops']);
  t.true(auth.orphan);
  t.is(auth.lease_duration, 3600);
  t.is(auth.num_uses, 3);
  t.is(response!.warnings, undefined);
  const data = (await h.call(h.rootToken, 'update', 'lookup', { token: auth.client_token }))!.data!;
  t.is(data['path'], 'auth/token/create/app/v1.0');
  t.is(data['role'], 'app');
  t.deepEqual(data['bound_cidrs'], ['10.0.0.0/8']);

  t.deepEqual((await h.call(caller, 'update', 'create/app', { policies: 'team-a', num_uses: 1 }))!.auth!.policies, ['default', 'team-a']);
  t.is((await h.call(caller, 'update', 'create/app', { num_uses: 1 }))!.auth!.num_uses, 1);
  await rejectsWith(
    t,
    h.call(caller, 'update', 'create/app', { policies: 'admin' }),
    400,
    `token policies (["admin" "default"]) must be subset of the role's allowed policies (["default" "dev" "ops"]) or glob policies (["team-*"])`,
  );
  const lesser = await h.call(h.rootToken, 'update', 'create/app', { period: '30m' });
  t.is(lesser!.auth!.lease_duration, 1800);
  t.deepEqual(lesser!.warnings, ['Period specified both during creation call and in role; using the lesser value of 1800 seconds']);
});

test('disallowed policies are refused, and a role with neither list inherits the parent policies', async (t) => {
  const h = await tokenHarness({ existingPolicies: ['default', 'dev', 'admin'] });
  await h.call(h.rootToken, 'update', 'roles/deny', { disallowed_policies: 'admin' });
  await rejectsWith(t, h.call(h.rootToken, 'update', 'create/deny', { policies: 'admin' }), 400, 'token policy "admin" is disallowed by this role');
  await h.call(h.rootToken, 'update', 'roles/open', { renewable: false });
  const parent = await h.createToken(h.rootToken, { policies: 'dev' });
  const auth = (await h.call(parent, 'update', 'create/open', {}))!.auth!;
  t.deepEqual(auth.policies, ['default', 'dev']);
  t.false(auth.renewable);
  t.false(auth.orphan);
  await rejectsWith(t, h.call(h.rootToken, 'update', 'create/nope', {}), 400, 'unknown role nope');
});

test('entity aliases are checked against the role and then refused as unsupported', async (t) => {
  const h = await tokenHarness();
  await h.call(h.rootToken, 'update', 'roles/alias', { allowed_entity_aliases: 'bob' });
  await rejectsWith(t, h.call(h.rootToken, 'update', 'create', { entity_alias: 'bob' }), 400, "'entity_alias' is only allowed in combination with token role");
  await rejectsWith(t, h.call(h.rootToken, 'update', 'create/alias', { entity_alias: 'alice' }), 400, "invalid 'entity_alias' value");
  await rejectsWith(t, h.call(h.rootToken, 'update', 'create/alias', { entity_alias: 'Bob' }), 400, 'entity aliases are not supported by this server');
});

test('a role token renews with its role current period, and not at all once the role is gone', async (t) => {
  const h = await tokenHarness();
  await h.call(h.rootToken, 'update', 'roles/periodic', { token_period: '1h' });
  const token = (await h.call(h.rootToken, 'update', 'create/periodic', { policies: 'default' }))!.auth!.client_token;
  await h.call(h.rootToken, 'update', 'roles/periodic', { token_period: '2h' });
  h.advance(600);
  t.is((await h.call(token, 'update', 'renew-self'))!.auth!.lease_duration, 7200);
  await h.call(h.rootToken, 'delete', 'roles/periodic');
  await rejectsWith(t, h.call(token, 'update', 'renew-self'), 400, 'original token role "periodic" could not be found, not renewing');
});
