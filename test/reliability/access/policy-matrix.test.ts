import test from 'ava';
import fc from 'fast-check';
import { startApiServer } from '../helpers/api-server.ts';
import type { ApiCall } from '../helpers/api-server.ts';
import { rawRequest } from '../helpers/raw-request.ts';
import { fuzzRuns } from '../helpers/soak.ts';

/*
 * A generated matrix: policies of one rule each (so no precedence question arises) x paths x
 * operations, each checked against an oracle written from Vault's documented rules: `*` at the
 * end is a prefix, `+` is exactly one segment, `deny` wins, and a write needs `create` for a new
 * key and `update` for an existing one.
 */
type Capability = 'create' | 'read' | 'update' | 'delete' | 'list' | 'deny';
type Operation = 'read' | 'list' | 'create' | 'update' | 'delete';

const CAPABILITIES: readonly Capability[] = ['create', 'read', 'update', 'delete', 'list', 'deny'];
const PATTERNS = [
  'kv1/team-a/x', 'kv1/team-a/*', 'kv1/team-*', 'kv1/+/x', 'kv1/+/deep/*', 'kv1/team-b/deep/y', 'kv1/*', 'kv1/shared/+/config',
];
/** Paths with an existing key (update, read) beside their fresh siblings (create). */
const DIRECTORIES = ['kv1/team-a', 'kv1/team-b', 'kv1/team-b/deep', 'kv1/shared/one', 'kv1/other'];
const EXISTING = ['kv1/team-a/x', 'kv1/team-b/x', 'kv1/team-b/deep/y', 'kv1/shared/one/config', 'kv1/other/x'];

interface Rule {
  readonly pattern: string;
  readonly capabilities: readonly Capability[];
}

function matches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const body = glob ? pattern.slice(0, -1) : pattern;
  const wanted = body.split('/');
  const given = path.split('/');
  if (glob ? given.length < wanted.length : given.length !== wanted.length) return false;
  return wanted.every((segment, index) => {
    const actual = given[index]!;
    if (segment === '+') return true;
    // The last segment of a glob pattern is a string prefix of the path's segment.
    if (glob && index === wanted.length - 1) return actual.startsWith(segment);
    return actual === segment;
  });
}

function expected(rule: Rule, operation: Operation, path: string): boolean {
  const requestPath = operation === 'list' ? `${path}/` : path;
  if (!matches(rule.pattern, requestPath) || rule.capabilities.includes('deny')) return false;
  return rule.capabilities.includes(operation);
}

// deny in one rule of six, so that most rules grant something.
const ruleArbitrary = fc.record({
  pattern: fc.constantFrom(...PATTERNS),
  capabilities: fc
    .tuple(fc.subarray(CAPABILITIES.filter((capability) => capability !== 'deny'), { minLength: 1 }), fc.integer({ min: 0, max: 5 }))
    .map(([granted, dice]): Capability[] => (dice === 0 ? [...granted, 'deny'] : granted)),
});

/** Always in the matrix besides the generated rules: one that grants everything, one that denies it. */
const FIXED_RULES: readonly Rule[] = [
  { pattern: 'kv1/*', capabilities: ['create', 'read', 'update', 'delete', 'list'] },
  { pattern: 'kv1/*', capabilities: ['read', 'list', 'deny'] },
];

async function perform(call: ApiCall, token: string, operation: Operation, path: string, fresh: number): Promise<{ status: number; target: string }> {
  switch (operation) {
    case 'read':
      return { status: (await call('GET', path, undefined, token)).status, target: path };
    case 'list':
      return { status: (await call('LIST', path, undefined, token)).status, target: `${path}/` };
    case 'delete':
      return { status: (await call('DELETE', path, undefined, token)).status, target: path };
    case 'update':
      return { status: (await call('PUT', path, { v: 'updated' }, token)).status, target: path };
    case 'create': {
      const target = `${path.slice(0, path.lastIndexOf('/'))}/fresh-${fresh}`;
      return { status: (await call('PUT', target, { v: 'created' }, token)).status, target };
    }
  }
}

