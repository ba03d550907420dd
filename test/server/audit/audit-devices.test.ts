import test from 'ava';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import nodeVault from 'node-vault';
import type { AuditEntry } from './audit-harness.ts';
import { entriesBetween, readEntries, secretsIn, startAuditedServer, startLineListener } from './audit-harness.ts';
import { verifyChain } from '../../../src/server/audit/chain-verifier.ts';
import { readFile } from 'node:fs/promises';

const marker = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

test('file and socket devices record a request and a response entry for every request, in order, with secrets hashed as sys/audit-hash computes them', async (t) => {
  const collector = await startLineListener();
  const audited = await startAuditedServer();
  t.teardown(async () => {
    await audited.server.stop({ kill: true });
    await collector.close();
    await audited.dir.remove();
  });
  const { call, rootToken } = audited;
  const logPath = join(audited.dir.path, 'audit', 'vault-audit.log');
  t.is((await call('PUT', 'sys/audit/file', { type: 'file', options: { file_path: logPath } })).status, 204);
  t.is((await call('PUT', 'sys/audit/sock', { type: 'socket', options: { address: collector.address } })).status, 204);

  const secret = marker('kv-secret');
  const password = marker('userpass-password');
  const vault = nodeVault({ apiVersion: 'v1', endpoint: audited.server.url, token: rootToken });
  t.is((await call('PUT', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } })).status, 204);
  await vault.write('kv/data/app', { data: { password: secret, port: 5432 } });
  const read = await vault.read('kv/data/app');
  t.is(read.data.data.password, secret);
  const created = await call('POST', 'auth/token/create', { policies: ['default'], ttl: '1h' });
  const child = created.body['auth'] as { client_token: string; accessor: string };
  const lookup = await call('GET', 'auth/token/lookup-self', undefined, child.client_token);
  t.is(lookup.status, 200);
  t.is((await call('LIST', 'kv/metadata/')).status, 200);
  const listed = await vault.list('kv/metadata');
  t.deepEqual(listed.data.keys, ['app']);
  t.is((await call('POST', 'sys/auth/userpass', { type: 'userpass' })).status, 204);
  t.is((await call('POST', 'auth/userpass/users/alice', { password, policies: 'default' })).status, 204);
  const login = await call('POST', 'auth/userpass/login/alice', { password }, '');
  const loginToken = (login.body['auth'] as { client_token: string }).client_token;
  const denied = await call('GET', 'kv/data/app', undefined, child.client_token);
  t.is(denied.status, 403);

  const expected: [AuditEntry['type'], string][] = [
    ['request', 'sys/mounts/kv'], ['response', 'sys/mounts/kv'],
    ['request', 'kv/data/app'], ['response', 'kv/data/app'],
    ['request', 'kv/data/app'], ['response', 'kv/data/app'],
    ['request', 'auth/token/create'], ['response', 'auth/token/create'],
    ['request', 'auth/token/lookup-self'], ['response', 'auth/token/lookup-self'],
    ['request', 'kv/metadata/'], ['response', 'kv/metadata/'],
    ['request', 'kv/metadata/'], ['response', 'kv/metadata/'],
    ['request', 'sys/auth/userpass'], ['response', 'sys/auth/userpass'],
    ['request', 'auth/userpass/users/alice'], ['response', 'auth/userpass/users/alice'],
    ['request', 'auth/userpass/login/alice'], ['response', 'auth/userpass/login/alice'],
    // A refused request is logged once, with its error, as in Vault.
    ['request', 'kv/data/app'],
  ];
  // Waits for the socket to deliver the last entry before the hashes are asked for.
  await collector.waitFor('the refused read', (entry) => entry.error === 'permission denied');

  for (const device of ['file', 'sock'] as const) {
    const all = device === 'file' ? await readEntries(logPath) : collector.entries();
    const entries = entriesBetween(all, 'sys/audit/sock', 'sys/audit-hash');
    t.deepEqual(entries.map((entry) => [entry.type, entry.request.path]), expected, `${device}: one entry per step, in order`);
    for (let i = 0; i + 1 < expected.length; i += 2) {
      t.is(entries[i]!.request.id, entries[i + 1]!.request.id, `${device}: request and response of ${expected[i]![1]} share the request id`);
    }
    const hash = (input: string) => audited.auditHash(device, input);
    const rootHash = await hash(rootToken);
    t.is(entries[0]!.auth!['client_token'], rootHash);
    t.is(entries[0]!.request.client_token, rootHash);
    const [, , write, writeResponse, readRequest, readResponse, , createResponse, , lookupResponse, , , , listResponse] = entries;
    t.is((write!.request.data!['data'] as Record<string, unknown>)['password'], await hash(secret));
    t.is((write!.request.data!['data'] as Record<string, unknown>)['port'], await hash('5432'), 'request numbers are hashed, as json.Number in Vault');
    t.is(write!.request.operation, 'create');
    t.is(writeResponse!.response!.data!['version'], 1, 'response numbers stay numbers');
    t.is(readRequest!.request.operation, 'read');
    t.deepEqual(readResponse!.response!.data!['data'], { password: await hash(secret), port: 5432 });
    t.is(readResponse!.request.id, read.request_id);
    t.is(createResponse!.response!.auth!['client_token'], await hash(child.client_token));
    t.is(createResponse!.response!.auth!['accessor'], await hash(child.accessor));
    t.is(lookupResponse!.auth!['client_token'], await hash(child.client_token));
    t.is(lookupResponse!.request['client_token_accessor'], await hash(child.accessor));
    t.is(lookupResponse!.response!.data!['id'], await hash(child.client_token));
    t.deepEqual(listResponse!.response!.data!['keys'], [await hash('app')]);
    const userCreate = entries[16]!;
    const loginRequest = entries[18]!;
    const loginResponse = entries[19]!;
    t.is(userCreate.request.data!['password'], await hash(password));
    t.is(loginRequest.request.data!['password'], await hash(password));
    t.deepEqual(loginRequest.auth, { token_type: 'default' }, 'a login has no caller');
    t.is(loginResponse.response!.auth!['client_token'], await hash(loginToken));
    const refused = entries[20]!;
    t.is(refused.error, 'permission denied');
    t.deepEqual(refused.auth!['policy_results'], { allowed: false });
    t.like(refused.request, { mount_point: 'kv/', mount_type: 'kv', mount_class: 'secret', namespace: { id: 'root' }, remote_address: '127.0.0.1' });
    t.true(typeof refused.request['remote_port'] === 'number');
  }
  t.not(await audited.auditHash('file', rootToken), await audited.auditHash('sock', rootToken), 'each device has its own salt');

  const chainKey = (await call('GET', 'sys/audit/file/chain-key')).body.data!['chain_key'] as string;
  const fileText = await readFile(logPath, 'utf8');
  const lines = fileText.split('\n').filter((line) => line !== '').map((text, index) => ({ source: 'file', number: index + 1, text }));
  t.true(verifyChain(lines, Buffer.from(chainKey, 'hex')).intact);

  const secrets = [rootToken, ...audited.unsealKeys, secret, password, child.client_token, child.accessor, loginToken, chainKey];
  t.deepEqual(secretsIn({ 'audit file': fileText, 'socket stream': collector.text(), 'server output': audited.server.output() }, secrets), []);
});

