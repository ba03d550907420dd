import test from 'ava';
import { isSealboxError } from '../../../src/lib/errors.ts';
import { checkJsonLimits, DEFAULT_JSON_LIMITS } from '../../../src/server/http/json-limits.ts';

test('a body nested far past the limit is refused without overflowing the stack', (t) => {
  const depth = 1_000_000;
  const nested = JSON.parse(`{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`);
  const error = t.throws(() => checkJsonLimits(nested, DEFAULT_JSON_LIMITS));
  t.true(isSealboxError(error, 'invalid_request'));
  t.is(error?.message, 'failed to parse JSON input: nesting depth exceeds the maximum of 500');
});

test('limits count containers, strings, entries and elements exactly at their edges', (t) => {
  const limits = { maxDepth: 2, maxStringValueLength: 3, maxObjectEntryCount: 2, maxArrayElementCount: 2 };
  t.notThrows(() => checkJsonLimits({ a: ['abc', 1], b: null }, limits));
  t.throws(() => checkJsonLimits({ a: [[1]] }, limits), { message: /nesting depth/ });
  t.throws(() => checkJsonLimits({ a: 'abcd' }, limits), { message: /string value/ });
  t.throws(() => checkJsonLimits({ a: 1, b: 2, c: 3 }, limits), { message: /object exceeds the maximum of 2 entries/ });
  t.throws(() => checkJsonLimits({ a: [1, 2, 3] }, limits), { message: /maximum of 2 elements/ });
});
