import { SealboxError } from '../../lib/errors.ts';
import type { RequestData } from './read-body.ts';

/**
 * Field access for Vault's "raw" sys handlers, which decode into Go structs: names match
 * case-insensitively, unknown fields are ignored, and wrong types are a 400.
 */
export class RawFields {
  readonly #data: RequestData;

  constructor(data: RequestData) {
    this.#data = data;
  }

  #find(name: string): unknown {
    const wanted = name.toLowerCase();
    for (const [key, value] of Object.entries(this.#data)) if (key.toLowerCase() === wanted) return value;
    return undefined;
  }

  string(name: string): string | undefined {
    const value = this.#find(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw typeError(name, 'a string');
    return value;
  }

  int(name: string): number | undefined {
    const value = this.#find(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(name, 'an integer');
    return value;
  }

  bool(name: string): boolean | undefined {
    const value = this.#find(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw typeError(name, 'a boolean');
    return value;
  }

  strings(name: string): string[] | undefined {
    const value = this.#find(name);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw typeError(name, 'a list of strings');
    return value as string[];
  }
}

function typeError(name: string, expected: string): SealboxError {
  return new SealboxError('invalid_request', `failed to parse JSON input: field "${name}" must be ${expected}`);
}
