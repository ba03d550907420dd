import type { KeyObject } from 'node:crypto';
import { generateKeyPairSync, sign } from 'node:crypto';

export type SigningAlgorithm = 'ES256' | 'RS256';

export interface SigningKey {
  readonly alg: SigningAlgorithm;
  readonly privateKey: KeyObject;
  /** The public key as `pem_keys` takes it. */
  readonly publicPem: string;
}

export interface AccountClaims {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly audiences?: readonly string[];
  /** Unix seconds. */
  readonly now: number;
  /** Seconds from `now`; the default is an hour. */
  readonly expiresIn?: number;
}

/** A service account signing key like the API server's (`--service-account-key-file`). */
export function makeSigningKey(alg: SigningAlgorithm): SigningKey {
  const { privateKey, publicKey } = alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { alg, privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** A signed JWT, as the API server issues them. */
export function signJwt(claims: Record<string, unknown>, key: SigningKey, header: Record<string, unknown> = {}): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: key.alg, kid: 'test', ...header })}.${encode(claims)}`;
  const signature = key.alg === 'ES256'
    ? sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
    : sign('sha256', Buffer.from(input), key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** The claims of a projected (bound) service account token, as a pod gets since Kubernetes 1.21. */
export function projectedClaims(account: AccountClaims): Record<string, unknown> {
  return {
    aud: account.audiences ?? ['https://kubernetes.default.svc.cluster.local'],
    exp: account.now + (account.expiresIn ?? 3600),
    iat: account.now,
    nbf: account.now,
    iss: 'https://kubernetes.default.svc.cluster.local',
    sub: `system:serviceaccount:${account.namespace}:${account.name}`,
    'kubernetes.io': {
      namespace: account.namespace,
      pod: { name: `${account.name}-pod`, uid: '11111111-2222-3333-4444-555555555555' },
      serviceaccount: { name: account.name, uid: account.uid },
    },
  };
}

/** The claims of a legacy secret-based service account token, which never expires. */
export function legacyClaims(account: AccountClaims & { readonly secretName: string }): Record<string, unknown> {
  return {
    iss: 'kubernetes/serviceaccount',
    sub: `system:serviceaccount:${account.namespace}:${account.name}`,
    'kubernetes.io/serviceaccount/namespace': account.namespace,
    'kubernetes.io/serviceaccount/secret.name': account.secretName,
    'kubernetes.io/serviceaccount/service-account.name': account.name,
    'kubernetes.io/serviceaccount/service-account.uid': account.uid,
  };
}
