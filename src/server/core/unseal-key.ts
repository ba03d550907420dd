import { SealboxError } from '../../lib/errors.ts';

const MIN_KEY_LENGTH = 16;
const MAX_KEY_LENGTH = 33;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Vault's decoding of an unseal share: hex first, then standard base64, within 16 to 33 bytes. */
export function decodeUnsealKey(key: string): Buffer {
  const trimmed = key.trim();
  const hex = HEX.test(trimmed) ? Buffer.from(trimmed, 'hex') : undefined;
  if (hex !== undefined && hex.length >= MIN_KEY_LENGTH && hex.length <= MAX_KEY_LENGTH) return hex;
  if (!BASE64.test(trimmed) || trimmed.length % 4 !== 0) {
    throw new SealboxError('invalid_request', "'key' must be a valid hex or base64 string");
  }
  const decoded = Buffer.from(trimmed, 'base64');
  if (decoded.length < MIN_KEY_LENGTH) throw new SealboxError('invalid_request', 'key is shorter than minimum 16 bytes');
  if (decoded.length > MAX_KEY_LENGTH) throw new SealboxError('invalid_request', 'key is longer than maximum 33 bytes');
  return decoded;
}
