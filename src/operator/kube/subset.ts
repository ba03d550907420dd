/**
 * Whether everything the operator wants is already in the object the API server holds: every
 * field of `desired` is present in `actual` with the same value, recursively; lists must have the
 * same length. Fields the server adds (defaults, status, managedFields) do not matter. This is how
 * an unchanged cluster costs no write.
 */
export function isSubset(desired: unknown, actual: unknown): boolean {
  if (desired === undefined) return true;
  if (desired === null || typeof desired !== 'object') return normalize(desired) === normalize(actual);
  if (Array.isArray(desired)) {
    return Array.isArray(actual) && actual.length === desired.length && desired.every((item, index) => isSubset(item, actual[index]));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  const actualRecord = actual as Record<string, unknown>;
  return Object.entries(desired as Record<string, unknown>).every(([key, value]) => isSubset(value, actualRecord[key]));
}

/** Timestamps arrive as Date from the typed client and as strings from builders. */
function normalize(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}
