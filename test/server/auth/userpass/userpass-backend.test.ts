import test from 'ava';
import bcrypt from 'bcryptjs';
import type { ErrorCode } from '../../../../src/lib/errors.ts';
import { SealboxError } from '../../../../src/lib/errors.ts';
import { matchesPathList } from '../../../../src/server/logical/path-patterns.ts';
import { userpassBackendFactory } from '../../../../src/server/auth/userpass/userpass-backend.ts';
import { MountedBackend } from '../auth-backend-harness.ts';

function mountUserpass(): Promise<MountedBackend> {
  return MountedBackend.create(userpassBackendFactory, 'userpass');
}

async function rejects(t: import('ava').ExecutionContext, promise: Promise<unknown>, code: ErrorCode, message: string): Promise<void> {
  const error = await t.throwsAsync(promise, { instanceOf: SealboxError, message });
  t.is(error?.code, code);
}

test('login paths need no token, user management does', async (t) => {
  const { backend } = await mountUserpass();
  t.true(matchesPathList('login/bob', backend.unauthenticatedPaths));
  t.false(matchesPathList('users/bob', backend.unauthenticatedPaths));
  t.deepEqual(backend.rootPaths, []);
});

test('a user is created with a password and reads back its token fields, never the password', async (t) => {
  const mounted = await mountUserpass();
  t.is(await mounted.write('users/bob', { password: 'hunter2', token_policies: 'dev,ops', token_ttl: '1h' }), undefined);
  const read = await mounted.read('users/bob');
  t.deepEqual(read?.data, {
    token_bound_cidrs: [],
    token_explicit_max_ttl: 0,
    token_max_ttl: 0,
    token_no_default_policy: false,
    token_num_uses: 0,
    token_period: 0,
    token_policies: ['dev', 'ops'],
    token_ttl: 3600,
    token_type: 'default',
  });
});

test('creating a user without a password is refused', async (t) => {
  const mounted = await mountUserpass();
  await rejects(t, mounted.write('users/bob', { token_policies: 'dev' }), 'invalid_request', 'missing password');
  await rejects(t, mounted.write('users/bob', { password: '' }), 'invalid_request', 'missing password');
  t.is(await mounted.read('users/bob'), undefined);
});

test('legacy fields are accepted and read back beside the token_ names', async (t) => {
  const mounted = await mountUserpass();
  await mounted.write('users/bob', { password: 'pw', policies: 'a', ttl: 60, max_ttl: 120, bound_cidrs: '10.0.0.0/8' });
  const data = (await mounted.read('users/bob'))?.data ?? {};
  t.deepEqual(data['policies'], ['a']);
  t.is(data['ttl'], 60);
  t.is(data['max_ttl'], 120);
  t.deepEqual(data['bound_cidrs'], ['10.0.0.0/8']);
  t.deepEqual(data['token_bound_cidrs'], ['10.0.0.0/8']);
});

test('usernames are case-insensitive and listed lower-cased', async (t) => {
  const mounted = await mountUserpass();
  await mounted.write('users/Bob', { password: 'pw' });
  await mounted.write('users/alice', { password: 'pw' });
  t.deepEqual((await mounted.list('users'))?.data, { keys: ['alice', 'bob'] });
  t.not(await mounted.read('users/BOB'), undefined);
  const login = await mounted.write('login/BOB', { password: 'pw' });
  t.is(login?.login?.metadata['username'], 'bob');
});

test('an empty user list is an empty keys list', async (t) => {
  const mounted = await mountUserpass();
  t.deepEqual((await mounted.list('users'))?.data, { keys: [] });
});

test('a login grants the user token settings with username metadata, display and alias name', async (t) => {
  const mounted = await mountUserpass();
  await mounted.write('users/bob', {
    password: 'hunter2',
    token_policies: 'dev',
    token_ttl: 600,
    token_max_ttl: 1200,
    token_num_uses: 3,
    token_period: 0,
    token_no_default_policy: true,
    token_explicit_max_ttl: 5000,
  });
  const response = await mounted.write('login/bob', { password: 'hunter2' });
  t.deepEqual(response, {
    login: {
      policies: ['dev'],
      ttl: 600,
      maxTtl: 1200,
      explicitMaxTtl: 5000,
      period: 0,
      numUses: 3,
      noDefaultPolicy: true,
      renewable: true,
      boundCidrs: [],
      metadata: { username: 'bob' },
      displayName: 'bob',
      aliasName: 'bob',
    },
  });
});

test('a wrong password and an unknown user fail alike', async (t) => {
  const mounted = await mountUserpass();
  await mounted.write('users/bob', { password: 'hunter2' });
  await rejects(t, mounted.write('login/bob', { password: 'wrong' }), 'invalid_request', 'invalid username or password');
  await rejects(t, mounted.write('login/nobody', { password: 'hunter2' }), 'invalid_request', 'invalid username or password');
  await rejects(t, mounted.write('login/bob', {}), 'invalid_request', 'missing password');
});

