import { SealboxError } from '../../lib/errors.ts';
import type { PathHandler, PathRoute } from '../logical/path-table.ts';
import { decodePolicyText } from '../policy/decode-policy-text.ts';
import type { PolicyStore } from '../policy/policy-store.ts';

/** The legacy sys/policy paths name the text `rules`; sys/policies/acl names it `policy`. */
type Flavour = 'legacy' | 'acl';

/**
 * sys/policy (legacy) and sys/policies/acl, relative to sys/. Neither has an existence check,
 * so every write needs `update`, as in Vault.
 */
export function policyPaths(store: PolicyStore): PathRoute[] {
  return [
    { pattern: 'policy/?', operations: { read: listPolicies(store, 'legacy'), list: listPolicies(store, 'legacy') } },
    {
      pattern: 'policy/(?<name>.+)',
      operations: { read: readPolicy(store, 'legacy'), update: writePolicy(store, 'legacy'), delete: deletePolicy(store) },
    },
    { pattern: 'policies/acl/?', operations: { list: listPolicies(store, 'acl') } },
    {
      pattern: 'policies/acl/(?<name>.+)',
      operations: { read: readPolicy(store, 'acl'), update: writePolicy(store, 'acl'), delete: deletePolicy(store) },
    },
  ];
}

function listPolicies(store: PolicyStore, flavour: Flavour): PathHandler {
  return async () => {
    const keys = await store.list();
    return { data: flavour === 'legacy' ? { keys, policies: keys } : { keys }, dataAtTopLevel: true };
  };
}

function readPolicy(store: PolicyStore, flavour: Flavour): PathHandler {
  return async (_request, fields) => {
    const policy = await store.get(fields.string('name') ?? '');
    if (policy === undefined) return undefined;
    const textField = flavour === 'legacy' ? 'rules' : 'policy';
    return { data: { name: policy.name, [textField]: policy.raw }, dataAtTopLevel: true };
  };
}

function writePolicy(store: PolicyStore, flavour: Flavour): PathHandler {
  return async (_request, fields) => {
    const name = (fields.string('name') ?? '').trim().toLowerCase();
    if (name === '') throw new SealboxError('invalid_request', 'policy name must be provided in the URL');
    const warnings: string[] = [];
    let text = fields.string('policy') ?? '';
    if (text === '' && flavour === 'legacy') {
      // node-vault and other old clients still send `rules`.
      text = fields.string('rules') ?? '';
      warnings.push("'rules' is deprecated, please use 'policy' instead");
    }
    if (text === '') throw new SealboxError('invalid_request', "'policy' parameter not supplied or empty");
    await store.put(name, decodePolicyText(text));
    return warnings.length === 0 ? undefined : { warnings, dataAtTopLevel: true };
  };
}

function deletePolicy(store: PolicyStore): PathHandler {
  return async (_request, fields) => {
    await store.delete(fields.string('name') ?? '');
    return undefined;
  };
}
