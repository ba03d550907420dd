/**
 * RFC 7386 JSON merge patch: objects merge key by key, `null` removes a key, anything else
 * replaces. Returns a new value and never mutates its inputs. Objects are built with
 * Object.fromEntries so a `__proto__` key stays an ordinary key.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const merged = new Map<string, unknown>(isObject(target) ? Object.entries(target) : []);
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) merged.delete(name);
    else merged.set(name, mergePatch(merged.get(name), value));
  }
  return Object.fromEntries(merged);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
