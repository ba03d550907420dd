import test from 'ava';
import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { startEtcd } from '../helpers/etcd.ts';
import { startUnsealedServer, tempDir, writeServerConfig } from '../helpers/server-process.ts';
import { dumpEtcd, dumpFiles } from '../helpers/storage-dump.ts';

const marker = (label: string) => `${label}-${randomBytes(16).toString('hex')}`;

/**
 * Writes secrets through every feature that stores something, then reads every stored byte and
 * looks for each of them: the barrier must have encrypted them all.
 */
async function scan(t: ExecutionContext, storageBlock: string, dump: () => Promise<Buffer>, dir: string) {
  const config = await writeServerConfig(dir, storageBlock);
  const { server, rootToken, unsealKeys } = await startUnsealedServer(['-config', config]);
  t.teardown(() => server.stop({ kill: true }));
  const secrets: string[] = [rootToken, ...unsealKeys];
  const call = async (method: string, path: string, body?: unknown, token = rootToken) => {
    const response = await fetch(`${server.url}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': token },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    t.true(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return text === '' ? {} : (JSON.parse(text) as { data?: Record<string, string>; auth?: { client_token: string; accessor: string } });
  };
  const kv2 = marker('kv2-value');
  const kv1 = marker('kv1-value');
  const custom = marker('custom-metadata');
  const cubby = marker('cubbyhole-value');
  const password = marker('userpass-password');
  const policyBody = marker('policy-body');
  secrets.push(kv2, kv1, custom, cubby, password, policyBody);

  await call('POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } });
  await call('POST', 'sys/mounts/kv1', { type: 'kv' });
  await call('POST', 'kv/data/app', { data: { password: kv2 } });
  await call('POST', 'kv/metadata/app', { custom_metadata: { owner: custom } });
  await call('POST', 'kv1/app', { password: kv1 });
  await call('POST', 'cubbyhole/mine', { value: cubby });
  await call('POST', 'sys/policies/acl/scan', { policy: `path "kv/data/${policyBody}" { capabilities = ["read"] }` });
  const child = await call('POST', 'auth/token/create', { policies: ['scan'], ttl: '1h' });
  secrets.push(child.auth!.client_token, child.auth!.accessor);
  await call('POST', 'sys/auth/userpass', { type: 'userpass' });
  await call('POST', 'auth/userpass/users/alice', { password });
  const login = await call('POST', 'auth/userpass/login/alice', { password }, '');
  secrets.push(login.auth!.client_token);
  await call('POST', 'sys/auth/approle', { type: 'approle' });
  await call('POST', 'auth/approle/role/ci', {});
  const roleId = (await call('GET', 'auth/approle/role/ci/role-id')).data!['role_id']!;
  const secretId = (await call('POST', 'auth/approle/role/ci/secret-id')).data!['secret_id']!;
  const approle = await call('POST', 'auth/approle/login', { role_id: roleId, secret_id: secretId }, '');
  secrets.push(secretId, approle.auth!.client_token);

  const stored = await dump();
  t.true(stored.length > 1000, 'the dump holds the stored entries');
  for (const secret of secrets) t.false(stored.includes(secret), `${secret.slice(0, 24)}… is stored in plaintext`);
}

test('nothing written through the API is stored in plaintext on file storage', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  await scan(t, `storage "file" {\n  path = "${dir.path}/data"\n}`, () => dumpFiles(`${dir.path}/data`), dir.path);
});

test('nothing written through the API is stored in plaintext on etcd', async (t) => {
  const dir = await tempDir();
  const etcd = await startEtcd();
  t.teardown(async () => {
    await etcd.stop();
    await dir.remove();
  });
  await scan(t, `storage "etcd" {\n  address = "${etcd.endpoint}"\n  path = "/scan/"\n}`, () => dumpEtcd(etcd.endpoint, '/scan/'), dir.path);
});
