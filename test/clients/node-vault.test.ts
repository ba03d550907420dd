import test from 'ava';
import nodeVault from 'node-vault';
import { startServerProcess, startUnsealedServer, tempDir, writeServerConfig } from '../helpers/server-process.ts';

test('node-vault initializes, unseals, reads status and seals a file-backed server', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const config = await writeServerConfig(dir.path, `storage "file" {\n  path = "${dir.path}/data"\n}`);
  const server = await startServerProcess(['-config', config]);
  t.teardown(() => server.stop({ kill: true }));
  const vault = nodeVault({ apiVersion: 'v1', endpoint: server.url });

  t.deepEqual(await vault.initialized(), { initialized: false });
  const init = await vault.init({ secret_shares: 3, secret_threshold: 2 });
  vault.token = init.root_token;
  t.is(init.keys.length, 3);

  const first = await vault.unseal({ secret_shares: 1, key: init.keys[0] });
  t.like(first, { sealed: true, progress: 1, t: 2, n: 3 });
  const second = await vault.unseal({ secret_shares: 1, key: init.keys[2] });
  t.like(second, { sealed: false });

  t.like(await vault.status(), { initialized: true, sealed: false });
  t.like(await vault.health(), { initialized: true, sealed: false, standby: false });
  t.like(await vault.leader(), { ha_enabled: false });

  const error = await t.throwsAsync(vault.init({ secret_shares: 1, secret_threshold: 1 }));
  t.is(error.message, 'Vault is already initialized');

  await vault.seal();
  t.like(await vault.status(), { sealed: true });
  const sealed = await t.throwsAsync(vault.read('secret/anything'));
  t.is(sealed.message, 'Vault is sealed');
});

test('node-vault runs the day-to-day flows, listing with the LIST verb', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const config = await writeServerConfig(dir.path, `storage "file" {\n  path = "${dir.path}/data"\n}`);
  const { server, rootToken } = await startUnsealedServer(['-config', config]);
  t.teardown(() => server.stop({ kill: true }));
  const vault = nodeVault({ apiVersion: 'v1', endpoint: server.url, token: rootToken });

  await vault.mount({ mount_point: 'nv-kv', type: 'kv', options: { version: '2' } });
  await vault.mount({ mount_point: 'nv-kv1', type: 'kv' });
  await vault.write('nv-kv/data/app/config', { data: { url: 'https://db' } });
  t.deepEqual((await vault.read('nv-kv/data/app/config')).data.data, { url: 'https://db' });
  t.deepEqual((await vault.list('nv-kv/metadata/app')).data.keys, ['config']);
  await vault.write('nv-kv1/a/b', { c: 'd' });
  t.deepEqual((await vault.read('nv-kv1/a/b')).data, { c: 'd' });
  t.deepEqual((await vault.list('nv-kv1/a')).data.keys, ['b']);
  await vault.delete('nv-kv1/a/b');
  const gone = await t.throwsAsync(vault.read('nv-kv1/a/b'));
  t.is((gone as Error & { response?: { statusCode: number } }).response?.statusCode, 404);

  await vault.addPolicy({ name: 'nv-reader', rules: 'path "nv-kv/data/*" { capabilities = ["read"] }' });
  t.regex((await vault.getPolicy({ name: 'nv-reader' })).rules, /nv-kv\/data/);
  t.true((await vault.policies()).policies.includes('nv-reader'));

  const created = await vault.tokenCreate({ policies: ['nv-reader'], ttl: '1h' });
  // node-vault switches a client to every token it creates; go back to root.
  vault.token = rootToken;
  const limited = nodeVault({ apiVersion: 'v1', endpoint: server.url, token: created.auth.client_token });
  t.deepEqual((await limited.read('nv-kv/data/app/config')).data.data, { url: 'https://db' });
  const refused = await t.throwsAsync(limited.write('nv-kv/data/app/config', { data: { url: 'evil' } }));
  t.regex(refused.message, /permission denied/);
  t.deepEqual((await vault.tokenLookup({ token: created.auth.client_token })).data.policies, ['default', 'nv-reader']);
  await vault.tokenRevoke({ token: created.auth.client_token });
  await t.throwsAsync(limited.read('nv-kv/data/app/config'));

  await vault.enableAuth({ mount_point: 'userpass', type: 'userpass' });
  await vault.write('auth/userpass/users/carol', { password: 'secret-pw', token_policies: 'nv-reader' });
  const login = await nodeVault({ apiVersion: 'v1', endpoint: server.url }).userpassLogin({ username: 'carol', password: 'secret-pw' });
  t.deepEqual(login.auth.policies, ['default', 'nv-reader']);
  await vault.enableAuth({ mount_point: 'approle', type: 'approle' });
  // node-vault's schema knows only the legacy field name `policies`.
  await vault.addApproleRole({ role_name: 'job', policies: 'nv-reader' });
  const roleId = (await vault.getApproleRoleId({ role_name: 'job' })).data.role_id;
  const secretId = (await vault.getApproleRoleSecret({ role_name: 'job' })).data.secret_id;
  const approle = await nodeVault({ apiVersion: 'v1', endpoint: server.url }).approleLogin({ role_id: roleId, secret_id: secretId });
  t.deepEqual(approle.auth.policies, ['default', 'nv-reader']);
});
