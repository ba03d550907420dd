import { parseDurationMs } from '../../lib/duration.ts';
import { SealboxError } from '../../lib/errors.ts';
import { parseGoBool } from '../../lib/parse-bool.ts';

/**
 * Typed access to request data with Vault's weak typing: the CLI sends every `k=v` as a string,
 * SDKs send native JSON types, and both must work. A value of the wrong type is a 400 naming the
 * field; an absent field is undefined.
 */
export class FieldData {
  readonly raw: Readonly<Record<string, unknown>>;

  constructor(raw: Readonly<Record<string, unknown>>) {
    this.raw = raw;
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  string(name: string): string | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw invalidField(name, 'a string');
  }

  int(name: string): number | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return undefined;
    const number = typeof value === 'string' ? Number(value.trim()) : value;
    if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw invalidField(name, 'an integer');
    return number;
  }

  bool(name: string): boolean | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    const parsed = typeof value === 'string' ? parseGoBool(value.trim()) : typeof value === 'number' ? parseGoBool(String(value)) : undefined;
    if (parsed === undefined) throw invalidField(name, 'a boolean');
    return parsed;
  }

  /** Whole seconds, from a number, a numeric string, `<n>d` or a Go duration string. */
  durationSeconds(name: string): number | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    const ms = parseDurationMs(value);
    if (ms === undefined) throw invalidField(name, 'a duration');
    return Math.floor(ms / 1000);
  }

  /** A JSON array of strings or one comma-separated string; items trimmed, empties dropped. */
  strings(name: string): string[] | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
    if (items === undefined || items.some((item) => typeof item !== 'string' && typeof item !== 'number')) {
      throw invalidField(name, 'a list of strings');
    }
    return items.map((item) => String(item).trim()).filter((item) => item !== '');
  }

  /** A JSON array of integers, or a comma-separated string of them. */
  ints(name: string): number[] | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    const items = typeof value === 'string' ? value.split(',').filter((item) => item.trim() !== '') : Array.isArray(value) ? value : [value];
    const numbers = items.map((item) => (typeof item === 'string' ? Number(item.trim()) : item));
    if (numbers.some((item) => typeof item !== 'number' || !Number.isSafeInteger(item))) throw invalidField(name, 'a list of integers');
    return numbers as number[];
  }

  /** A JSON object. */
  object(name: string): Record<string, unknown> | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw invalidField(name, 'an object');
    return value as Record<string, unknown>;
  }

  /** A map of strings: a JSON object with string-able values, or a JSON-encoded string of one. */
  stringMap(name: string): Record<string, string> | undefined {
    let value = this.raw[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        throw invalidField(name, 'a map of strings');
      }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidField(name, 'a map of strings');
    const out: Record<string, string> = {};
    for (const [key, item] of Object.entries(value)) {
      if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') throw invalidField(name, 'a map of strings');
      out[key] = String(item);
    }
    return out;
  }
}

function invalidField(name: string, expected: string): SealboxError {
  return new SealboxError('invalid_request', `invalid value for field "${name}": expected ${expected}`);
}
