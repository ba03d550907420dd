/** Policies only the server itself hands out. */
export const NON_ASSIGNABLE_POLICIES: readonly string[] = ['response-wrapping', 'control-group'];

/**
 * Vault's policy list rules (policyutil, strutil): trimmed, lower-cased, de-duplicated, sorted;
 * `root` swallows every other policy; `default` is added on request.
 */
export function sanitizePolicies(policies: readonly string[], addDefault: boolean): string[] {
  let list = policies.map((policy) => policy.trim().toLowerCase());
  let defaultFound = false;
  for (const policy of list) {
    if (policy === 'root') {
      list = ['root'];
      defaultFound = true;
      break;
    }
    if (policy === 'default') defaultFound = true;
  }
  if (addDefault && !defaultFound) list.push('default');
  return removeDuplicates(list);
}

/** Trimmed, lower-cased, without empties or duplicates, sorted. */
export function removeDuplicates(items: readonly string[]): string[] {
  const unique = new Set(items.map((item) => item.trim().toLowerCase()).filter((item) => item !== ''));
  return [...unique].sort();
}

export function isSubset(superset: readonly string[], subset: readonly string[]): boolean {
  return subset.every((item) => superset.includes(item));
}

/** Whether any pattern matches `value`, where `*` in a pattern matches any run of characters. */
export function matchesAnyGlob(patterns: readonly string[], value: string): boolean {
  return patterns.some((pattern) => globMatches(pattern, value));
}

function globMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (!value.startsWith(first) || value.length < first.length + last.length) return false;
  let position = first.length;
  for (const part of parts.slice(1, -1)) {
    const found = value.indexOf(part, position);
    if (found === -1) return false;
    position = found + part.length;
  }
  return value.length - last.length >= position && value.endsWith(last);
}
