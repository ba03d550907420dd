/**
 * Vault's glob for service account names and namespaces (go-glob): `*` matches any run of
 * characters, and nothing else is special.
 */
function globMatches(pattern: string, value: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (!value.startsWith(first)) return false;
  const end = value.length - last.length;
  if (end < first.length || !value.endsWith(last)) return false;
  let cursor = first.length;
  for (const part of parts.slice(1, -1)) {
    const found = value.indexOf(part, cursor);
    if (found < 0 || found + part.length > end) return false;
    cursor = found + part.length;
  }
  return true;
}

/** Whether `value` matches one of `patterns`; a lone `*` admits anything. */
export function anyGlobMatches(patterns: readonly string[], value: string): boolean {
  return patterns.some((pattern) => globMatches(pattern, value));
}
