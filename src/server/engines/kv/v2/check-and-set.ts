import { SealboxError } from '../../../../lib/errors.ts';
import type { KeyMetadata } from './key-metadata.ts';
import type { KvConfig } from './kv-config.ts';

/**
 * Vault's check-and-set rule for writes and patches: `options.cas` must equal the current version
 * (0 for a key without versions); without it the write goes through unless the mount or the key
 * requires cas.
 */
export function checkAndSet(options: Readonly<Record<string, unknown>> | undefined, config: KvConfig, metadata: KeyMetadata): void {
  if (options !== undefined && Object.hasOwn(options, 'cas')) {
    const cas = weakInt(options['cas']);
    if (cas === undefined) throw new SealboxError('invalid_request', 'error parsing check-and-set parameter');
    if (cas !== metadata.currentVersion) {
      throw new SealboxError('invalid_request', 'check-and-set parameter did not match the current version');
    }
    return;
  }
  if (config.casRequired || metadata.casRequired) {
    throw new SealboxError('invalid_request', 'check-and-set parameter required for this call');
  }
}

/** mapstructure's weak decoding into an int: numbers truncate, digit strings parse, booleans are 1/0, null is 0. */
function weakInt(value: unknown): number | undefined {
  if (value === null || value === '') return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}
