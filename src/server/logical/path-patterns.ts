/**
 * Vault's special-path lists: an entry ending in `*` is a prefix, any other entry is exact.
 */
export function matchesPathList(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) =>
    pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern,
  );
}
