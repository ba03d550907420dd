import test from 'ava';
import { isSealboxError } from '../../../src/lib/errors.ts';
import { assertValidKey, assertValidPrefix, MAX_KEY_BYTES } from '../../../src/server/storage/storage-key.ts';

function problemOf(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (!isSealboxError(error, 'invalid_request')) throw error;
    return error.message;
  }
}

test('valid keys pass', (t) => {
  for (const key of ['a', 'core/seal-config', 'logical/0c5a/path with spaces/ü', '_x/%y/z.', '...', 'a/.hidden']) {
    t.is(problemOf(() => assertValidKey(key)), undefined, key);
  }
  t.is(problemOf(() => assertValidKey('k'.repeat(MAX_KEY_BYTES))), undefined);
});

test('each kind of invalid key is named in the message', (t) => {
  const cases: Array<[string, RegExp]> = [
    ['', /is empty/],
    ['/a', /starts with '\/'/],
    ['a/', /ends with '\/'/],
    ['a//b', /empty segment/],
    ['a/./b', /'\.' segment/],
    ['a/..', /'\.\.' segment/],
    ['a\0b', /control character/],
    ['a\u009bb', /control character/],
    ['\ud800', /well-formed/],
    ['é'.repeat(MAX_KEY_BYTES / 2 + 1), /longer than 4096 bytes/],
  ];
  for (const [key, problem] of cases) t.regex(problemOf(() => assertValidKey(key)) ?? 'valid', problem, JSON.stringify(key));
});

test('messages quote the key escaped and bounded', (t) => {
  t.is(problemOf(() => assertValidKey('a\nb')), 'invalid storage key "a\\nb": it contains a NUL or control character');
  const message = problemOf(() => assertValidKey(`${'x'.repeat(200)}//`)) ?? '';
  t.true(message.length < 200);
});

test('list prefixes are empty or a valid key followed by a slash', (t) => {
  for (const prefix of ['', 'a/', 'a/b/']) t.is(problemOf(() => assertValidPrefix(prefix)), undefined, prefix);
  t.regex(problemOf(() => assertValidPrefix('a')) ?? '', /must be empty or end with '\/'/);
  t.regex(problemOf(() => assertValidPrefix('/')) ?? '', /is empty/);
  t.regex(problemOf(() => assertValidPrefix('a//')) ?? '', /ends with '\/'/);
  t.regex(problemOf(() => assertValidPrefix('../')) ?? '', /'\.\.' segment/);
});
