/**
 * The one-level listing shared by backends that hold a flat key space: the direct children of
 * `prefix` among `keys`, keys as their last segment and folders with a trailing '/', sorted.
 */
export function directChildren(prefix: string, keys: Iterable<string>): string[] {
  const children = new Set<string>();
  for (const key of keys) {
    const child = childOf(prefix, key);
    if (child !== undefined) children.add(child);
  }
  return sortKeys([...children]);
}

/** The entry that `key` contributes to a listing of `prefix`, if it lies below it. */
export function childOf(prefix: string, key: string): string | undefined {
  if (!key.startsWith(prefix) || key.length === prefix.length) return undefined;
  const slash = key.indexOf('/', prefix.length);
  return slash === -1 ? key.slice(prefix.length) : key.slice(prefix.length, slash + 1);
}

/** The one order every backend lists in, so that switching backends never reorders output. */
export function sortKeys(keys: string[]): string[] {
  return keys.sort();
}
