import { SealboxError } from '../../lib/errors.ts';
import { randomBase62 } from '../../lib/random-id.ts';

/**
 * The one-time pad of generate-root. Vault XORs the new root token with an OTP of the token's
 * length and sends raw (unpadded) standard base64; `vault operator generate-root -decode` undoes it
 * after reading otp_length from the attempt status. Root tokens are `hvs.` plus 24 base62
 * characters, so the OTP has 28.
 */
export const OTP_LENGTH = 28;

export function generateOtp(): string {
  return randomBase62(OTP_LENGTH);
}

export function encodeToken(token: string, otp: string): string {
  return xor(Buffer.from(token, 'utf8'), Buffer.from(otp, 'utf8')).toString('base64').replace(/=+$/, '');
}

function xor(a: Buffer, b: Buffer): Buffer {
  // Only reachable if token and OTP lengths drift apart; the OTP is validated when the attempt starts.
  if (a.length !== b.length) throw new SealboxError('internal', 'the root token and the OTP differ in length');
  return Buffer.from(a.map((byte, index) => byte ^ b[index]!));
}
