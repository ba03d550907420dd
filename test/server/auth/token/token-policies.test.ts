import test from 'ava';
import { isSubset, matchesAnyGlob, sanitizePolicies } from '../../../../src/server/auth/token/token-policies.ts';

test('policies are trimmed, lower-cased, de-duplicated and sorted, with default on request', (t) => {
  t.deepEqual(sanitizePolicies([' Web', 'db', 'web', ''], false), ['db', 'web']);
  t.deepEqual(sanitizePolicies(['web'], true), ['default', 'web']);
  t.deepEqual(sanitizePolicies([], true), ['default']);
  t.deepEqual(sanitizePolicies(['default', 'web'], true), ['default', 'web']);
});

test('root swallows every other policy, default included', (t) => {
  t.deepEqual(sanitizePolicies(['web', 'Root', 'db'], true), ['root']);
});

test('subsets and globs', (t) => {
  t.true(isSubset(['a', 'b'], ['b']));
  t.false(isSubset(['a'], ['a', 'c']));
  t.true(matchesAnyGlob(['team-*'], 'team-a'));
  t.true(matchesAnyGlob(['*-ops-*'], 'eu-ops-1'));
  t.true(matchesAnyGlob(['*'], 'anything'));
  t.false(matchesAnyGlob(['team-*'], 'teams'));
  t.false(matchesAnyGlob(['a*a'], 'a'));
  t.false(matchesAnyGlob(['exact'], 'exactly'));
});
