import test from 'ava';
import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeRootToken } from '../../src/cli/root-token-otp.ts';
import { startEtcd } from '../helpers/etcd.ts';
import { startUnsealedServer, tempDir, writeServerConfig } from '../helpers/server-process.ts';
import { dumpEtcd, dumpFiles } from '../helpers/storage-dump.ts';

const marker = (label: string) => `${label}-${randomBytes(16).toString('hex')}`;

type Json = Record<string, any>;

/**
 * Uses every feature that stores, logs or audits something, then reads every stored byte, every
 * server log line and every audit line, and looks for each secret, token, key share and root
 * token in plaintext: the barrier must have encrypted them and the audit device hashed them.
 */
async function scan(t: ExecutionContext, storageBlock: string, dump: () => Promise<Buffer>, dir: string) {
  const config = await writeServerConfig(dir, storageBlock);
  const { server, rootToken, unsealKeys } = await startUnsealedServer(['-config', config]);
  t.teardown(() => server.stop({ kill: true }));
  const secrets: string[] = [rootToken, ...unsealKeys, ...unsealKeys.map((key) => Buffer.from(key, 'hex').toString('base64'))];
  const call = async (method: string, path: string, body?: unknown, token = rootToken): Promise<Json> => {
    const response = await fetch(`${server.url}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': token },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    t.true(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return text === '' ? {} : (JSON.parse(text) as Json);
  };
  const auditLog = join(dir, 'audit.log');
  await call('PUT', 'sys/audit/file', { type: 'file', options: { file_path: auditLog } });

  const kv2 = marker('kv2-value');
  const kv2Patched = marker('kv2-patched');
  const kv1 = marker('kv1-value');
  const custom = marker('custom-metadata');
  const cubby = marker('cubbyhole-value');
  const password = marker('userpass-password');
  const policyBody = marker('policy-body');
  const reviewerJwt = marker('token-reviewer-jwt');
  // Token metadata is shown in audit entries as in Vault (it names, it does not authenticate): storage only.
  const tokenMeta = marker('token-meta');
  secrets.push(kv2, kv2Patched, kv1, custom, cubby, password, policyBody, reviewerJwt);

  await call('POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } });
  await call('POST', 'sys/mounts/kv1', { type: 'kv' });
  await call('POST', 'kv/data/app', { data: { password: kv2 } });
  const patched = await fetch(`${server.url}/v1/kv/data/app`, {
    method: 'PATCH',
    headers: { 'X-Vault-Token': rootToken, 'Content-Type': 'application/merge-patch+json' },
    body: JSON.stringify({ data: { patched: kv2Patched } }),
  });
  t.is(patched.status, 200);
  await call('POST', 'kv/metadata/app', { custom_metadata: { owner: custom } });
  await call('GET', 'kv/data/app');
  await call('POST', 'kv1/app', { password: kv1 });
  await call('GET', 'kv1/app');
  await call('POST', 'cubbyhole/mine', { value: cubby });
  await call('GET', 'cubbyhole/mine');
  await call('POST', 'sys/policies/acl/scan', { policy: `path "kv/data/${policyBody}" { capabilities = ["read"] }` });
  const child = await call('POST', 'auth/token/create', { policies: ['scan'], ttl: '1h', meta: { note: tokenMeta } });
  secrets.push(child['auth'].client_token, child['auth'].accessor);
  await call('POST', 'auth/token/lookup', { token: child['auth'].client_token });
  await call('POST', 'auth/token/renew', { token: child['auth'].client_token });
  await call('POST', 'auth/token/roles/scan-role', { allowed_policies: ['scan'] });
  const fromRole = await call('POST', 'auth/token/create/scan-role', {});
  secrets.push(fromRole['auth'].client_token, fromRole['auth'].accessor);
  await call('POST', 'auth/token/revoke-accessor', { accessor: fromRole['auth'].accessor });

  await call('POST', 'sys/auth/userpass', { type: 'userpass' });
  await call('POST', 'auth/userpass/users/alice', { password });
  const login = await call('POST', 'auth/userpass/login/alice', { password }, '');
  secrets.push(login['auth'].client_token, login['auth'].accessor);
  await call('POST', 'sys/auth/approle', { type: 'approle' });
  await call('POST', 'auth/approle/role/ci', {});
  const roleId = (await call('GET', 'auth/approle/role/ci/role-id'))['data']['role_id'] as string;
  const issued = (await call('POST', 'auth/approle/role/ci/secret-id'))['data'];
  const approle = await call('POST', 'auth/approle/login', { role_id: roleId, secret_id: issued.secret_id }, '');
  secrets.push(roleId, issued.secret_id, issued.secret_id_accessor, approle['auth'].client_token);
  await call('POST', 'sys/auth/kubernetes', { type: 'kubernetes' });
  await call('POST', 'auth/kubernetes/config', { kubernetes_host: 'https://127.0.0.1:6443', token_reviewer_jwt: reviewerJwt });

  await call('PUT', 'sys/rotate');
  const hashed = await call('POST', 'sys/audit-hash/file', { input: kv2 });
  t.regex(hashed['hash'], /^hmac-sha256:/);

  // Root token generation: the OTP, the encoded token and the new root token.
  const attempt = await call('PUT', 'sys/generate-root/attempt', {});
  const generated = await call('PUT', 'sys/generate-root/update', { key: unsealKeys[0], nonce: attempt['nonce'] });
  const newRoot = decodeRootToken(generated['encoded_token'], attempt['otp'], attempt['otp_length']);
  t.is((await call('GET', 'auth/token/lookup-self', undefined, newRoot))['data'].policies[0], 'root');
  secrets.push(attempt['otp'], generated['encoded_token'], newRoot);

  // Rekey: the new key shares, in both encodings.
  const rekey = await call('PUT', 'sys/rekey/init', { secret_shares: 3, secret_threshold: 2 });
  const rekeyed = await call('PUT', 'sys/rekey/update', { key: unsealKeys[0], nonce: rekey['nonce'] });
  t.is(rekeyed['keys'].length, 3);
  secrets.push(...rekeyed['keys'], ...rekeyed['keys_base64']);

  const stored = await dump();
  const audit = await readFile(auditLog, 'utf8');
  const logs = server.output();
  t.true(stored.length > 1000, 'the dump holds the stored entries');
  t.true(audit.split('\n').length > 40, 'the audit log holds the requests');
  t.true(logs.includes('"msg":"unsealed"'), 'the log holds the server lines');
  t.false(stored.includes(tokenMeta), 'token metadata is stored encrypted');
  for (const secret of secrets) {
    t.false(stored.includes(secret), `${secret.slice(0, 24)}… is stored in plaintext`);
    t.false(audit.includes(secret), `${secret.slice(0, 24)}… is in an audit line`);
    t.false(logs.includes(secret), `${secret.slice(0, 24)}… is in a log line`);
  }
}

test('nothing written through the API is in plaintext on file storage, in audit lines or in logs', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  await scan(t, `storage "file" {\n  path = "${dir.path}/data"\n}`, () => dumpFiles(`${dir.path}/data`), dir.path);
});

test('nothing written through the API is in plaintext on etcd, in audit lines or in logs', async (t) => {
  const dir = await tempDir();
  const etcd = await startEtcd();
  t.teardown(async () => {
    await etcd.stop();
    await dir.remove();
  });
  await scan(t, `storage "etcd" {\n  address = "${etcd.endpoint}"\n  path = "/scan/"\n}`, () => dumpEtcd(etcd.endpoint, '/scan/'), dir.path);
});
