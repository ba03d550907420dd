import { SealboxError } from '../lib/errors.ts';

export interface ParsedFlags {
  readonly values: ReadonlyMap<string, string>;
  readonly booleans: ReadonlySet<string>;
  readonly positional: readonly string[];
}

/**
 * Vault-style flags: `-name value`, `-name=value`, `--name=value`, and bare boolean flags.
 * `booleanNames` says which flags take no value.
 */
export function parseFlags(args: readonly string[], booleanNames: ReadonlySet<string>): ParsedFlags {
  const values = new Map<string, string>();
  const booleans = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    if (booleanNames.has(name)) {
      if (eq === -1 || body.slice(eq + 1) !== 'false') booleans.add(name);
      continue;
    }
    if (eq !== -1) {
      values.set(name, body.slice(eq + 1));
      continue;
    }
    const next = args[i + 1];
    if (next === undefined) throw new SealboxError('invalid_request', `flag needs an argument: -${name}`);
    values.set(name, next);
    i++;
  }
  return { values, booleans, positional };
}
