import { isDeepStrictEqual } from 'node:util';
import type { Permissions } from './permissions.ts';

/**
 * Vault's parameter constraints of a rule against a request's data: required keys present, no
 * denied key or value, and, when an allow-list exists, only allowed keys and values. Keys are
 * compared lower-cased; string values may be globbed in the policy (`foo*`, `*foo`, `*foo*`).
 */
export function parametersAllowed(permissions: Permissions, data: Readonly<Record<string, unknown>>): boolean {
  for (const key of permissions.requiredParameters) {
    if (!Object.hasOwn(data, key.toLowerCase())) return false;
  }
  const entries = Object.entries(data);
  if (entries.length === 0) return true;
  const { allowedParameters: allowed, deniedParameters: denied } = permissions;
  if (denied.has('*')) return false;
  for (const [key, value] of entries) {
    const values = denied.get(key.toLowerCase());
    if (values !== undefined && valueDenied(value, values)) return false;
  }
  if (allowed.size === 0) return true;
  const anyKey = allowed.has('*');
  if (anyKey && allowed.size === 1) return true;
  return entries.every(([key, value]) => {
    const values = allowed.get(key.toLowerCase());
    return values === undefined ? anyKey : valueAllowed(value, values);
  });
}

/** A list value, or a comma-separated string (which may be one), is allowed when each item is. */
function valueAllowed(value: unknown, values: readonly unknown[]): boolean {
  if (values.length === 0 || inList(value, values)) return true;
  const items = listItems(value);
  return items !== undefined && items.every((item) => inList(item, values));
}

/** A list value, or a comma-separated string, is denied when any item is. */
function valueDenied(value: unknown, values: readonly unknown[]): boolean {
  if (values.length === 0 || inList(value, values)) return true;
  return listItems(value)?.some((item) => inList(item, values)) ?? false;
}

function listItems(value: unknown): readonly unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return undefined;
  return value === '' ? [] : value.split(',').map((item) => item.trim());
}

function inList(value: unknown, values: readonly unknown[]): boolean {
  return values.some((allowed) => {
    if (allowed === null || allowed === undefined || value === null || value === undefined) {
      return (allowed ?? null) === (value ?? null);
    }
    if (typeof allowed === 'string' && typeof value === 'string') return globMatches(allowed, value);
    return isDeepStrictEqual(allowed, value);
  });
}

/** go-secure-stdlib's GlobbedStringsMatch: a leading and/or trailing `*`. */
function globMatches(pattern: string, value: string): boolean {
  if (pattern.length < 2) return pattern === value;
  const leading = pattern.startsWith('*');
  const trailing = pattern.endsWith('*');
  if (leading && trailing) return value.includes(pattern.slice(1, -1));
  if (leading) return value.endsWith(pattern.slice(1));
  if (trailing) return value.startsWith(pattern.slice(0, -1));
  return pattern === value;
}
