import test from 'ava';
import type { ExecutionContext } from 'ava';
import nodeVault from 'node-vault';
import { uniquePrefix, useEtcd } from '../helpers/etcd.ts';
import { dumpEtcd } from '../helpers/storage-dump.ts';
import { startServerProcess, tempDir, writeServerConfig } from '../helpers/server-process.ts';
import { decodeRootToken, startOpsServer } from './ops-server.ts';

const etcd = useEtcd(test);

type VaultError = Error & { response?: { statusCode: number } };

async function refused(t: ExecutionContext, promise: Promise<unknown>, statusCode: number, message: string | RegExp): Promise<void> {
  const error = (await t.throwsAsync(promise)) as VaultError;
  t.is(error.response?.statusCode, statusCode, error.message);
  if (typeof message === 'string') t.is(error.message, message);
  else t.regex(error.message, message);
}

test('node-vault rekeys 5/3 to 3/2 with verification; after a restart only the new shares unseal', async (t) => {
  const server = await startOpsServer(t, etcd().endpoint);
  const vault = nodeVault({ apiVersion: 'v1', endpoint: server.url, token: server.rootToken });
  await vault.mount({ mount_point: 'nv-ops', type: 'kv' });
  await vault.write('nv-ops/kept', { v: 'written before the rekey' });
  const old = server.unsealKeys;

  t.like(await vault.request({ path: '/sys/rekey/init', method: 'GET' }), { started: false, required: 3, t: 0, n: 0 });
  await refused(t, vault.request({ path: '/sys/rekey/init', method: 'PUT', json: { secret_shares: 3, secret_threshold: 2, pgp_keys: ['a', 'b', 'c'] } }), 400, 'PGP-encrypted key shares are not supported by this server');
  const started = await vault.request({ path: '/sys/rekey/init', method: 'PUT', json: { secret_shares: 3, secret_threshold: 2, require_verification: true } });
  t.like(started, { started: true, t: 2, n: 3, required: 3, verification_required: true });
  await refused(t, vault.request({ path: '/sys/rekey/init', method: 'PUT', json: { secret_shares: 3, secret_threshold: 2 } }), 400, 'rekey already in progress');
  await refused(t, vault.write('sys/rekey/update', { key: old[0], nonce: 'wrong' }), 400, `incorrect nonce supplied; nonce for this rekey operation is "${started.nonce}"`);
  t.like(await vault.write('sys/rekey/update', { key: old[0], nonce: started.nonce }), { progress: 1 });
  t.like(await vault.write('sys/rekey/update', { key: old[1], nonce: started.nonce }), { progress: 2 });
  const result = await vault.write('sys/rekey/update', { key: old[4], nonce: started.nonce });
  t.like(result, { complete: true, verification_required: true });
  const fresh: string[] = result.keys;
  t.is(fresh.length, 3);

  t.like(await vault.request({ path: '/sys/seal-status', method: 'GET' }), { t: 3, n: 5 }, 'nothing changes before verification');
  t.like(await vault.read('sys/rekey/verify'), { started: true, nonce: result.verification_nonce, t: 2, n: 3, progress: 0 });
  t.like(await vault.write('sys/rekey/verify', { key: fresh[2], nonce: result.verification_nonce }), { progress: 1 });
  t.deepEqual(await vault.write('sys/rekey/verify', { key: fresh[0], nonce: result.verification_nonce }), { nonce: result.verification_nonce, complete: true });
  t.like(await vault.request({ path: '/sys/seal-status', method: 'GET' }), { t: 2, n: 3 });
  const dump = await dumpEtcd(etcd().endpoint, server.storagePrefix);
  for (const key of fresh) {
    const bytes = Buffer.from(key, 'hex');
    t.false(dump.includes(bytes) || dump.includes(key) || dump.includes(bytes.toString('base64')), 'no new share is stored in plaintext');
  }

  await server.restart();
  const restarted = nodeVault({ apiVersion: 'v1', endpoint: server.url, token: server.rootToken });
  t.like(await restarted.status(), { sealed: true, t: 2, n: 3 });
  t.like(await restarted.unseal({ key: old[0] }), { sealed: true, progress: 1 });
  await refused(t, restarted.unseal({ key: old[1] }), 500, /message authentication failed/);
  t.like(await restarted.status(), { sealed: true, progress: 0 });
  t.like(await restarted.unseal({ key: fresh[1] }), { sealed: true, progress: 1 });
  t.like(await restarted.unseal({ key: fresh[2] }), { sealed: false });
  t.deepEqual((await restarted.read('nv-ops/kept')).data, { v: 'written before the rekey' });
});

