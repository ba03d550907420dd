import { SealboxError } from '../../lib/errors.ts';
import type { FieldData } from '../logical/field-data.ts';
import type { LogicalResponse } from '../logical/logical-response.ts';
import type { PathRoute } from '../logical/path-table.ts';
import type { Acl } from '../policy/acl.ts';

export interface CapabilitiesDeps {
  /** The ACL of a token, or undefined when the token is unknown. */
  aclOfToken(token: string): Promise<Acl | undefined>;
  /** The ACL of the token behind an accessor, or undefined when the accessor is unknown. */
  aclOfAccessor(accessor: string): Promise<Acl | undefined>;
}

/**
 * sys/capabilities-self, sys/capabilities and sys/capabilities-accessor, relative to sys/: the
 * capabilities a token has on each requested path, by the same lookup as requests use.
 */
export function capabilitiesPaths(deps: CapabilitiesDeps): PathRoute[] {
  return [
    {
      pattern: 'capabilities-self',
      operations: {
        update: async (request, fields) => {
          const paths = requestedPaths(fields);
          const acl = request.caller === undefined ? undefined : await deps.aclOfToken(request.caller.id);
          if (acl === undefined) throw new SealboxError('invalid_request', 'invalid token');
          return capabilitiesResponse(acl, paths);
        },
      },
    },
    {
      pattern: 'capabilities',
      operations: {
        update: async (_request, fields) => {
          const token = fields.string('token') ?? '';
          if (token === '') throw new SealboxError('invalid_request', 'no token found');
          const paths = requestedPaths(fields);
          const acl = await deps.aclOfToken(token);
          if (acl === undefined) throw new SealboxError('invalid_request', 'invalid token');
          return capabilitiesResponse(acl, paths);
        },
      },
    },
    {
      pattern: 'capabilities-accessor',
      operations: {
        update: async (_request, fields) => {
          const accessor = fields.string('accessor') ?? '';
          if (accessor === '') throw new SealboxError('invalid_request', 'missing accessor');
          const acl = await deps.aclOfAccessor(accessor);
          if (acl === undefined) throw new SealboxError('invalid_request', 'invalid accessor');
          return capabilitiesResponse(acl, requestedPaths(fields));
        },
      },
    },
  ];
}

/** `paths`, or the deprecated `path`; each a JSON list or a comma-separated string. */
function requestedPaths(fields: FieldData): string[] {
  const paths = fields.strings('paths') ?? [];
  const chosen = paths.length > 0 ? paths : (fields.strings('path') ?? []);
  if (chosen.length === 0) throw new SealboxError('invalid_request', 'paths must be supplied');
  return chosen;
}

/** One key per path; with exactly one path also `capabilities`, which older clients read. */
function capabilitiesResponse(acl: Acl, paths: readonly string[]): LogicalResponse {
  const data: Record<string, string[]> = {};
  for (const path of paths) data[path] = acl.capabilities(path);
  if (paths.length === 1) data['capabilities'] = acl.capabilities(paths[0] ?? '');
  return { data, dataAtTopLevel: true };
}