test('sys/seal is audited before it is authorized: a refused and an accepted seal each leave a request entry', async (t) => {
  const audited = await startAuditedServer();
  t.teardown(async () => {
    await audited.server.stop({ kill: true });
    await audited.dir.remove();
  });
  const { call, rootToken } = audited;
  const logPath = join(audited.dir.path, 'audit', 'vault-audit.log');
  t.is((await call('PUT', 'sys/audit/file', { type: 'file', options: { file_path: logPath } })).status, 204);
  const created = await call('POST', 'auth/token/create', { policies: ['default'], ttl: '1h' });
  const plain = (created.body['auth'] as { client_token: string }).client_token;
  // Asked before sealing: the device's salt is behind the barrier.
  const hashes = [await audited.auditHash('file', plain), await audited.auditHash('file', rootToken)];

  t.is((await call('PUT', 'sys/seal', undefined, plain)).status, 403);
  t.is((await call('PUT', 'sys/seal')).status, 204);
  t.is((await call('GET', 'sys/seal-status', undefined, '')).body['sealed'], true);

  const seals = (await readEntries(logPath)).filter((entry) => entry.request.path === 'sys/seal');
  t.deepEqual(seals.map((entry) => [entry.type, entry.request.operation]), [['request', 'update'], ['request', 'update']]);
  t.deepEqual(seals.map((entry) => entry.auth?.['client_token']), hashes);
  t.deepEqual(seals.map((entry) => entry.auth?.['policies']), [['default'], ['root']]);
  const text = await readFile(logPath, 'utf8');
  t.false(text.includes(rootToken) || text.includes(plain), 'tokens appear only as HMACs');
});
