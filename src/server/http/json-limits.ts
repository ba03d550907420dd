import { SealboxError } from '../../lib/errors.ts';

/**
 * Vault's listener JSON limits (max_json_depth and friends). JSON.parse itself survives any depth,
 * but the code that walks a parsed body (audit hashing, JSON.stringify into storage) recurses and
 * would overflow the stack on a body nested a few thousand levels deep.
 */
export interface JsonLimits {
  readonly maxDepth: number;
  readonly maxStringValueLength: number;
  readonly maxObjectEntryCount: number;
  readonly maxArrayElementCount: number;
}

/** Vault's defaults. */
export const DEFAULT_JSON_LIMITS: JsonLimits = {
  maxDepth: 500,
  maxStringValueLength: 1024 * 1024,
  maxObjectEntryCount: 10_000,
  maxArrayElementCount: 10_000,
};

/** Throws invalid_request for the first limit `value` breaks; walks without recursion. */
export function checkJsonLimits(value: unknown, limits: JsonLimits): void {
  const pending: Array<{ readonly value: unknown; readonly depth: number }> = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: current, depth } = next;
    if (typeof current === 'string') {
      if (current.length > limits.maxStringValueLength) refuse(`string value exceeds the maximum length of ${limits.maxStringValueLength}`);
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limits.maxDepth) refuse(`nesting depth exceeds the maximum of ${limits.maxDepth}`);
    const children = Array.isArray(current) ? current : Object.values(current);
    if (Array.isArray(current) && current.length > limits.maxArrayElementCount) {
      refuse(`array exceeds the maximum of ${limits.maxArrayElementCount} elements`);
    }
    if (!Array.isArray(current) && children.length > limits.maxObjectEntryCount) {
      refuse(`object exceeds the maximum of ${limits.maxObjectEntryCount} entries`);
    }
    for (const child of children) pending.push({ value: child, depth: depth + 1 });
  }
}

function refuse(reason: string): never {
  throw new SealboxError('invalid_request', `failed to parse JSON input: ${reason}`);
}
