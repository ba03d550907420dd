import test from 'ava';
import type { ExecutionContext } from 'ava';
import { X509Certificate } from 'node:crypto';
import type { ErrorCode } from '../../../../src/lib/errors.ts';
import { SealboxError } from '../../../../src/lib/errors.ts';
import { matchesPathList } from '../../../../src/server/logical/path-patterns.ts';
import { kubernetesBackendFactory } from '../../../../src/server/auth/kubernetes/kubernetes-backend.ts';
import { MountedBackend } from '../auth-backend-harness.ts';
import { makeSigningKey } from './service-account-tokens.ts';
import type { TestPki } from './test-ca.ts';
import { makeTestPki } from './test-ca.ts';

let pki: TestPki;

test.before(async () => {
  pki = await makeTestPki();
});

function mountKubernetes(): Promise<MountedBackend> {
  return MountedBackend.create(kubernetesBackendFactory({ serviceAccountDir: '/nonexistent/sealbox-test' }), 'kubernetes');
}

async function rejects(t: ExecutionContext, promise: Promise<unknown>, code: ErrorCode, message: string): Promise<void> {
  const error = await t.throwsAsync(promise, { instanceOf: SealboxError, message });
  t.is(error?.code, code);
}

test('login needs no token, config and roles do', async (t) => {
  const { backend } = await mountKubernetes();
  t.true(matchesPathList('login', backend.unauthenticatedPaths));
  t.false(matchesPathList('config', backend.unauthenticatedPaths));
  t.false(matchesPathList('role/app', backend.unauthenticatedPaths));
});

test('config reads back everything but the reviewer JWT, which shows only as set', async (t) => {
  const mounted = await mountKubernetes();
  t.is(await mounted.read('config'), undefined);
  const reviewer = 'reviewer.jwt.that-must-never-be-read-back';
  const key = makeSigningKey('ES256');
  const certificate = new X509Certificate(pki.caCert).toString();
  await mounted.write('config', {
    kubernetes_host: 'https://10.0.0.1:443',
    kubernetes_ca_cert: pki.caCert,
    token_reviewer_jwt: reviewer,
    pem_keys: [key.publicPem, certificate],
  });
  const read = await mounted.read('config');
  t.deepEqual(read?.data, {
    kubernetes_host: 'https://10.0.0.1:443',
    kubernetes_ca_cert: pki.caCert,
    // List items are trimmed, as Vault's comma-string-slice fields are.
    pem_keys: [key.publicPem.trim(), certificate.trim()],
    issuer: '',
    disable_iss_validation: true,
    disable_local_ca_jwt: false,
    token_reviewer_jwt_set: true,
  });
  t.false(JSON.stringify(read).includes(reviewer));
  t.false((await mounted.rawDump()).includes(reviewer));
});

test('a config write replaces the whole config', async (t) => {
  const mounted = await mountKubernetes();
  await mounted.write('config', { kubernetes_host: 'https://a:6443', token_reviewer_jwt: 'r', disable_local_ca_jwt: true, issuer: 'x', disable_iss_validation: false });
  await mounted.write('config', { kubernetes_host: 'b:6443' });
  t.deepEqual((await mounted.read('config'))?.data, {
    kubernetes_host: 'b:6443',
    kubernetes_ca_cert: '',
    pem_keys: [],
    issuer: '',
    disable_iss_validation: true,
    disable_local_ca_jwt: false,
    token_reviewer_jwt_set: false,
  });
});

test('config writes are validated', async (t) => {
  const mounted = await mountKubernetes();
  await rejects(t, mounted.write('config', {}), 'invalid_request', 'no host provided');
  await rejects(t, mounted.write('config', { kubernetes_host: 'ftp://x' }), 'invalid_request', 'invalid kubernetes_host "ftp://x": expected a URL, host:port or host');
  await rejects(t, mounted.write('config', { kubernetes_host: 'https://x', kubernetes_ca_cert: 'not a pem' }), 'invalid_request',
    'The provided CA PEM data contains no valid certificates');
  await rejects(t, mounted.write('config', { kubernetes_host: 'https://x', pem_keys: ['garbage'] }), 'invalid_request',
    'data does not contain any valid RSA or ECDSA public keys');
  const privateKey = makeSigningKey('ES256').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await rejects(t, mounted.write('config', { kubernetes_host: 'https://x', pem_keys: [privateKey] }), 'invalid_request',
    'data does not contain any valid RSA or ECDSA public keys');
  t.is(await mounted.read('config'), undefined);
});

