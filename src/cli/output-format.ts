import { SealboxError } from '../lib/errors.ts';
import type { ParsedFlags } from './flags.ts';

export type OutputFormat = 'table' | 'json';

/** -format over VAULT_FORMAT, default table, as the vault CLI. */
export function outputFormat(flags: ParsedFlags, env: Readonly<Record<string, string | undefined>>): OutputFormat {
  const format = (flags.values.get('format') ?? env['VAULT_FORMAT'] ?? 'table').toLowerCase();
  if (format === '' || format === 'table') return 'table';
  if (format === 'json') return 'json';
  throw new SealboxError('invalid_request', `Invalid output format: ${format}`);
}

/** Go's json.MarshalIndent(data, "", "  "), which the vault CLI prints for -format=json. */
export function jsonOutput(data: unknown): string {
  return JSON.stringify(data, null, 2);
}
