import { SealboxError } from '../../lib/errors.ts';
import { parseGoBool } from '../../lib/parse-bool.ts';
import type { EntryFormat } from './audit-entry.ts';

/** The options every device type shares (Vault's common audit options). */
export interface CommonOptions {
  readonly format: EntryFormat;
  /** Written before each JSON object, as Vault's `prefix`. */
  readonly prefix: string;
  readonly skipTest: boolean;
}

export function commonOptions(options: Readonly<Record<string, string>>): CommonOptions {
  const format = options['format'] ?? 'json';
  if (format !== 'json') {
    throw new SealboxError('invalid_request', format === 'jsonx' ? 'format "jsonx" is not supported; use "json"' : `unknown format type "${format}"`);
  }
  return {
    format: {
      logRaw: boolOption(options, 'log_raw', false),
      hmacAccessor: boolOption(options, 'hmac_accessor', true),
      elideListResponses: boolOption(options, 'elide_list_responses', false),
    },
    prefix: options['prefix'] ?? '',
    skipTest: boolOption(options, 'skip_test', false),
  };
}

function boolOption(options: Readonly<Record<string, string>>, name: string, fallback: boolean): boolean {
  const raw = options[name];
  if (raw === undefined) return fallback;
  const value = parseGoBool(raw);
  if (value === undefined) throw new SealboxError('invalid_request', `invalid value for option "${name}": expected a boolean, got "${raw}"`);
  return value;
}
