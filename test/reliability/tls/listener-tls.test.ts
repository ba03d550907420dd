import test from 'ava';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';
import tls from 'node:tls';
import { setTimeout as delay } from 'node:timers/promises';
import { startEtcd } from '../../helpers/etcd.ts';
import { freePort } from '../../helpers/free-port.ts';
import { activeNode, callNode } from '../../helpers/ha-cluster.ts';
import { startServerProcess, startUnsealedServer, tempDir, writeServerConfig } from '../../helpers/server-process.ts';
import { createTestCertificates } from '../../server/storage/etcd/test-certificates.ts';
import type { TestCertificates } from '../../server/storage/etcd/test-certificates.ts';

const POLLS = 100;
const POLL_MS = 100;

interface Handshake {
  readonly protocol?: string | null;
  readonly fingerprint?: string;
  readonly error?: string;
}

/** One TLS handshake with the listener; what was agreed, or why it failed. */
function handshake(port: number, options: tls.ConnectionOptions = {}): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      resolve({ protocol: socket.getProtocol(), fingerprint: socket.getPeerCertificate().fingerprint256 });
      socket.destroy();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve({ error: `${error.code ?? ''} ${error.message}` }));
  });
}

// A client that offers only old protocols; SECLEVEL=0 so that it is the server that refuses.
const OLD_CLIENT: tls.ConnectionOptions = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' };
const SERVER_REFUSED = /protocol version|unsupported protocol/i;

async function tlsServer(t: import('ava').ExecutionContext, certificates: TestCertificates, listenerExtra = '') {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const cert = join(dir.path, 'server.crt');
  const key = join(dir.path, 'server.key');
  await copyFile(certificates.serverCertFile, cert);
  await copyFile(certificates.serverKeyFile, key);
  const listener = `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_cert_file = "${cert}"\n  tls_key_file = "${key}"\n  ${listenerExtra}\n}\n`;
  const config = await writeServerConfig(dir.path, `storage "file" {\n  path = "${dir.path}/data"\n}`, listener);
  const started = await startUnsealedServer(['-config', config]);
  t.teardown(() => started.server.stop({ kill: true }));
  const line = started.server.output().split('\n').find((entry) => entry.includes('"msg":"listening"') && entry.includes('"tls":true'));
  const port = Number(/"address":"https:\/\/127\.0\.0\.1:(\d+)"/.exec(line ?? '')?.[1]);
  return { ...started, port, cert, key };
}