test('node-vault rotates the keyring; key-status moves, old data reads, and rotate needs sudo', async (t) => {
  const server = await startOpsServer(t, etcd().endpoint);
  const vault = nodeVault({ apiVersion: 'v1', endpoint: server.url, token: server.rootToken });
  await vault.mount({ mount_point: 'nv-ops', type: 'kv' });
  await vault.write('nv-ops/old', { v: 'term 1' });
  const before = await vault.read('sys/key-status');
  t.is(before.data.term, 1);
  t.is(before.term, 1, 'also at the top level');
  t.is(Number.isNaN(Date.parse(before.data.install_time)), false);

  await vault.rotate();
  const after = await vault.read('sys/key-status');
  t.is(after.data.term, 2);
  t.true(Date.parse(after.data.install_time) >= Date.parse(before.data.install_time));
  t.deepEqual((await vault.read('nv-ops/old')).data, { v: 'term 1' });
  await vault.write('nv-ops/new', { v: 'term 2' });

  await vault.addPolicy({ name: 'nv-rotate', rules: 'path "sys/rotate" { capabilities = ["update"] }\npath "sys/key-status" { capabilities = ["read"] }' });
  const token = (await vault.tokenCreate({ policies: ['nv-rotate'], ttl: '10m' })).auth.client_token;
  vault.token = server.rootToken;
  const limited = nodeVault({ apiVersion: 'v1', endpoint: server.url, token });
  t.is((await limited.read('sys/key-status')).data.term, 2);
  await refused(t, limited.rotate(), 403, 'permission denied');
  t.is((await vault.read('sys/key-status')).data.term, 2);

  t.deepEqual((await vault.read('sys/rotate/config')).data, { max_operations: 3865470566, enabled: true, interval: 0 });
  await refused(t, vault.write('sys/rotate/config', { max_operations: 10 }), 400, 'max_operations must be in the range [1000000,3865470566]');
  await vault.write('sys/rotate/config', { interval: '768h', enabled: false });
  t.deepEqual((await vault.read('sys/rotate/config')).data, { max_operations: 3865470566, enabled: false, interval: '768h0m0s' });

  await server.restart();
  const restarted = nodeVault({ apiVersion: 'v1', endpoint: server.url, token: server.rootToken });
  for (const key of server.unsealKeys.slice(2)) await restarted.unseal({ key });
  t.is((await restarted.read('sys/key-status')).data.term, 2);
  t.deepEqual((await restarted.read('nv-ops/old')).data, { v: 'term 1' });
  t.deepEqual((await restarted.read('nv-ops/new')).data, { v: 'term 2' });
  t.like((await restarted.read('sys/rotate/config')).data, { enabled: false, interval: '768h0m0s' });
});

