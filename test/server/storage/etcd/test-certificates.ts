import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface TestCertificates {
  readonly dir: string;
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A CA that signed nothing here: a client trusting only it must refuse the server. */
  readonly otherCaFile: string;
  remove(): Promise<void>;
}

const run = promisify(execFile);

/** A throwaway CA with a server certificate for 127.0.0.1 and a client certificate, made by openssl. */
export async function createTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-etcd-tls-'));
  const path = (name: string) => join(dir, name);
  await selfSignedCa(path('ca'));
  await selfSignedCa(path('other-ca'));
  await signedCertificate(path('ca'), path('server'), '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await signedCertificate(path('ca'), path('client'), 'sealbox', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caFile: path('ca.crt'),
    serverCertFile: path('server.crt'),
    serverKeyFile: path('server.key'),
    clientCertFile: path('client.crt'),
    clientKeyFile: path('client.key'),
    otherCaFile: path('other-ca.crt'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function selfSignedCa(base: string): Promise<void> {
  await run('openssl', ['req', '-x509', ...EC_KEY, '-keyout', `${base}.key`, '-out', `${base}.crt`, '-subj', '/CN=sealbox test CA', '-days', '2']);
}

async function signedCertificate(ca: string, base: string, commonName: string, extensions: string): Promise<void> {
  await run('openssl', ['req', ...EC_KEY, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${commonName}`]);
  await writeFile(`${base}.ext`, extensions);
  await run('openssl', [
    'x509', '-req', '-in', `${base}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-out', `${base}.crt`, '-days', '2', '-extfile', `${base}.ext`,
  ]);
}
