import test from 'ava';
import { encodeToken, generateOtp, OTP_LENGTH } from '../../../src/server/core/otp.ts';

test('the encoding matches the reference vector: XOR with the OTP, raw standard base64', (t) => {
  t.is(encodeToken('hvs.ABCDEFGHIJKLMNOPQRSTUVWX', '0123456789abcdefghijklmnopqr'), 'WEdBHXV3dXN9fyYqKi4uKiomJjo6Pj46OiYmKg');
});

test('a generated OTP is 28 base62 characters, the length of an hvs. root token', (t) => {
  const otps = new Set(Array.from({ length: 20 }, () => generateOtp()));
  t.is(OTP_LENGTH, 28);
  t.is(otps.size, 20);
  for (const otp of otps) t.regex(otp, /^[0-9A-Za-z]{28}$/);
});

test('an OTP of another length than the token is an internal error, not a silent truncation', (t) => {
  t.throws(() => encodeToken('hvs.ABCDEFGHIJKLMNOPQRSTUVWX', 'short'), { message: 'the root token and the OTP differ in length' });
});
