export type HashFunction = (value: string) => string;

export interface HashStructureOptions {
  /** Keys whose string values stay readable (the mount's audit_non_hmac_*_keys). */
  readonly nonHmacKeys: readonly string[];
  /**
   * Vault decodes request bodies with json.Number, a string type, so numbers in request data are
   * hashed as their text; response data holds real numbers, which stay as they are.
   */
  readonly hashNumbers: boolean;
}

/**
 * A copy of `data` with every string leaf replaced by its hash, through objects and arrays. Map
 * keys are never hashed. As in Vault, a leaf is left alone when the nearest enclosing object key
 * is one of the non-HMAC keys (array items take the key of their array).
 */
export function hashStructure(data: Readonly<Record<string, unknown>>, hash: HashFunction, options: HashStructureOptions): Record<string, unknown> {
  const ignored = new Set(options.nonHmacKeys);
  const walk = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') return ignored.has(key) ? value : hash(value);
    if (typeof value === 'number' && options.hashNumbers) return ignored.has(key) ? value : hash(String(value));
    if (Array.isArray(value)) return value.map((item) => walk(item, key));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, walk(item, name)]));
    }
    return value;
  };
  return Object.fromEntries(Object.entries(data).map(([name, item]) => [name, walk(item, name)]));
}

/** elide_list_responses: a list answer's `keys` and `key_info` become their counts. */
export function elideListData(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  if (Array.isArray(out['keys'])) out['keys'] = out['keys'].length;
  const info = out['key_info'];
  if (info !== null && typeof info === 'object' && !Array.isArray(info)) out['key_info'] = Object.keys(info).length;
  return out;
}
