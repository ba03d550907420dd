import test from 'ava';
import { decodeRootToken, generateOtp } from '../../src/cli/root-token-otp.ts';

function encode(token: string, otp: string): string {
  const xored = Buffer.from(Buffer.from(token).map((byte, index) => byte ^ otp.charCodeAt(index)));
  return xored.toString('base64').replace(/=+$/, '');
}

test('decodes an encoded root token: raw base64, XOR with the OTP (vault-api.md 2.8)', (t) => {
  const token = 'hvs.abcdefghijklmnopqrstuvwx';
  const otp = generateOtp(28);
  t.regex(otp, /^[0-9A-Za-z]{28}$/);
  t.is(decodeRootToken(encode(token, otp), otp, 28), token);
});

test('an OTP of the wrong length is refused, not decoded into garbage', (t) => {
  const token = 'hvs.abcdefghijklmnopqrstuvwx';
  const otp = generateOtp(28);
  const error = t.throws(() => decodeRootToken(encode(token, otp), otp.slice(1), 28));
  t.is(error?.message, 'error xoring token: length of byte slices is not equivalent: 27 != 28');
});

test('otp_length 0 is the pre-1.10 scheme: base64 OTP of 16 bytes, token shown as a UUID', (t) => {
  const otp = generateOtp(0);
  t.is(Buffer.from(otp, 'base64').length, 16);
  const uuidBytes = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
  const otpBytes = Buffer.from(otp, 'base64');
  const encoded = Buffer.from(uuidBytes.map((byte, index) => byte ^ otpBytes[index]!)).toString('base64');
  t.is(decodeRootToken(encoded, otp, 0), '01234567-89ab-cdef-0123-456789abcdef');
});
