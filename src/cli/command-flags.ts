import { SealboxError } from '../lib/errors.ts';
import type { ParsedFlags } from './flags.ts';
import { parseFlags } from './flags.ts';

/** The flags a command knows; anything else is refused, as Go's flag package does. */
export interface FlagSpec {
  readonly values?: readonly string[];
  readonly booleans?: readonly string[];
  /** Short names, e.g. {n: 'key-shares'}. */
  readonly aliases?: Readonly<Record<string, string>>;
}

/** The vault CLI's HTTP and output options, which every client command takes. */
const CLIENT_FLAGS = {
  values: ['address', 'ca-cert', 'format'],
  booleans: ['tls-skip-verify'],
} as const;

export function parseCommandFlags(args: readonly string[], spec: FlagSpec, client = true): ParsedFlags {
  const aliases = spec.aliases ?? {};
  const booleans = new Set([...(spec.booleans ?? []), ...(client ? CLIENT_FLAGS.booleans : [])]);
  const values = new Set([...(spec.values ?? []), ...(client ? CLIENT_FLAGS.values : [])]);
  const canonical = (name: string): string => aliases[name] ?? name;
  assertKnownFlags(args, (name) => (booleans.has(canonical(name)) ? 'boolean' : values.has(canonical(name)) ? 'value' : undefined));
  const booleanAliases = Object.keys(aliases).filter((alias) => booleans.has(aliases[alias]!));
  const parsed = parseFlags(args, new Set([...booleans, ...booleanAliases]));
  return {
    values: new Map([...parsed.values].map(([name, value]) => [canonical(name), value])),
    booleans: new Set([...parsed.booleans].map(canonical)),
    positional: parsed.positional,
  };
}

/**
 * Refuses the first flag the command does not define, before parsing: otherwise an unknown flag
 * would be taken for one with a value and swallow the next argument.
 */
function assertKnownFlags(args: readonly string[], kind: (name: string) => 'boolean' | 'value' | undefined): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('-') || arg === '-') continue;
    const body = arg.replace(/^--?/, '');
    const name = body.split('=', 1)[0] ?? '';
    const found = kind(name);
    if (found === undefined) throw new SealboxError('invalid_request', `flag provided but not defined: -${name}`);
    // A value flag written `-name value` takes the next argument, whatever it looks like.
    if (found === 'value' && !body.includes('=')) i++;
  }
}

/** A whole-number flag value, or `fallback` when the flag is absent. */
export function intFlag(flags: ParsedFlags, name: string, fallback: number): number {
  const raw = flags.values.get(name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new SealboxError('invalid_request', `invalid value ${JSON.stringify(raw)} for flag -${name}: parse error`);
  }
  return Number(raw.trim());
}

export function assertArgumentCount(flags: ParsedFlags, max: number): void {
  const count = flags.positional.length;
  if (count <= max) return;
  const expected = max === 0 ? '0' : max === 1 ? '0-1' : `0-${max}`;
  throw new SealboxError('invalid_request', `Too many arguments (expected ${expected}, got ${count})`);
}