test('TLS listeners refuse TLS 1.0 and 1.1; tls_min_version = "tls13" refuses 1.2 too', async (t) => {
  const certificates = await createTestCertificates();
  t.teardown(certificates.remove);
  const standard = await tlsServer(t, certificates);
  t.regex((await handshake(standard.port, OLD_CLIENT)).error ?? '', SERVER_REFUSED);
  t.is((await handshake(standard.port, { maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2');
  t.is((await handshake(standard.port)).protocol, 'TLSv1.3');

  const strict = await tlsServer(t, certificates, 'tls_min_version = "tls13"');
  t.regex((await handshake(strict.port, { maxVersion: 'TLSv1.2' })).error ?? '', SERVER_REFUSED);
  t.is((await handshake(strict.port)).protocol, 'TLSv1.3');
});

test('SIGHUP makes TLS listeners load a new certificate; unreadable files keep the current one', async (t) => {
  const first = await createTestCertificates();
  const second = await createTestCertificates();
  t.teardown(first.remove);
  t.teardown(second.remove);
  const { server, port, cert, key } = await tlsServer(t, first);
  const before = (await handshake(port)).fingerprint;
  t.truthy(before);

  await copyFile(second.serverCertFile, cert);
  await copyFile(second.serverKeyFile, key);
  t.is((await handshake(port)).fingerprint, before, 'nothing changes before the signal');
  server.child.kill('SIGHUP');
  const after = await eventually(async () => {
    const seen = (await handshake(port)).fingerprint;
    return seen !== before ? seen : undefined;
  });
  t.not(after, before);
  t.true(server.output().includes('reloaded the listener certificate'));

  await writeFile(cert, 'not a certificate');
  server.child.kill('SIGHUP');
  await eventually(async () => (server.output().includes('could not reload the listener certificate') ? true : undefined));
  t.is((await handshake(port)).fingerprint, after, 'a broken file leaves the loaded certificate in place');
  t.is(server.child.exitCode, null);
});

async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < POLLS; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await delay(POLL_MS);
  }
  throw new Error('the condition did not hold in time');
}

/** GET over HTTPS trusting `ca`; status and body, or the transport error. */
function httpsGet(url: string, token: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ca, headers: { 'X-Vault-Token': token }, timeout: 10_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

test('a standby forwards over TLS to the active node, also after both reload certificates from a new CA', async (t) => {
  const first = await createTestCertificates();
  const second = await createTestCertificates();
  t.teardown(first.remove);
  t.teardown(second.remove);
  const etcd = await startEtcd();
  t.teardown(etcd.stop);
  // Certificate files hold the chain (server certificate, then its CA), as deployments usually have them.
  const chain = async (certificates: TestCertificates) => Buffer.concat([await readFile(certificates.serverCertFile), await readFile(certificates.caFile)]);
  const nodes = [];
  for (let i = 0; i < 2; i++) {
    const dir = await tempDir();
    t.teardown(dir.remove);
    const cert = join(dir.path, 'server.crt');
    const key = join(dir.path, 'server.key');
    await writeFile(cert, await chain(first));
    await copyFile(first.serverKeyFile, key);
    const port = await freePort();
    const extra = `listener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_cert_file = "${cert}"\n  tls_key_file = "${key}"\n}\napi_addr = "https://127.0.0.1:${port}"\n`;
    const storage = `storage "etcd" {\n  address = "${etcd.endpoint}"\n  path = "/tls-ha/"\n  ha_enabled = "true"\n  lock_timeout = "2s"\n}`;
    const server = await startServerProcess(['-config', await writeServerConfig(dir.path, storage, extra)]);
    t.teardown(() => server.stop({ kill: true }));
    nodes.push({ server, cert, key, base: `https://127.0.0.1:${port}` });
  }
  const init = await callNode(nodes[0]!.server, 'PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
  const rootToken = init.json!['root_token'] as string;
  for (const node of nodes) await callNode(node.server, 'PUT', 'sys/unseal', { key: (init.json!['keys'] as string[])[0] });
  const active = await activeNode(nodes.map((node) => node.server));
  const standby = nodes.find((node) => node.server !== active)!;
  const firstCa = await readFile(first.caFile);
  t.is((await httpsGet(`${standby.base}/v1/sys/mounts`, rootToken, firstCa)).status, 200, 'forwarded over TLS');

  for (const node of nodes) {
    await writeFile(node.cert, await chain(second));
    await copyFile(second.serverKeyFile, node.key);
    node.server.child.kill('SIGHUP');
  }
  const secondCa = await readFile(second.caFile);
  for (const node of nodes) {
    await eventually(async () => ((await httpsGet(`${node.base}/v1/sys/health?standbyok=true`, '', secondCa).catch(() => undefined))?.status === 200 ? true : undefined));
  }
  // A step-down swaps the roles, so the new standby opens a connection it never had: its handshake
  // meets the new certificate (a connection kept alive from before would hide the trust it uses).
  t.is((await callNode(active, 'PUT', 'sys/step-down', undefined, { 'X-Vault-Token': rootToken })).status, 204);
  const newActive = await activeNode([standby.server]);
  const newStandby = nodes.find((node) => node.server !== newActive)!;
  t.is(newStandby.server, active);
  const forwarded = await httpsGet(`${newStandby.base}/v1/sys/mounts`, rootToken, secondCa);
  t.is(forwarded.status, 200, `forwarded after the reload: ${forwarded.body}`);
});