test('token_bound_cidrs are checked against the client address at login', async (t) => {
  const mounted = await mountUserpass();
  await mounted.write('users/bob', { password: 'pw', token_bound_cidrs: '10.0.0.0/8' });
  await rejects(t, mounted.write('login/bob', { password: 'pw' }, { remoteAddress: '192.168.1.1' }), 'permission_denied', 'permission denied');
  const login = await mounted.write('login/bob', { password: 'pw' }, { remoteAddress: '10.1.2.3' });
  t.deepEqual(login?.login?.boundCidrs, ['10.0.0.0/8']);
});

test('updating a user without a password keeps the old one', async (t) => {
  const mounted = await mountUserpass();
  await mounted.write('users/bob', { password: 'pw', token_ttl: 10 });
  await mounted.write('users/bob', { token_ttl: 20 });
  const login = await mounted.write('login/bob', { password: 'pw' });
  t.is(login?.login?.ttl, 20);
});

test('the password sub-path replaces the password', async (t) => {
  const mounted = await mountUserpass();
  await mounted.write('users/bob', { password: 'old' });
  t.is(await mounted.write('users/bob/password', { password: 'new' }), undefined);
  await rejects(t, mounted.write('login/bob', { password: 'old' }), 'invalid_request', 'invalid username or password');
  t.not(await mounted.write('login/bob', { password: 'new' }), undefined);
  await rejects(t, mounted.write('users/bob/password', {}), 'invalid_request', 'missing password');
  await rejects(t, mounted.write('users/nobody/password', { password: 'x' }), 'invalid_request', 'username does not exist');
});

test('the policies sub-path replaces the policies only', async (t) => {
  const mounted = await mountUserpass();
  await mounted.write('users/bob', { password: 'pw', token_policies: 'a', token_ttl: 30 });
  await mounted.write('users/bob/policies', { token_policies: 'b,c', token_ttl: 999 });
  const data = (await mounted.read('users/bob'))?.data ?? {};
  t.deepEqual(data['token_policies'], ['b', 'c']);
  t.is(data['token_ttl'], 30);
  await mounted.write('users/bob/policies', { policies: 'd' });
  const legacy = (await mounted.read('users/bob'))?.data ?? {};
  t.deepEqual(legacy['token_policies'], ['d']);
  t.deepEqual(legacy['policies'], ['d']);
  await rejects(t, mounted.write('users/bob/policies', {}), 'invalid_request', 'missing token_policies');
  await rejects(t, mounted.write('users/nobody/policies', { policies: 'x' }), 'invalid_request', 'username does not exist');
});

test('password_hash takes a bcrypt hash instead of a password', async (t) => {
  const mounted = await mountUserpass();
  const hash = await bcrypt.hash('from-elsewhere', 4);
  await mounted.write('users/bob', { password_hash: hash });
  t.not(await mounted.write('login/bob', { password: 'from-elsewhere' }), undefined);
  await rejects(t, mounted.write('users/eve', { password: 'x', password_hash: hash }), 'invalid_request', 'only one of password or password_hash may be provided');
  await rejects(t, mounted.write('users/eve', { password_hash: 'plaintext' }), 'invalid_request', 'password_hash is not a bcrypt hash');
});

test('a deleted user can no longer log in', async (t) => {
  const mounted = await mountUserpass();
  await mounted.write('users/bob', { password: 'pw' });
  t.is(await mounted.delete('users/bob'), undefined);
  t.is(await mounted.read('users/bob'), undefined);
  await rejects(t, mounted.write('login/bob', { password: 'pw' }), 'invalid_request', 'invalid username or password');
  t.is(await mounted.delete('users/bob'), undefined);
});

test('invalid token fields on a user are 400s', async (t) => {
  const mounted = await mountUserpass();
  await rejects(t, mounted.write('users/bob', { password: 'pw', token_ttl: 100, token_max_ttl: 10 }), 'invalid_request', "'token_ttl' cannot be greater than 'token_max_ttl'");
});

test('unknown paths are 404 and wrong operations 405', async (t) => {
  const mounted = await mountUserpass();
  await rejects(t, mounted.read('nothing/here'), 'unsupported_path', 'unsupported path');
  await rejects(t, mounted.read('users/bad name'), 'unsupported_path', 'unsupported path');
  await rejects(t, mounted.read('login/bob'), 'unsupported_operation', 'unsupported operation');
  await rejects(t, mounted.read('users/bob/password'), 'unsupported_operation', 'unsupported operation');
});

test('storage holds neither the password nor anything readable without the barrier', async (t) => {
  const mounted = await mountUserpass();
  const password = 'correct-horse-battery-staple';
  await mounted.write('users/bob', { password });
  await mounted.write('users/bob/password', { password: `${password}-2` });
  const plaintext = await mounted.plaintextDump();
  t.false(plaintext.includes(password));
  t.regex(plaintext, /\$2[aby]\$10\$/);
  const raw = await mounted.rawDump();
  t.false(raw.includes(password));
  t.false(raw.includes('$2b$10$'));
  t.deepEqual(await mounted.keys(), ['user/bob']);
});
