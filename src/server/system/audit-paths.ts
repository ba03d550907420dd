import { SealboxError } from '../../lib/errors.ts';
import type { AuditManager } from '../audit/audit-manager.ts';
import type { FieldData } from '../logical/field-data.ts';
import type { LogicalResponse } from '../logical/logical-response.ts';
import type { PathRoute } from '../logical/path-table.ts';

const CHAIN_KEY_SUFFIX = '/chain-key';

/**
 * sys/audit (list, enable, disable; sudo), sys/audit-hash (update, no sudo) and Sealbox's
 * `GET sys/audit/<path>/chain-key` (sudo, as it falls under audit/*): the key that
 * `sealbox audit verify` needs. Vault has no read on sys/audit/<path>, so the read cannot clash
 * with a device whose path ends in chain-key.
 */
export function auditPaths(audit: AuditManager): PathRoute[] {
  return [
    {
      pattern: 'audit-hash/(?<path>.+)',
      operations: {
        update: async (_request, fields) => {
          const input = fields.string('input') ?? '';
          if (input === '') throw new SealboxError('invalid_request', 'the "input" parameter is empty');
          return { data: { hash: audit.hash(pathField(fields), input) }, dataAtTopLevel: true };
        },
      },
    },
    {
      pattern: 'audit/?',
      operations: { read: async (): Promise<LogicalResponse> => ({ data: listing(audit), dataAtTopLevel: true }) },
    },
    {
      pattern: 'audit/(?<path>.+)',
      operations: {
        read: async (_request, fields) => {
          const path = pathField(fields).replace(/\/+$/, '');
          if (!path.endsWith(CHAIN_KEY_SUFFIX)) throw new SealboxError('unsupported_operation', 'unsupported operation');
          return { data: { chain_key: audit.chainKey(path.slice(0, -CHAIN_KEY_SUFFIX.length)) } };
        },
        update: async (_request, fields) => {
          await audit.enable({
            path: pathField(fields),
            type: fields.string('type') ?? '',
            description: fields.string('description') ?? '',
            options: fields.stringMap('options') ?? {},
            local: fields.bool('local') ?? false,
          });
          return undefined;
        },
        delete: async (_request, fields) => {
          await audit.disable(pathField(fields));
          return undefined;
        },
      },
    },
  ];
}

function listing(audit: AuditManager): Record<string, unknown> {
  return Object.fromEntries(
    audit.entries().map((entry) => [
      entry.path,
      { type: entry.type, description: entry.description, options: entry.options, local: entry.local, path: entry.path },
    ]),
  );
}

function pathField(fields: FieldData): string {
  return fields.string('path') ?? '';
}
