// Go's base64.StdEncoding: the standard alphabet, padding only at the end, whole 4-character groups.
const STANDARD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The policy text of a write. Vault accepts the text itself or standard base64 of it, and takes
 * whatever decodes as base64 to be base64 (it ignores line breaks inside, as Go's decoder does).
 */
export function decodePolicyText(raw: string): string {
  const compact = raw.replace(/[\r\n]/g, '');
  if (compact.length % 4 !== 0 || !STANDARD_BASE64.test(compact)) return raw;
  return Buffer.from(compact, 'base64').toString('utf8');
}
