import test from 'ava';
import { Etcd3 } from 'etcd3';
import { readFile } from 'node:fs/promises';
import { startEtcd } from '../../helpers/etcd.ts';
import { startServerProcess, startUnsealedServer, tempDir, writeServerConfig } from '../../helpers/server-process.ts';
import { createTestCertificates } from '../../server/storage/etcd/test-certificates.ts';
import type { TestCertificates } from '../../server/storage/etcd/test-certificates.ts';
import { callApi } from '../helpers/api-server.ts';

test('a server on an etcd that requires client certificates: works with them, refuses to start without', async (t) => {
  const certificates = await createTestCertificates();
  t.teardown(certificates.remove);
  const etcd = await startEtcd({ tls: { caFile: certificates.caFile, certFile: certificates.serverCertFile, keyFile: certificates.serverKeyFile } });
  t.teardown(etcd.stop);
  t.regex(etcd.endpoint, /^https:/);
  const dir = await tempDir();
  t.teardown(dir.remove);

  const storage = (tls: string) => `storage "etcd" {\n  address = "${etcd.endpoint}"\n  path = "/mtls/"\n  request_timeout = "2s"\n${tls}}`;
  const withCertificates = `  tls_ca_file = "${certificates.caFile}"\n  tls_cert_file = "${certificates.clientCertFile}"\n  tls_key_file = "${certificates.clientKeyFile}"\n`;
  const { server, rootToken } = await startUnsealedServer(['-config', await writeServerConfig(dir.path, storage(withCertificates))]);
  t.teardown(() => server.stop({ kill: true }));
  const secret = 'mtls-secret-value-5c1e';
  t.is((await callApi(server, 'POST', 'sys/mounts/kv', { type: 'kv' }, rootToken)).status, 204);
  t.is((await callApi(server, 'PUT', 'kv/app', { password: secret }, rootToken)).status, 204);
  t.is((await callApi(server, 'GET', 'kv/app', undefined, rootToken)).json['data'].password, secret);
  const stored = await dumpEtcdOverTls(etcd.endpoint, certificates);
  t.true(stored.length > 0);
  t.false(stored.includes(secret));

  const withoutClientCertificate = await writeServerConfig(dir.path, storage(`  tls_ca_file = "${certificates.caFile}"\n`));
  const refused = await startServerProcess(['-config', withoutClientCertificate]).then(
    async (started) => {
      await started.stop({ kill: true });
      return 'started';
    },
    (error: Error) => error.message,
  );
  t.regex(refused, /exited with 1 before listening/);
  t.regex(refused, /storage unavailable/);
});

/** Every stored key and value, read with the client certificate the server uses. */
async function dumpEtcdOverTls(endpoint: string, certificates: TestCertificates): Promise<Buffer> {
  const client = new Etcd3({
    hosts: endpoint,
    credentials: {
      rootCertificate: await readFile(certificates.caFile),
      certChain: await readFile(certificates.clientCertFile),
      privateKey: await readFile(certificates.clientKeyFile),
    },
  });
  try {
    const entries = await client.getAll().prefix('/mtls/').buffers();
    return Buffer.concat(Object.entries(entries).flatMap(([key, value]) => [Buffer.from(key), value]));
  } finally {
    client.close();
  }
}