test('node-vault generates a root token with an OTP; the new token logs in and revokes the old one', async (t) => {
  const server = await startOpsServer(t, etcd().endpoint);
  const vault = nodeVault({ apiVersion: 'v1', endpoint: server.url, token: server.rootToken });
  const shares = server.unsealKeys;

  const started = await vault.generateRootInit();
  t.like(started, { started: true, progress: 0, required: 3, otp_length: 28 });
  t.regex(started.otp, /^[0-9A-Za-z]{28}$/);
  await refused(t, vault.generateRootInit(), 400, 'root generation already in progress');
  await refused(t, vault.generateRootUpdate({ key: shares[1], nonce: 'wrong' }), 400, `incorrect nonce supplied; nonce for this root generation operation is "${started.nonce}"`);
  t.like(await vault.generateRootUpdate({ key: shares[1], nonce: started.nonce }), { progress: 1, complete: false });
  await refused(t, vault.generateRootUpdate({ key: shares[1], nonce: started.nonce }), 400, 'given key has already been provided during this generation operation');
  const wrong = Buffer.from(shares[2]!, 'hex');
  wrong[0] = wrong[0]! ^ 0xff;
  t.like(await vault.generateRootUpdate({ key: shares[3], nonce: started.nonce }), { progress: 2 });
  await refused(t, vault.generateRootUpdate({ key: wrong.toString('base64'), nonce: started.nonce }), 400, /^root generation aborted: unable to authenticate: /);
  t.like(await vault.request({ path: '/sys/generate-root/attempt', method: 'GET' }), { started: true, progress: 0, nonce: started.nonce });

  for (const key of shares.slice(0, 2)) await vault.generateRootUpdate({ key, nonce: started.nonce });
  const done = await vault.generateRootUpdate({ key: shares[4], nonce: started.nonce });
  t.like(done, { complete: true, progress: 3, required: 3 });
  const newRoot = decodeRootToken(done.encoded_token, started.otp);
  t.regex(newRoot, /^hvs\.[0-9A-Za-z]{24}$/);
  t.false((await dumpEtcd(etcd().endpoint, server.storagePrefix)).includes(newRoot), 'the new root token is not stored in plaintext');

  const fresh = nodeVault({ apiVersion: 'v1', endpoint: server.url, token: newRoot });
  t.deepEqual((await fresh.tokenLookupSelf()).data.policies, ['root']);
  await fresh.tokenRevoke({ token: server.rootToken });
  await refused(t, vault.tokenLookupSelf(), 403, /permission denied/);
  await fresh.mount({ mount_point: 'nv-after', type: 'kv' });

  await vault.generateRootInit({ otp: 'abcdefghijklmnopqrstuvwxyz01' });
  await vault.generateRootCancel();
  t.like(await vault.request({ path: '/sys/generate-root/attempt', method: 'GET' }), { started: false });
});

test('the quorum endpoints answer like Vault before init, while sealed and for other methods', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const storage = `storage "etcd" {\n  address = "${etcd().endpoint}"\n  path = "${uniquePrefix()}"\n}`;
  const server = await startServerProcess(['-config', await writeServerConfig(dir.path, storage)]);
  t.teardown(() => server.stop({ kill: true }));
  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}/v1/${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, json: (await response.json().catch(() => undefined)) as { errors?: string[] } | undefined };
  };

  for (const path of ['sys/rekey/init', 'sys/generate-root/attempt']) {
    t.deepEqual(await send('GET', path), { status: 400, json: { errors: ['server is not yet initialized'] } }, path);
  }
  const vault = nodeVault({ apiVersion: 'v1', endpoint: server.url });
  await vault.init({ secret_shares: 3, secret_threshold: 2 });
  for (const [method, path] of [['GET', 'sys/rekey/init'], ['PUT', 'sys/rekey/update'], ['GET', 'sys/rekey/verify'], ['GET', 'sys/generate-root/attempt'], ['DELETE', 'sys/generate-root/attempt']] as const) {
    t.deepEqual(await send(method, path, method === 'PUT' ? { key: 'x', nonce: 'y' } : undefined), { status: 503, json: { errors: ['Vault is sealed'] } }, `${method} ${path}`);
  }
  for (const [method, path] of [['GET', 'sys/rekey/update'], ['GET', 'sys/generate-root/update'], ['PATCH', 'sys/rekey/init']] as const) {
    t.deepEqual(await send(method, path), { status: 405, json: { errors: [] } }, `${method} ${path}`);
  }
  t.deepEqual(await send('GET', 'sys/rekey-recovery-key/init'), { status: 400, json: { errors: ['recovery rekeying not supported'] } });
});
