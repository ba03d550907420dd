import type { Capability } from './acl.ts';

/** Capabilities as bits, so merging rules is an OR and checking one is an AND. */
export const CAPABILITY_BITS: Readonly<Record<Capability, number>> = {
  deny: 1,
  create: 2,
  read: 4,
  update: 8,
  delete: 16,
  list: 32,
  sudo: 64,
  patch: 128,
};

export const DENY_BIT = CAPABILITY_BITS.deny;
export const SUDO_BIT = CAPABILITY_BITS.sudo;

/** Allowed or denied values per parameter (lower-cased); an empty list means any value. */
export type ParameterMap = ReadonlyMap<string, readonly unknown[]>;

/** What one rule grants on its path, after the rules of every policy for that path are merged. */
export interface Permissions {
  readonly bits: number;
  /** Seconds; 0 when unset. */
  readonly minWrappingTtl: number;
  readonly maxWrappingTtl: number;
  readonly allowedParameters: ParameterMap;
  readonly deniedParameters: ParameterMap;
  readonly requiredParameters: readonly string[];
}

const NO_PARAMETERS: ParameterMap = new Map();

export const DENY_PERMISSIONS: Permissions = {
  bits: DENY_BIT,
  minWrappingTtl: 0,
  maxWrappingTtl: 0,
  allowedParameters: NO_PARAMETERS,
  deniedParameters: NO_PARAMETERS,
  requiredParameters: [],
};

/** Whether the rule grants anything at all: a deny rule or one with no capability does not. */
export function grantsSomething(permissions: Permissions): boolean {
  return (permissions.bits & DENY_BIT) === 0 && permissions.bits !== 0;
}

/** Capability names of `bits`, sorted, or ['deny'] when nothing is granted (sys/capabilities). */
export function capabilityNames(bits: number): string[] {
  if ((bits & DENY_BIT) !== 0) return ['deny'];
  const names = Object.entries(CAPABILITY_BITS)
    .filter(([, bit]) => (bits & bit) !== 0)
    .map(([name]) => name)
    .sort();
  return names.length === 0 ? ['deny'] : names;
}

/**
 * Vault's merge of two rules with the same pattern: deny on either side wins outright; otherwise
 * capabilities are unioned, the smaller non-zero wrapping TTLs kept, parameter lists joined (an
 * empty list, meaning any value, absorbs the other side) and required parameters unioned.
 */
export function mergePermissions(existing: Permissions, incoming: Permissions): Permissions {
  if ((existing.bits & DENY_BIT) !== 0) return existing;
  if ((incoming.bits & DENY_BIT) !== 0) return DENY_PERMISSIONS;
  return {
    bits: existing.bits | incoming.bits,
    minWrappingTtl: smallerNonZero(existing.minWrappingTtl, incoming.minWrappingTtl),
    maxWrappingTtl: smallerNonZero(existing.maxWrappingTtl, incoming.maxWrappingTtl),
    allowedParameters: mergeParameters(existing.allowedParameters, incoming.allowedParameters),
    deniedParameters: mergeParameters(existing.deniedParameters, incoming.deniedParameters),
    requiredParameters: [...new Set([...existing.requiredParameters, ...incoming.requiredParameters])],
  };
}

function smallerNonZero(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  return Math.min(a, b);
}

function mergeParameters(existing: ParameterMap, incoming: ParameterMap): ParameterMap {
  if (incoming.size === 0) return existing;
  const merged = new Map(existing);
  for (const [key, values] of incoming) {
    const current = existing.get(key);
    const anyValue = values.length === 0 || (current !== undefined && current.length === 0);
    merged.set(key, anyValue ? [] : [...values, ...(current ?? [])]);
  }
  return merged;
}
