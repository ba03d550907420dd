import type { KeyObject } from 'node:crypto';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { SealboxError } from '../../../lib/errors.ts';
import type { SecureStorage } from '../../barrier/secure-storage.ts';
import { getJson, putJson } from '../../barrier/secure-storage.ts';
import type { FieldData } from '../../logical/field-data.ts';

/** The mount's `config`: where the Kubernetes API is and how to trust and call it. */
export interface KubeConfig {
  readonly kubernetesHost: string;
  readonly kubernetesCaCert: string;
  /** Bearer of the TokenReview call; never read back, only whether it is set. */
  readonly tokenReviewerJwt: string;
  readonly pemKeys: readonly string[];
  readonly disableLocalCaJwt: boolean;
  readonly issuer: string;
  readonly disableIssValidation: boolean;
}

const CONFIG_KEY = 'config';
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export function readConfig(storage: SecureStorage): Promise<KubeConfig | undefined> {
  return getJson<KubeConfig>(storage, CONFIG_KEY);
}

/** A write replaces the whole config, as in Vault: fields left out take their defaults. */
export async function writeConfig(storage: SecureStorage, fields: FieldData): Promise<void> {
  const host = fields.string('kubernetes_host') ?? '';
  if (host === '') throw new SealboxError('invalid_request', 'no host provided');
  apiBaseUrl(host);
  const caCert = fields.string('kubernetes_ca_cert') ?? '';
  if (caCert !== '' && !hasCertificate(caCert)) {
    throw new SealboxError('invalid_request', 'The provided CA PEM data contains no valid certificates');
  }
  const pemKeys = fields.strings('pem_keys') ?? [];
  pemKeys.forEach(publicKeyFromPem);
  const config: KubeConfig = {
    kubernetesHost: host,
    kubernetesCaCert: caCert,
    tokenReviewerJwt: fields.string('token_reviewer_jwt') ?? '',
    pemKeys,
    disableLocalCaJwt: fields.bool('disable_local_ca_jwt') ?? false,
    issuer: fields.string('issuer') ?? '',
    disableIssValidation: fields.bool('disable_iss_validation') ?? true,
  };
  await putJson(storage, CONFIG_KEY, config);
}

export function configData(config: KubeConfig): Record<string, unknown> {
  return {
    kubernetes_host: config.kubernetesHost,
    kubernetes_ca_cert: config.kubernetesCaCert,
    pem_keys: [...config.pemKeys],
    issuer: config.issuer,
    disable_iss_validation: config.disableIssValidation,
    disable_local_ca_jwt: config.disableLocalCaJwt,
    token_reviewer_jwt_set: config.tokenReviewerJwt !== '',
  };
}

/** `kubernetes_host` may be a URL, `host:port` or a host; the API is spoken over HTTPS unless told. */
export function apiBaseUrl(host: string): URL {
  let url: URL;
  try {
    url = new URL(host.includes('://') ? host : `https://${host}`);
  } catch {
    throw invalidHost(host);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidHost(host);
  return url;
}

/** An RSA or ECDSA public key from a PEM public key or certificate. */
export function publicKeyFromPem(pem: string): KeyObject {
  const key = tryPublicKey(pem);
  if (key === undefined) throw new SealboxError('invalid_request', 'data does not contain any valid RSA or ECDSA public keys');
  return key;
}

function tryPublicKey(pem: string): KeyObject | undefined {
  try {
    let key: KeyObject | undefined;
    if (pem.includes('-----BEGIN CERTIFICATE-----')) key = new X509Certificate(pem).publicKey;
    // A private key would also yield a public key; only public material belongs here.
    else if (/-----BEGIN (RSA |EC )?PUBLIC KEY-----/.test(pem)) key = createPublicKey(pem);
    return key?.asymmetricKeyType === 'rsa' || key?.asymmetricKeyType === 'ec' ? key : undefined;
  } catch {
    return undefined;
  }
}

function hasCertificate(bundle: string): boolean {
  return [...bundle.matchAll(PEM_CERTIFICATE)].some(([block]) => {
    try {
      new X509Certificate(block);
      return true;
    } catch {
      return false;
    }
  });
}

function invalidHost(host: string): SealboxError {
  return new SealboxError('invalid_request', `invalid kubernetes_host "${host}": expected a URL, host:port or host`);
}
