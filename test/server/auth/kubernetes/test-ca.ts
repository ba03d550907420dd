import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export interface TestPki {
  /** PEM of the CA that signed the server certificate. */
  readonly caCert: string;
  /** A server certificate for 127.0.0.1, signed by the CA, and its key. */
  readonly serverCert: string;
  readonly serverKey: string;
}

const run = promisify(execFile);

/** A throwaway CA and a server certificate for 127.0.0.1 signed by it, made with the openssl CLI. */
export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sealbox-kube-pki-'));
  const file = (name: string): string => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await run('openssl', ['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=sealbox-test-ca']);
    await run('openssl', ['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1']);
    await writeFile(file('server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
    await run('openssl', [
      'x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial',
      '-out', file('server.crt'), '-days', '1', '-extfile', file('server.ext'),
    ]);
    return {
      caCert: await readFile(file('ca.crt'), 'utf8'),
      serverCert: await readFile(file('server.crt'), 'utf8'),
      serverKey: await readFile(file('server.key'), 'utf8'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
