import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export interface SelfSignedCert {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** A throwaway P-256 certificate for 127.0.0.1 and localhost, made with the openssl CLI. */
export async function makeSelfSignedCert(): Promise<SelfSignedCert> {
  const directory = await mkdtemp(path.join(tmpdir(), 'sealbox-cert-'));
  try {
    const certPath = path.join(directory, 'cert.pem');
    const keyPath = path.join(directory, 'key.pem');
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    return { cert: await readFile(certPath), key: await readFile(keyPath) };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
