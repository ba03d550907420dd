import type { KeyObject } from 'node:crypto';
import { constants, verify } from 'node:crypto';
import { SealboxError } from '../../../lib/errors.ts';

/** Who a service account JWT says it is. Nothing here is trusted until the TokenReview agrees. */
export interface ServiceAccountClaims {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** Only legacy secret-based tokens name their secret; '' otherwise. */
  readonly secretName: string;
}

export interface JwtChecks {
  /** Keys from `pem_keys`; when given, the signature must verify with one of them. */
  readonly keys: readonly KeyObject[];
  /** The role's audience, '' for none. */
  readonly audience: string;
  /** The issuer to require, '' for none. */
  readonly issuer: string;
  readonly now: Date;
}

interface Algorithm {
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly keyType: 'rsa' | 'ec';
  readonly pss?: boolean;
  readonly curve?: string;
}

/** The algorithms Kubernetes may sign service account tokens with. */
const ALGORITHMS: Readonly<Record<string, Algorithm>> = {
  RS256: { hash: 'sha256', keyType: 'rsa' },
  RS384: { hash: 'sha384', keyType: 'rsa' },
  RS512: { hash: 'sha512', keyType: 'rsa' },
  PS256: { hash: 'sha256', keyType: 'rsa', pss: true },
  PS384: { hash: 'sha384', keyType: 'rsa', pss: true },
  PS512: { hash: 'sha512', keyType: 'rsa', pss: true },
  ES256: { hash: 'sha256', keyType: 'ec', curve: 'prime256v1' },
  ES384: { hash: 'sha384', keyType: 'ec', curve: 'secp384r1' },
  ES512: { hash: 'sha512', keyType: 'ec', curve: 'secp521r1' },
};

/** Clock skew tolerated on exp, nbf and iat, as hashicorp/cap's validator allows. */
const LEEWAY_SECONDS = 150;

/**
 * Decodes a service account JWT and checks what can be checked locally: the algorithm, the
 * signature when keys are configured, the time claims, issuer and audience. Every refusal is a
 * permission_denied SealboxError whose message is the reason, for the server log only.
 */
export function readServiceAccountJwt(jwt: string, checks: JwtChecks): ServiceAccountClaims {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw denied('JWT is not a signed JWT with three parts');
  const [encodedHeader = '', encodedClaims = '', encodedSignature = ''] = parts;
  const header = decodeJson(encodedHeader, 'JWT header');
  const algorithm = typeof header['alg'] === 'string' ? ALGORITHMS[header['alg']] : undefined;
  if (algorithm === undefined) throw denied('unsupported JWT signing algorithm');
  const claims = decodeJson(encodedClaims, 'JWT claims');
  if (checks.keys.length > 0) {
    const signature = Buffer.from(encodedSignature, 'base64url');
    const input = Buffer.from(`${encodedHeader}.${encodedClaims}`, 'ascii');
    if (!checks.keys.some((key) => signatureValid(algorithm, key, input, signature))) throw denied('error verifying token signature');
  }
  checkTimes(claims, checks.now);
  if (checks.issuer !== '' && claims['iss'] !== checks.issuer) throw denied('invalid issuer (iss) claim');
  if (checks.audience !== '' && !audiencesOf(claims).includes(checks.audience)) throw denied('invalid audience (aud) claim');
  return identityOf(claims);
}

/** The JWT's `aud` claim as a list: Kubernetes writes an array, older issuers a string. */
function audiencesOf(claims: Readonly<Record<string, unknown>>): string[] {
  const aud = claims['aud'];
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * Projected (bound) tokens carry the identity under `kubernetes.io`, legacy secret-based tokens
 * as flat `kubernetes.io/serviceaccount/...` claims; the projected form wins when present.
 */
function identityOf(claims: Readonly<Record<string, unknown>>): ServiceAccountClaims {
  const projected = objectOf(claims['kubernetes.io']);
  const account = objectOf(projected?.['serviceaccount']);
  const identity: ServiceAccountClaims = {
    namespace: projected !== undefined ? stringOf(projected['namespace']) : stringOf(claims['kubernetes.io/serviceaccount/namespace']),
    name: account !== undefined ? stringOf(account['name']) : stringOf(claims['kubernetes.io/serviceaccount/service-account.name']),
    uid: account !== undefined ? stringOf(account['uid']) : stringOf(claims['kubernetes.io/serviceaccount/service-account.uid']),
    secretName: stringOf(claims['kubernetes.io/serviceaccount/secret.name']),
  };
  if (identity.uid === '') throw denied('could not parse UID from claims');
  return identity;
}

function checkTimes(claims: Readonly<Record<string, unknown>>, now: Date): void {
  const seconds = now.getTime() / 1000;
  const exp = numericDate(claims, 'exp');
  if (exp !== undefined && seconds > exp + LEEWAY_SECONDS) throw denied('token is expired (exp)');
  const nbf = numericDate(claims, 'nbf');
  if (nbf !== undefined && seconds + LEEWAY_SECONDS < nbf) throw denied('token not valid yet (nbf)');
  const iat = numericDate(claims, 'iat');
  if (iat !== undefined && seconds + LEEWAY_SECONDS < iat) throw denied('token issued in the future (iat)');
}

function numericDate(claims: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw denied(`invalid ${name} claim`);
  return value;
}

function signatureValid(algorithm: Algorithm, key: KeyObject, input: Buffer, signature: Buffer): boolean {
  if (key.asymmetricKeyType !== algorithm.keyType) return false;
  if (algorithm.curve !== undefined && key.asymmetricKeyDetails?.namedCurve !== algorithm.curve) return false;
  try {
    if (algorithm.keyType === 'ec') return verify(algorithm.hash, input, { key, dsaEncoding: 'ieee-p1363' }, signature);
    const padding = algorithm.pss === true ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING;
    return verify(algorithm.hash, input, { key, padding, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
  } catch {
    return false;
  }
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    const object = objectOf(value);
    if (object !== undefined) return object;
  } catch {
    // Reported below, as any malformed part is.
  }
  throw denied(`malformed ${what}`);
}

function objectOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function denied(reason: string): SealboxError {
  return new SealboxError('permission_denied', reason);
}
