import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SealboxError, isSealboxError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { FieldData } from '../../logical/field-data.ts';
import type { BackendRequest } from '../../logical/logical-request.ts';
import type { LogicalResponse } from '../../logical/logical-response.ts';
import { tokenGrantParts } from '../token-fields.ts';
import { addressAllowed } from '../../../lib/cidr.ts';
import { anyGlobMatches } from './glob-match.ts';
import type { KubeConfig } from './kube-config.ts';
import { publicKeyFromPem, readConfig } from './kube-config.ts';
import type { KubeRole } from './kube-role.ts';
import { readRole } from './kube-role.ts';
import type { ServiceAccountClaims } from './service-account-jwt.ts';
import { readServiceAccountJwt } from './service-account-jwt.ts';
import type { TokenReviewer } from './token-review.ts';

export interface KubernetesLoginEnv {
  readonly reviewer: TokenReviewer;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Where a pod's own service account token and CA are mounted. */
  readonly serviceAccountDir: string;
}

/**
 * POST login (vault-api.md 7.2): the JWT's claims must match the role's bindings and the API
 * server's TokenReview must vouch for the token. Every refusal after the role is found is a bare
 * 403; the reason goes only to the server log.
 */
export async function kubernetesLogin(env: KubernetesLoginEnv, request: BackendRequest, fields: FieldData): Promise<LogicalResponse> {
  const roleName = fields.string('role') ?? '';
  if (roleName === '') throw new SealboxError('invalid_request', 'missing role');
  const jwt = fields.string('jwt') ?? '';
  if (jwt === '') throw new SealboxError('invalid_request', 'missing jwt');
  const role = await readRole(request.storage, roleName);
  if (role === undefined) throw new SealboxError('invalid_request', `invalid role name "${roleName}"`);
  let account: ServiceAccountClaims;
  try {
    if (!addressAllowed(request.remoteAddress, role.token.boundCidrs)) throw denied('source address not in token_bound_cidrs');
    const config = await readConfig(request.storage);
    if (config === undefined) throw new SealboxError('internal', 'could not load backend configuration', { expose: true });
    account = await authenticate(env, config, role, jwt);
  } catch (error) {
    if (!isSealboxError(error, 'permission_denied')) throw error;
    env.logger.info('kubernetes login denied', { mount: request.mount.path, role: roleName, reason: error.message });
    throw new SealboxError('permission_denied', 'permission denied');
  }
  return {
    login: {
      ...tokenGrantParts(role.token),
      metadata: {
        role: roleName,
        service_account_name: account.name,
        service_account_namespace: account.namespace,
        service_account_secret_name: account.secretName,
        service_account_uid: account.uid,
      },
      displayName: `${account.namespace}-${account.name}`,
      aliasName: role.aliasNameSource === 'serviceaccount_name' ? `${account.namespace}/${account.name}` : account.uid,
    },
  };
}

async function authenticate(env: KubernetesLoginEnv, config: KubeConfig, role: KubeRole, jwt: string): Promise<ServiceAccountClaims> {
  const account = readServiceAccountJwt(jwt, {
    keys: config.pemKeys.map(publicKeyFromPem),
    audience: role.audience,
    issuer: config.disableIssValidation ? '' : config.issuer,
    now: env.now(),
  });
  authorize(role, account);
  const local = config.disableLocalCaJwt ? {} : await localServiceAccount(env.serviceAccountDir);
  const reviewed = await env.reviewer.review({
    host: config.kubernetesHost,
    caCert: nonEmpty(config.kubernetesCaCert) ?? local.caCert,
    bearer: nonEmpty(config.tokenReviewerJwt) ?? local.token ?? jwt,
    token: jwt,
    audiences: role.audience === '' ? [] : [role.audience],
  });
  if (reviewed.name !== account.name) throw denied('JWT names did not match');
  if (reviewed.uid !== account.uid) throw denied('JWT UIDs did not match');
  if (reviewed.namespace !== account.namespace) throw denied('JWT namespaces did not match');
  return account;
}

function authorize(role: KubeRole, account: ServiceAccountClaims): void {
  const names = role.boundServiceAccountNames;
  if (!(names.length === 1 && names[0] === '*') && !anyGlobMatches(names, account.name)) {
    throw denied('service account name not authorized');
  }
  const namespaces = role.boundServiceAccountNamespaces;
  if (namespaces[0] !== '*' && !anyGlobMatches(namespaces, account.namespace)) throw denied('namespace not authorized');
}

/** A pod's own CA and token, when Sealbox runs in a pod and the config names neither. */
async function localServiceAccount(dir: string): Promise<{ caCert?: string; token?: string }> {
  const [caCert, token] = await Promise.all([readOptional(path.join(dir, 'ca.crt')), readOptional(path.join(dir, 'token'))]);
  return { ...(caCert === undefined ? {} : { caCert }), ...(token === undefined ? {} : { token: token.trim() }) };
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return nonEmpty(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function nonEmpty(value: string): string | undefined {
  return value === '' ? undefined : value;
}

function denied(reason: string): SealboxError {
  return new SealboxError('permission_denied', reason);
}
