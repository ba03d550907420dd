import { randomBytes } from 'node:crypto';
import { SealboxError } from '../lib/errors.ts';
import { randomBase62 } from '../lib/random-id.ts';

/** Before Vault 1.10 (otp_length 0) the OTP was 16 random bytes, base64. */
const LEGACY_OTP_BYTES = 16;

/** An OTP for `generate-root -init -otp`: base62 of the server's otp_length, as the vault CLI. */
export function generateOtp(otpLength: number): string {
  if (otpLength === 0) return randomBytes(LEGACY_OTP_BYTES).toString('base64');
  return randomBase62(otpLength);
}

/**
 * The new root token from generate-root's encoded_token: base64 without padding, XORed with the
 * OTP's bytes. With otp_length 0, the pre-1.10 scheme: both base64, XORed, shown as a UUID.
 */
export function decodeRootToken(encoded: string, otp: string, otpLength: number): string {
  if (otpLength === 0) return formatUuid(xor(fromBase64(encoded, 'token'), fromBase64(otp, 'OTP')));
  const tokenBytes = fromBase64(encoded.replace(/=+$/, ''), 'token');
  return xor(Buffer.from(otp, 'utf8'), tokenBytes).toString('utf8');
}

function xor(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) {
    throw new SealboxError('invalid_request', `error xoring token: length of byte slices is not equivalent: ${a.length} != ${b.length}`);
  }
  return Buffer.from(a.map((byte, index) => byte ^ b[index]!));
}

function fromBase64(value: string, what: string): Buffer {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(trimmed)) {
    throw new SealboxError('invalid_request', `error decoding base64'd ${what}: illegal base64 data`);
  }
  return Buffer.from(trimmed, 'base64');
}

function formatUuid(bytes: Buffer): string {
  if (bytes.length !== 16) throw new SealboxError('invalid_request', `error formatting base64 token value: wrong length byte slice (${bytes.length})`);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
