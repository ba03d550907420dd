import { SealboxError } from '../../../lib/errors.ts';
import type { FieldData } from '../../logical/field-data.ts';
import type { BackendRequest } from '../../logical/logical-request.ts';
import type { LogicalResponse } from '../../logical/logical-response.ts';
import { tokenGrantParts } from '../token-fields.ts';
import { addressAllowed } from '../../../lib/cidr.ts';
import type { AppRoleDeps } from './approle-deps.ts';
import { roleByRoleId } from './role-store.ts';

/**
 * POST login: role_id plus, when the role binds one, a secret ID whose use is spent. Unknown,
 * expired and used-up credentials all read the same to the client.
 */
export async function approleLogin(deps: AppRoleDeps, request: BackendRequest, fields: FieldData): Promise<LogicalResponse> {
  const roleId = (fields.string('role_id') ?? '').trim();
  if (roleId === '') throw new SealboxError('invalid_request', 'missing role_id');
  const role = await roleByRoleId(request.storage, deps.salt, roleId);
  if (role === undefined) throw invalidCredentials();
  const remote = request.remoteAddress;
  if (!addressAllowed(remote, role.secretIdBoundCidrs)) {
    throw new SealboxError('invalid_request', `source address "${remote}" unauthorized by CIDR restrictions on the role`);
  }
  let metadata: Record<string, string> = {};
  let tokenBoundCidrs = role.token.boundCidrs;
  if (role.bindSecretId) {
    const secretId = (fields.string('secret_id') ?? '').trim();
    if (secretId === '') throw new SealboxError('invalid_request', 'missing secret_id');
    const entry = await deps.secretIds.use(request.storage, role.name, secretId, (candidate) => {
      if (!addressAllowed(remote, candidate.cidrList)) {
        throw new SealboxError('invalid_request', `source address "${remote}" unauthorized through CIDR restrictions on the secret ID`);
      }
    });
    if (entry === undefined) throw invalidCredentials();
    metadata = { ...entry.metadata };
    if (entry.tokenBoundCidrs.length > 0) tokenBoundCidrs = entry.tokenBoundCidrs;
  }
  return {
    login: {
      ...tokenGrantParts(role.token),
      boundCidrs: tokenBoundCidrs,
      metadata: { ...metadata, role_name: role.name },
      // Vault's token display name for AppRole is the mount path alone ("approle").
      displayName: '',
      aliasName: role.roleId,
    },
  };
}

function invalidCredentials(): SealboxError {
  return new SealboxError('invalid_request', 'invalid role or secret ID');
}