test('a generated matrix of policies x paths x operations matches the expected decisions', async (t) => {
  t.timeout(10 * 60_000);
  const { call } = await startApiServer(t);
  t.is((await call('POST', 'sys/mounts/kv1', { type: 'kv' })).status, 204);
  const rules = [...FIXED_RULES, ...fc.sample(ruleArbitrary, { numRuns: fuzzRuns(16) })];
  let fresh = 0;
  let checked = 0;
  let allowedCount = 0;
  for (const [index, rule] of rules.entries()) {
    const hcl = `path "${rule.pattern}" { capabilities = ${JSON.stringify(rule.capabilities)} }`;
    t.is((await call('PUT', `sys/policies/acl/matrix-${index}`, { policy: hcl })).status, 204);
    const token = (await call('POST', 'auth/token/create', { policies: [`matrix-${index}`], no_default_policy: true })).json['auth'].client_token as string;
    // Deletes and updates must find the keys in place: restore them as root before each rule.
    for (const path of EXISTING) t.is((await call('PUT', path, { v: 'seed' })).status, 204);
    const cases: Array<[Operation, string]> = [
      ...EXISTING.flatMap((path) => (['read', 'update', 'delete', 'create'] as const).map((operation): [Operation, string] => [operation, path])),
      ...DIRECTORIES.map((path): [Operation, string] => ['list', path]),
    ];
    for (const [operation, path] of cases) {
      const { status, target } = await perform(call, token, operation, path, fresh++);
      const allowed = expected(rule, operation, target);
      t.true(status < 500, `${operation} ${target}: ${status}`);
      t.is(status !== 403, allowed, `${hcl} / ${operation} ${target} answered ${status}`);
      checked += 1;
      if (allowed) allowedCount += 1;
    }
  }
  t.true(checked >= 16 * 25);
  t.true(allowedCount >= 25 && allowedCount < checked, `${allowedCount} of ${checked} allowed: the matrix has both answers`);
});

test('tokens of one team never reach what another team owns, whatever the operation', async (t) => {
  const { call, server } = await startApiServer(t);
  t.is((await call('POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } })).status, 204);
  const teams = ['red', 'green', 'blue'];
  const tokens = new Map<string, string>();
  for (const team of teams) {
    const policy = `path "kv/data/${team}/*" { capabilities = ["create", "read", "update", "delete", "list", "patch"] }\npath "kv/metadata/${team}/*" { capabilities = ["read", "list", "delete"] }`;
    t.is((await call('PUT', `sys/policies/acl/${team}`, { policy })).status, 204);
    tokens.set(team, (await call('POST', 'auth/token/create', { policies: [team] })).json['auth'].client_token);
  }
  for (const team of teams) {
    const token = tokens.get(team)!;
    t.is((await call('PUT', `kv/data/${team}/secret`, { data: { owner: team } }, token)).status, 200);
    t.is((await call('PUT', 'cubbyhole/mine', { owner: team }, token)).status, 204);
  }
  for (const reader of teams) {
    const token = tokens.get(reader)!;
    t.is((await call('GET', 'cubbyhole/mine', undefined, token)).json['data'].owner, reader, 'a cubbyhole is private to its token');
    for (const owner of teams.filter((team) => team !== reader)) {
      const attempts: Array<[string, string, unknown]> = [
        ['GET', `kv/data/${owner}/secret`, undefined],
        ['PUT', `kv/data/${owner}/secret`, { data: { owner: reader } }],
        ['PATCH', `kv/data/${owner}/secret`, { data: { owner: reader } }],
        ['DELETE', `kv/data/${owner}/secret`, undefined],
        ['LIST', `kv/metadata/${owner}`, undefined],
        ['GET', `kv/metadata/${owner}/secret`, undefined],
        ['DELETE', `kv/metadata/${owner}/secret`, undefined],
        ['PUT', `kv/delete/${owner}/secret`, { versions: [1] }],
        ['PUT', `kv/destroy/${owner}/secret`, { versions: [1] }],
        ['GET', `kv/subkeys/${owner}/secret`, undefined],
      ];
      for (const [method, path, body] of attempts) {
        const status = (await call(method, path, body, token)).status;
        t.is(status, 403, `${reader} ${method} ${path}`);
      }
      // fetch would resolve the dots itself; sent as written, a parent reference is refused.
      const dotted = await rawRequest(server.url, { method: 'GET', target: `/v1/kv/data/${reader}/../${owner}/secret`, headers: [['X-Vault-Token', token]] });
      t.is(dotted.status, 400);
    }
  }
  for (const team of teams) t.is((await call('GET', `kv/data/${team}/secret`)).json['data'].data.owner, team, 'nothing was changed');
});
