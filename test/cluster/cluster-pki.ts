import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The certificates and keys of one test cluster, made by the openssl CLI. */
export interface ClusterPki {
  readonly caCert: string;
  readonly caKey: string;
  readonly apiserverCert: string;
  readonly apiserverKey: string;
  /** CN=kubernetes-admin, O=system:masters: the harness's and the tests' identity. */
  readonly adminCert: string;
  readonly adminKey: string;
  /** CN=system:kube-controller-manager: the bootstrap RBAC role of that name applies. */
  readonly controllerManagerCert: string;
  readonly controllerManagerKey: string;
  /** Service account token signing key (private, for the API server and the controller manager). */
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

const run = promisify(execFile);
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const DAYS = '30';

/** The names a client may use for the API server: loopback, and the in-cluster service names. */
const APISERVER_SANS = [
  'IP:127.0.0.1',
  'DNS:localhost',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
].join(',');

export async function writeClusterPki(dir: string): Promise<ClusterPki> {
  await mkdir(dir, { recursive: true });
  const path = (name: string) => join(dir, name);
  await run('openssl', ['req', '-x509', ...EC_KEY, '-keyout', path('ca.key'), '-out', path('ca.crt'), '-days', DAYS, '-subj', '/CN=sealbox-test-kubernetes-ca']);
  await signed(dir, 'apiserver', '/CN=kube-apiserver', `subjectAltName=${APISERVER_SANS}\nextendedKeyUsage=serverAuth\n`);
  await signed(dir, 'admin', '/O=system:masters/CN=kubernetes-admin', 'extendedKeyUsage=clientAuth\n');
  await signed(dir, 'controller-manager', '/CN=system:kube-controller-manager', 'extendedKeyUsage=clientAuth\n');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  await writeFile(path('sa.key'), privateKey, { mode: 0o600 });
  await writeFile(path('sa.pub'), publicKey);
  return {
    caCert: path('ca.crt'),
    caKey: path('ca.key'),
    apiserverCert: path('apiserver.crt'),
    apiserverKey: path('apiserver.key'),
    adminCert: path('admin.crt'),
    adminKey: path('admin.key'),
    controllerManagerCert: path('controller-manager.crt'),
    controllerManagerKey: path('controller-manager.key'),
    serviceAccountKey: path('sa.key'),
    serviceAccountPub: path('sa.pub'),
  };
}

async function signed(dir: string, name: string, subject: string, extensions: string): Promise<void> {
  const base = join(dir, name);
  await run('openssl', ['req', ...EC_KEY, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', subject]);
  await writeFile(`${base}.ext`, extensions);
  await run('openssl', [
    'x509', '-req', '-in', `${base}.csr`, '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial',
    '-out', `${base}.crt`, '-days', DAYS, '-extfile', `${base}.ext`,
  ]);
}
