import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { startServerProcess, tempDir } from '../helpers/server-process.ts';
import { makeSelfSignedCert } from '../server/http/self-signed-cert.ts';
import { runCli, tableValue } from './run-cli.ts';

test('VAULT_CACERT makes the CLI trust the server certificate; without it the connection is refused', async (t) => {
  const dir = await tempDir();
  const { cert, key } = await makeSelfSignedCert();
  const certFile = join(dir.path, 'server.pem');
  const keyFile = join(dir.path, 'server-key.pem');
  await writeFile(certFile, cert);
  await writeFile(keyFile, key);
  const config = join(dir.path, 'server.hcl');
  await writeFile(
    config,
    `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_cert_file = "${certFile}"\n  tls_key_file = "${keyFile}"\n}\nstorage "inmem" {}\ndisable_mlock = true\n`,
  );
  const server = await startServerProcess(['-config', config]);
  t.teardown(async () => {
    await server.stop();
    await dir.remove();
  });
  t.true(server.url.startsWith('https://'));

  const trusted = await runCli(['status'], { env: { VAULT_ADDR: server.url, VAULT_CACERT: certFile } });
  t.is(trusted.code, 2, trusted.stderr);
  t.is(tableValue(trusted.stdout, 'Initialized'), 'false');

  const flag = await runCli(['status', '-ca-cert', certFile, '-address', server.url]);
  t.is(flag.code, 2, flag.stderr);

  const untrusted = await runCli(['status'], { env: { VAULT_ADDR: server.url } });
  t.is(untrusted.code, 1);
  t.regex(untrusted.stderr, /^Error checking seal status: Get "https:.*": self-signed certificate/);

  const skipped = await runCli(['status'], { env: { VAULT_ADDR: server.url, VAULT_SKIP_VERIFY: 'true' } });
  t.is(skipped.code, 2, skipped.stderr);
});