test('a role reads back its bindings, token fields and legacy names', async (t) => {
  const mounted = await mountKubernetes();
  await mounted.write('role/App', {
    bound_service_account_names: 'web, worker-*',
    bound_service_account_namespaces: 'prod',
    audience: 'vault',
    policies: 'read',
    ttl: '1h',
    num_uses: 2,
  });
  t.deepEqual((await mounted.read('role/app'))?.data, {
    bound_service_account_names: ['web', 'worker-*'],
    bound_service_account_namespaces: ['prod'],
    bound_service_account_namespace_selector: '',
    audience: 'vault',
    token_bound_cidrs: [],
    token_explicit_max_ttl: 0,
    token_max_ttl: 0,
    token_no_default_policy: false,
    token_num_uses: 2,
    token_period: 0,
    token_policies: ['read'],
    token_ttl: 3600,
    token_type: 'default',
    policies: ['read'],
    ttl: 3600,
    num_uses: 2,
    alias_name_source: 'serviceaccount_uid',
  });
  t.deepEqual((await mounted.list('role'))?.data, { keys: ['app'] });
});

test('a role update keeps the bindings it does not name', async (t) => {
  const mounted = await mountKubernetes();
  await mounted.write('role/app', { bound_service_account_names: 'web', bound_service_account_namespaces: '*' });
  await mounted.write('role/app', { token_policies: 'p', alias_name_source: 'serviceaccount_name' });
  const data = (await mounted.read('role/app'))?.data ?? {};
  t.deepEqual(data['bound_service_account_names'], ['web']);
  t.deepEqual(data['bound_service_account_namespaces'], ['*']);
  t.deepEqual(data['token_policies'], ['p']);
  t.is(data['alias_name_source'], 'serviceaccount_name');
  t.false('audience' in data);
});

test('role writes are validated with Vault messages', async (t) => {
  const mounted = await mountKubernetes();
  await rejects(t, mounted.write('role/app', { bound_service_account_namespaces: 'x' }), 'invalid_request', '"bound_service_account_names" can not be empty');
  await rejects(t, mounted.write('role/app', { bound_service_account_names: 'web' }), 'invalid_request',
    '"bound_service_account_namespaces" can not be empty if "bound_service_account_namespace_selector" is not set');
  await rejects(t, mounted.write('role/app', { bound_service_account_names: '*, web', bound_service_account_namespaces: 'x' }), 'invalid_request', 'can not mix "*" with values');
  await rejects(t, mounted.write('role/app', { bound_service_account_names: 'web', bound_service_account_namespaces: '*,x' }), 'invalid_request', 'can not mix "*" with values');
  await rejects(t, mounted.write('role/app', { bound_service_account_names: 'web', bound_service_account_namespace_selector: '{"matchLabels":{"a":"b"}}' }), 'invalid_request',
    '"bound_service_account_namespace_selector" is not supported; use "bound_service_account_namespaces"');
  await rejects(t, mounted.write('role/app', { bound_service_account_names: 'web', bound_service_account_namespaces: 'x', alias_name_source: 'pod' }), 'invalid_request',
    'invalid alias_name_source, must be one of: serviceaccount_uid, serviceaccount_name');
  await rejects(t, mounted.write('role/app', { bound_service_account_names: 'web', bound_service_account_namespaces: 'x', token_ttl: 10, token_max_ttl: 5 }), 'invalid_request',
    "'token_ttl' cannot be greater than 'token_max_ttl'");
  t.is(await mounted.read('role/app'), undefined);
});

test('a deleted role is gone', async (t) => {
  const mounted = await mountKubernetes();
  await mounted.write('role/app', { bound_service_account_names: 'web', bound_service_account_namespaces: 'x' });
  t.is(await mounted.delete('role/APP'), undefined);
  t.is(await mounted.read('role/app'), undefined);
  t.deepEqual((await mounted.list('role'))?.data, { keys: [] });
});

test('unknown paths are 404 and wrong operations 405', async (t) => {
  const mounted = await mountKubernetes();
  await rejects(t, mounted.read('nothing'), 'unsupported_path', 'unsupported path');
  await rejects(t, mounted.read('login'), 'unsupported_operation', 'unsupported operation');
  await rejects(t, mounted.delete('config'), 'unsupported_operation', 'unsupported operation');
});
