import test from 'ava';
import { Etcd3 } from 'etcd3';
import { isSealboxError } from '../../../../src/lib/errors.ts';
import { EtcdBackend } from '../../../../src/server/storage/etcd/etcd-backend.ts';
import { etcdStorageConfig, withEtcd } from '../../../helpers/etcd.ts';
import { bytes } from '../conformance.ts';
import { createTestCertificates } from './test-certificates.ts';

const REQUEST_TIMEOUT_MS = 1000;

test('TLS with client certificates: the right CA and certificate work, anything less fails', async (t) => {
  const certificates = await createTestCertificates();
  t.teardown(() => certificates.remove());
  const tls = { caFile: certificates.caFile, certFile: certificates.serverCertFile, keyFile: certificates.serverKeyFile };
  await withEtcd(async (etcd) => {
    t.regex(etcd.endpoint, /^https:/);
    const config = (overrides: Parameters<typeof etcdStorageConfig>[1]) =>
      etcdStorageConfig(etcd.endpoint, { requestTimeoutMs: REQUEST_TIMEOUT_MS, ...overrides });

    const trusted = await EtcdBackend.create(
      config({ tlsCaFile: certificates.caFile, tlsCertFile: certificates.clientCertFile, tlsKeyFile: certificates.clientKeyFile }),
    );
    t.teardown(() => trusted.close());
    await trusted.put('over/tls', bytes('secret'));
    t.deepEqual(await trusted.get('over/tls'), bytes('secret'));

    const wrongCa = await EtcdBackend.create(
      config({ tlsCaFile: certificates.otherCaFile, tlsCertFile: certificates.clientCertFile, tlsKeyFile: certificates.clientKeyFile }),
    );
    t.teardown(() => wrongCa.close());
    t.true(isSealboxError(await rejection(wrongCa.get('over/tls')), 'storage_unavailable'), 'an untrusted server is refused');

    const noClientCertificate = await EtcdBackend.create(config({ tlsCaFile: certificates.caFile }));
    t.teardown(() => noClientCertificate.close());
    t.true(isSealboxError(await rejection(noClientCertificate.get('over/tls')), 'storage_unavailable'), 'etcd demands a client certificate');
  }, { tls });
});

test('TLS files that are missing or half configured are config_invalid', async (t) => {
  const missing = await rejection(EtcdBackend.create(etcdStorageConfig('https://127.0.0.1:1', { tlsCaFile: '/nonexistent/ca.pem' })));
  t.true(isSealboxError(missing, 'config_invalid'));
  t.regex((missing as Error).message, /tls_ca_file/);
  const half = await rejection(EtcdBackend.create(etcdStorageConfig('https://127.0.0.1:1', { tlsCertFile: '/some/cert.pem' })));
  t.true(isSealboxError(half, 'config_invalid'));
});

test('username and password: the right ones work, a wrong password is storage_unavailable', async (t) => {
  await withEtcd(async (etcd) => {
    await enableAuth(etcd.endpoint, 'root', 'root-password');
    const good = await EtcdBackend.create(
      etcdStorageConfig(etcd.endpoint, { username: 'root', password: 'root-password', requestTimeoutMs: REQUEST_TIMEOUT_MS }),
    );
    t.teardown(() => good.close());
    await good.put('authenticated', bytes('yes'));
    t.deepEqual(await good.get('authenticated'), bytes('yes'));

    const bad = await EtcdBackend.create(
      etcdStorageConfig(etcd.endpoint, { username: 'root', password: 'wrong', requestTimeoutMs: REQUEST_TIMEOUT_MS }),
    );
    t.teardown(() => bad.close());
    const error = await rejection(bad.get('authenticated'));
    t.true(isSealboxError(error, 'storage_unavailable'), String(error));
    t.regex((error as Error).message, /authentication failed/);
    t.false((error as Error).message.includes('wrong'), 'the password stays out of the message');

    const anonymous = await EtcdBackend.create(etcdStorageConfig(etcd.endpoint, { requestTimeoutMs: REQUEST_TIMEOUT_MS }));
    t.teardown(() => anonymous.close());
    const anonymousError = await rejection(anonymous.get('authenticated'));
    t.true(isSealboxError(anonymousError, 'storage_unavailable'), String(anonymousError));
    t.regex((anonymousError as Error).message, /authentication failed/);
  });
});

async function enableAuth(endpoint: string, username: string, password: string): Promise<void> {
  const admin = new Etcd3({ hosts: endpoint });
  try {
    await admin.user(username).create(password);
    await admin.user(username).addRole('root');
    await admin.auth.authEnable();
  } finally {
    admin.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}
