import { createHmac } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

const HASH_PREFIX = 'hmac-sha256:';

/**
 * Vault's salted identifier: HMAC-SHA256 keyed with the device's salt string, lower-case hex,
 * prefixed with the algorithm. sys/audit-hash exposes exactly this so operators can correlate.
 */
export function hmacIdentifier(salt: string | KeyObject, value: string): string {
  return HASH_PREFIX + createHmac('sha256', salt).update(value, 'utf8').digest('hex');
}
