import type { Operation } from '../logical/operation.ts';
import type { Acl } from './acl.ts';
import { parametersAllowed } from './parameter-check.ts';
import type { ParsedPolicy } from './parsed-policy.ts';
import type { Permissions } from './permissions.ts';
import { CAPABILITY_BITS, DENY_BIT, SUDO_BIT, capabilityNames, grantsSomething, mergePermissions } from './permissions.ts';
import type { Candidate } from './rule-priority.ts';
import { bestCandidate } from './rule-priority.ts';
import type { SegmentRule } from './segment-rule.ts';
import { hasSegmentWildcards, matchesSegments, reachesBelow, segmentRule } from './segment-rule.ts';

/** The operations whose request data parameter constraints apply to. */
const PARAMETER_CHECKED: ReadonlySet<Operation> = new Set(['read', 'create', 'update', 'patch']);

/**
 * The rules of a set of policies, merged per pattern and sorted into exact rules, `*` prefix
 * rules and `+` segment rules. A path is decided by one rule: the exact one, else the best of
 * the matching prefix and segment rules by Vault's priority order; rules are never unioned
 * across different patterns.
 */
export class CompiledAcl implements Acl {
  readonly #exact: ReadonlyMap<string, Permissions>;
  /** Keyed by the pattern without its trailing `*`. */
  readonly #prefix: ReadonlyMap<string, Permissions>;
  readonly #segment: readonly SegmentRule[];

  private constructor(exact: ReadonlyMap<string, Permissions>, prefix: ReadonlyMap<string, Permissions>, segment: readonly SegmentRule[]) {
    this.#exact = exact;
    this.#prefix = prefix;
    this.#segment = segment;
  }

  static compile(policies: readonly ParsedPolicy[]): CompiledAcl {
    const exact = new Map<string, Permissions>();
    const prefix = new Map<string, Permissions>();
    const segment = new Map<string, Permissions>();
    for (const rule of policies.flatMap((policy) => policy.rules)) {
      // There is no identity store to fill templates from; Vault drops rules it cannot resolve.
      if (rule.templated) continue;
      const [table, key] = hasSegmentWildcards(rule.path)
        ? [segment, rule.path]
        : rule.path.endsWith('*')
          ? [prefix, rule.path.slice(0, -1)]
          : [exact, rule.path];
      const existing = table.get(key);
      table.set(key, existing === undefined ? rule.permissions : mergePermissions(existing, rule.permissions));
    }
    return new CompiledAcl(exact, prefix, [...segment].map(([path, permissions]) => segmentRule(path, permissions)));
  }

  allows(path: string, operation: Operation, needsSudo: boolean, data: Readonly<Record<string, unknown>> = {}): boolean {
    const permissions = this.#lookup(withoutLeadingSlashes(path), operation === 'list');
    if (permissions === undefined) return false;
    const { bits } = permissions;
    if ((bits & DENY_BIT) !== 0 || (bits & CAPABILITY_BITS[operation]) === 0) return false;
    if (needsSudo && (bits & SUDO_BIT) === 0) return false;
    // Response wrapping is not implemented, so no request asks for it; Vault refuses unwrapped
    // requests on a rule that sets a wrapping TTL bound, and so must this.
    if (permissions.minWrappingTtl !== 0 || permissions.maxWrappingTtl !== 0) return false;
    return !PARAMETER_CHECKED.has(operation) || parametersAllowed(permissions, data);
  }

  capabilities(path: string): string[] {
    // Looked up as a list, so `path "secret/foo"` also answers for `secret/foo/`, as in Vault.
    return capabilityNames(this.#lookup(withoutLeadingSlashes(path), true)?.bits ?? 0);
  }

  grantsAnythingUnder(prefix: string): boolean {
    if (!this.capabilities(prefix).includes('deny')) return true;
    const grantsBelow = ([pattern, permissions]: [string, Permissions]): boolean =>
      pattern.startsWith(prefix) && grantsSomething(permissions);
    if ([...this.#exact].some(grantsBelow) || [...this.#prefix].some(grantsBelow)) return true;
    const prefixParts = prefix.replace(/\/$/, '').split('/');
    return this.#segment.some((rule) => grantsSomething(rule.permissions) && reachesBelow(rule, prefixParts));
  }

  /** For a list, `path` ends in '/', and the same path without it is tried first. */
  #lookup(path: string, list: boolean): Permissions | undefined {
    const exact = this.#exact.get(path);
    if (exact !== undefined) return exact;
    if (!list || !path.endsWith('/')) return this.#nonExact(path);
    const folder = path.slice(0, -1);
    return this.#exact.get(folder) ?? this.#nonExact(folder) ?? this.#nonExact(path);
  }

  #nonExact(path: string): Permissions | undefined {
    const candidates: Candidate[] = [];
    const prefix = this.#longestPrefix(path);
    if (prefix !== undefined) candidates.push(prefix);
    if (this.#segment.length > 0) {
      const parts = path.split('/');
      candidates.push(...this.#segment.filter((rule) => matchesSegments(rule, parts)));
    }
    return bestCandidate(candidates)?.permissions;
  }

  #longestPrefix(path: string): Candidate | undefined {
    if (this.#prefix.size === 0) return undefined;
    for (let end = path.length; end >= 0; end -= 1) {
      const pattern = path.slice(0, end);
      const permissions = this.#prefix.get(pattern);
      if (permissions !== undefined) return { firstWildcard: end, isPrefix: true, wildcards: 0, pattern, permissions };
    }
    return undefined;
  }
}

function withoutLeadingSlashes(path: string): string {
  return path.replace(/^\/+/, '');
}
