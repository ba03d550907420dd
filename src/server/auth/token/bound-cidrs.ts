import { isIP } from 'node:net';
import { SealboxError } from '../../../lib/errors.ts';

/** Validates a list of IP addresses or CIDR blocks (`10.0.0.0/8`, `::1`), as Vault's ParseAddrs accepts them. */
export function parseBoundCidrs(field: string, values: readonly string[]): string[] {
  for (const value of values) {
    if (!isAddressOrBlock(value)) {
      throw new SealboxError('invalid_request', `error parsing ${field}: invalid address or CIDR block "${value}"`);
    }
  }
  return [...values];
}

function isAddressOrBlock(value: string): boolean {
  const [address = '', prefix, extra] = value.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
