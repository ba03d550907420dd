import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { secretsEqual } from '../../../src/lib/constant-time.ts';

/*
 * Timing cannot be measured reliably on a shared two-core machine, so this is a lint: every
 * comparison in src/ with an operand named like a secret must go through secretsEqual (or a
 * lookup by salted hash, as the token store does), except the reviewed ones below.
 */
const SECRET_NAME = /^(?:token|secret|password|otp|hmac|share|nonce|clientToken|secretId|roleId|rootKey|unsealKey|[a-z]+(?:Token|Secret|Password|Otp|Hmac|Share|Key))$/;
const COMPARISON = /([A-Za-z_$][\w$.]*(?:\(\))?)\s*(?:===|!==)\s*([A-Za-z_$][\w$.]*(?:\(\))?)/g;
const NOT_A_VALUE = new Set(['undefined', 'null', 'true', 'false']);

/** file: why a plain comparison is right there. */
const REVIEWED: Readonly<Record<string, string>> = {
  // Rekey and generate-root nonces are public: anyone may read them from the status endpoints.
  'src/server/core/generate-root-operation.ts': 'nonce',
  'src/server/core/rekey-operation.ts': 'nonce',
  // Keeps the role-id index in step with the role; no caller-supplied value is checked here.
  'src/server/auth/approle/role-store.ts': 'index maintenance',
  // Offline verification of an audit log the operator holds; the chain HMACs are in the log itself.
  'src/server/audit/chain-verifier.ts': 'offline',
};

async function sourceFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => join(entry.parentPath, entry.name));
}

test('secrets are compared in constant time: no plain comparison of a secret-named value in src/', async (t) => {
  const found: string[] = [];
  for (const file of await sourceFiles('src/server')) {
    if (REVIEWED[file] !== undefined) continue;
    const lines = (await readFile(file, 'utf8')).split('\n');
    for (const [index, line] of lines.entries()) {
      for (const [, left = '', right = ''] of line.matchAll(COMPARISON)) {
        const names = [left, right].map((operand) => operand.replace(/\(\)$/, '').split('.').at(-1)!);
        if (names.some((name) => NOT_A_VALUE.has(name))) continue;
        if (names.some((name) => SECRET_NAME.test(name))) found.push(`${file}:${index + 1}: ${line.trim()}`);
      }
    }
  }
  t.deepEqual(found, []);
});

test('the lint finds what it looks for', (t) => {
  const [match] = 'if (clientToken === stored.token) {'.matchAll(COMPARISON);
  t.truthy(match);
  t.true(SECRET_NAME.test('clientToken'));
  t.false(SECRET_NAME.test('tokenType'));
});

test('secretsEqual: equal inputs only, whatever their lengths', (t) => {
  t.true(secretsEqual('hvs.abc', 'hvs.abc'));
  t.false(secretsEqual('hvs.abc', 'hvs.abd'));
  t.false(secretsEqual('hvs.abc', 'hvs.abcd'));
  t.true(secretsEqual(Buffer.from('k'), new Uint8Array([0x6b])));
});
