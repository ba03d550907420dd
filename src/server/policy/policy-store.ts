import { SealboxError, isSealboxError } from '../../lib/errors.ts';
import type { SecureStorage } from '../barrier/secure-storage.ts';
import { getJson, putJson } from '../barrier/secure-storage.ts';
import type { PolicyAuthority } from '../core/request-pipeline.ts';
import type { Acl } from './acl.ts';
import {
  DEFAULT_POLICY,
  DEFAULT_POLICY_TEXT,
  IMMUTABLE_POLICIES,
  NON_ASSIGNABLE_POLICIES,
  RESPONSE_WRAPPING_POLICY,
  RESPONSE_WRAPPING_POLICY_TEXT,
  ROOT_POLICY,
} from './builtin-policies.ts';
import { CompiledAcl } from './compiled-acl.ts';
import { parsePolicy } from './parse-policy.ts';
import type { ParsedPolicy } from './parsed-policy.ts';
import { ROOT_ACL } from './root-acl.ts';

/** A policy as sys/policy shows it. */
export interface StoredPolicy {
  readonly name: string;
  readonly raw: string;
}

/** The stored form: the text, which is parsed again after a restart. */
interface PolicyEntry {
  readonly version: 1;
  readonly raw: string;
}

/** Bounds each cache: distinct policy sets come from tokens, which a client can mint many of. */
const CACHE_LIMIT = 1024;

/**
 * ACL policies, stored by name under the barrier view it is given (sys/policy/). Policies are
 * parsed once per write (or once per name after a restart or invalidation), and ACLs compiled
 * once per distinct set of policy names; every write or delete drops both caches.
 */
export class PolicyStore implements PolicyAuthority {
  readonly #storage: SecureStorage;
  /** Parsed policies by name; a name that does not exist is cached as undefined. */
  readonly #parsed = new Map<string, Promise<ParsedPolicy | undefined>>();
  /** ACLs by the JSON of their sorted policy names. */
  readonly #acls = new Map<string, Promise<Acl>>();

  constructor(storage: SecureStorage) {
    this.#storage = storage;
  }

  async get(name: string): Promise<StoredPolicy | undefined> {
    const key = policyName(name);
    if (key === '') return undefined;
    if (key === ROOT_POLICY) return { name: key, raw: '' };
    if (key === RESPONSE_WRAPPING_POLICY) return { name: key, raw: RESPONSE_WRAPPING_POLICY_TEXT };
    const entry = await getJson<PolicyEntry>(this.#storage, key);
    return entry === undefined ? undefined : { name: key, raw: entry.raw };
  }

  async exists(name: string): Promise<boolean> {
    return (await this.get(name)) !== undefined;
  }

  /** Validates and stores `text` (the decoded policy text) under the lower-cased `name`. */
  async put(name: string, text: string): Promise<void> {
    const key = policyName(name);
    if (key === '') throw new SealboxError('invalid_request', 'policy name missing');
    if (IMMUTABLE_POLICIES.has(key)) throw new SealboxError('invalid_request', `cannot update "${key}" policy`);
    const parsed = await parsePolicy(text);
    const entry: PolicyEntry = { version: 1, raw: text };
    await putJson(this.#storage, key, entry);
    this.invalidate();
    this.#parsed.set(key, Promise.resolve(parsed));
  }

  /** Idempotent, as in Vault; `root`, `response-wrapping` and `default` cannot be deleted. */
  async delete(name: string): Promise<void> {
    const key = policyName(name);
    if (key === '') throw new SealboxError('invalid_request', 'policy name missing');
    if (IMMUTABLE_POLICIES.has(key)) throw new SealboxError('invalid_request', `cannot delete "${key}" policy`);
    if (key === DEFAULT_POLICY) throw new SealboxError('invalid_request', 'cannot delete default policy');
    await this.#storage.delete(key);
    this.invalidate();
  }

  /** Stored policy names, sorted, then `root`, which Vault appends last. */
  async list(): Promise<string[]> {
    const names = await collectKeys(this.#storage, '');
    return [...names.filter((name) => !NON_ASSIGNABLE_POLICIES.has(name)).sort(), ROOT_POLICY];
  }

  /** Writes Vault's `default` policy unless one exists (an operator may have edited it). */
  async ensureDefaultPolicy(): Promise<void> {
    if (await this.exists(DEFAULT_POLICY)) return;
    await this.put(DEFAULT_POLICY, DEFAULT_POLICY_TEXT);
  }

  /** Drops every cached policy and ACL, for when another node has changed policies. */
  invalidate(): void {
    this.#parsed.clear();
    this.#acls.clear();
  }

  aclFor(policies: readonly string[]): Promise<Acl> {
    const names = [...new Set(policies.map(policyName))].filter((name) => name !== '').sort();
    const key = JSON.stringify(names);
    const cached = this.#acls.get(key);
    if (cached !== undefined) return cached;
    const acl = this.#compile(names);
    remember(this.#acls, key, acl);
    return acl;
  }

  async #compile(names: readonly string[]): Promise<Acl> {
    if (names.includes(ROOT_POLICY)) {
      // Vault refuses to build such an ACL; the token store never issues such a token.
      if (names.length > 1) throw new SealboxError('internal', 'other policies present along with root');
      return ROOT_ACL;
    }
    const policies = await Promise.all(names.map((name) => this.#parsedPolicy(name)));
    return CompiledAcl.compile(policies.filter((policy) => policy !== undefined));
  }

  #parsedPolicy(name: string): Promise<ParsedPolicy | undefined> {
    const cached = this.#parsed.get(name);
    if (cached !== undefined) return cached;
    const parsed = this.#load(name);
    remember(this.#parsed, name, parsed);
    return parsed;
  }

  async #load(name: string): Promise<ParsedPolicy | undefined> {
    const policy = await this.get(name);
    if (policy === undefined) return undefined;
    try {
      return await parsePolicy(policy.raw);
    } catch (error) {
      // A stored policy that no longer parses is the server's fault, not the caller's.
      if (isSealboxError(error, 'invalid_request')) {
        throw new SealboxError('internal', `stored policy "${name}" does not parse`, { cause: error });
      }
      throw error;
    }
  }
}

/** Vault's normalisation of policy names. */
function policyName(name: string): string {
  return name.trim().toLowerCase();
}

/** Adds to a bounded cache, oldest out first; a failed load is not kept, so it is retried. */
function remember<T>(cache: Map<string, Promise<T>>, key: string, value: Promise<T>): void {
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, value);
  value.catch(() => {
    if (cache.get(key) === value) cache.delete(key);
  });
}

/** Every key below `prefix`, at any depth: policy names may contain '/'. */
async function collectKeys(storage: SecureStorage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for (const name of await storage.list(prefix)) {
    if (name.endsWith('/')) keys.push(...(await collectKeys(storage, prefix + name)));
    else keys.push(prefix + name);
  }
  return keys;
}
