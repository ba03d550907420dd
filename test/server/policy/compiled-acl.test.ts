import test from 'ava';
import type { Operation } from '../../../src/server/logical/operation.ts';
import type { Acl } from '../../../src/server/policy/acl.ts';
import { CompiledAcl } from '../../../src/server/policy/compiled-acl.ts';
import { parsePolicy } from '../../../src/server/policy/parse-policy.ts';
import { ROOT_ACL } from '../../../src/server/policy/root-acl.ts';

const APP = `
path "secret/foo"          { capabilities = ["read"] }
path "secret/list-me"      { capabilities = ["list"] }
path "secret/*"            { capabilities = ["read", "list"] }
path "secret/restricted/*" { capabilities = ["deny"] }
path "secret/team-*"       { capabilities = ["create", "update"] }
path "kv/+/config"         { capabilities = ["read"] }
path "kv/+/+/config"       { capabilities = ["update"] }
path "kv/+/team*"          { capabilities = ["list"] }
path "kv/data/*"           { capabilities = ["delete"] }
path "kv/data/+/x"         { capabilities = ["patch"] }
path "a/b/+"               { capabilities = ["read"] }
path "a/*"                 { capabilities = ["list"] }
path "b/+/c"               { capabilities = ["list"] }
path "b/c*"                { capabilities = ["read"] }
path "p/+/x"               { capabilities = ["read"] }
path "p/+/x*"              { capabilities = ["list"] }
path "q/+/+/z"             { capabilities = ["list"] }
path "q/+/y/z"             { capabilities = ["read"] }
path "r/+/a*"              { capabilities = ["list"] }
path "r/+/ab*"             { capabilities = ["read"] }
path "t/+/+/y"             { capabilities = ["list"] }
path "t/+/x/+"             { capabilities = ["read"] }
path "sys/seal"            { capabilities = ["update", "sudo"] }
path "sys/audit"           { capabilities = ["update"] }
path "sys/audit/*"         { capabilities = ["read", "sudo"] }
path "sys/raw/*"           { capabilities = ["read", "sudo"] }
path "identity/entity/id/{{identity.entity.id}}" { capabilities = ["read"] }
path "params/create" {
  capabilities        = ["create", "update"]
  allowed_parameters  = { "name" = [], "mode" = ["ro", "rw*"] }
  denied_parameters   = { "debug" = [] }
  required_parameters = ["name"]
}
path "params/deny-all" {
  capabilities      = ["update"]
  denied_parameters = { "*" = [] }
}
path "params/any" {
  capabilities       = ["update"]
  allowed_parameters = { "*" = [], "level" = ["1", "2"] }
}
path "params/delete" {
  capabilities        = ["delete"]
  required_parameters = ["x"]
}
path "wrap/*" {
  capabilities     = ["read"]
  min_wrapping_ttl = "1s"
}
`;

/** A second policy of the same token: merged per pattern with APP. */
const OPS = `
path "secret/foo"    { capabilities = ["update"] }
path "secret/team-*" { capabilities = ["deny"] }
path "kv/+/config"   { capabilities = ["list"] }
path "sys/raw/*"     { capabilities = ["deny"] }
`;

type AclName = 'app' | 'app+ops' | 'root';

const acls: Promise<Record<AclName, Acl>> = (async () => {
  const [app, ops] = await Promise.all([parsePolicy(APP), parsePolicy(OPS)]);
  return { app: CompiledAcl.compile([app]), 'app+ops': CompiledAcl.compile([app, ops]), root: ROOT_ACL };
})();

interface Case {
  readonly acl: AclName;
  readonly operation: Operation;
  readonly path: string;
  readonly allowed: boolean;
  readonly sudo?: boolean;
  readonly data?: Record<string, unknown>;
  readonly why: string;
}

const CASES: readonly Case[] = [
  // Exact rules, merged across policies.
  { acl: 'app+ops', operation: 'read', path: 'secret/foo', allowed: true, why: 'exact rule' },
  { acl: 'app+ops', operation: 'update', path: 'secret/foo', allowed: true, why: 'capability from the second policy, same pattern' },
  { acl: 'app', operation: 'update', path: 'secret/foo', allowed: false, why: 'the first policy alone lacks update' },
  { acl: 'app+ops', operation: 'delete', path: 'secret/foo', allowed: false, why: 'neither policy grants delete' },
  { acl: 'app+ops', operation: 'read', path: 'secret/list-me', allowed: false, why: 'an exact rule beats the glob that would grant read' },
  { acl: 'app+ops', operation: 'read', path: '/secret/bar', allowed: true, why: 'leading slashes are ignored' },
  // `*` suffix.
  { acl: 'app+ops', operation: 'read', path: 'secret/bar', allowed: true, why: 'glob suffix' },
  { acl: 'app+ops', operation: 'read', path: 'secret/a/b/c', allowed: true, why: 'glob covers deeper paths' },
  { acl: 'app+ops', operation: 'read', path: 'secret', allowed: false, why: 'secret/* does not cover secret itself' },
  { acl: 'app+ops', operation: 'update', path: 'secret/bar', allowed: false, why: 'glob grants read and list only' },
  { acl: 'app+ops', operation: 'list', path: 'secret/', allowed: true, why: 'listing the folder the glob covers' },
  { acl: 'app+ops', operation: 'list', path: 'secret/sub/', allowed: true, why: 'listing below the glob' },
  { acl: 'app', operation: 'create', path: 'secret/team-a/x', allowed: true, why: 'glob prefix inside a segment' },
  { acl: 'app+ops', operation: 'create', path: 'secret/team-a/x', allowed: false, why: 'deny in one policy overrides the other' },
  { acl: 'app+ops', operation: 'read', path: 'secret/restricted/x', allowed: false, why: 'a longer deny glob wins' },
  { acl: 'app+ops', operation: 'list', path: 'secret/restricted/sub/', allowed: false, why: 'deny also blocks listing' },
  {
    acl: 'app+ops',
    operation: 'list',
    path: 'secret/restricted/',
    allowed: true,
    why: 'as in Vault, LIST first tries the folder without its slash, which secret/* matches and secret/restricted/* does not',
  },
  // LIST fallback.
  { acl: 'app+ops', operation: 'list', path: 'secret/list-me/', allowed: true, why: 'LIST falls back to the exact rule without the slash' },
  { acl: 'app+ops', operation: 'list', path: 'kv/app/config/', allowed: true, why: 'LIST tries the + rule on the path without the slash' },
  // `+` segments.
  { acl: 'app+ops', operation: 'read', path: 'kv/app/config', allowed: true, why: '+ matches one segment' },
  { acl: 'app+ops', operation: 'read', path: 'kv/app/sub/config', allowed: false, why: 'a + rule needs the same segment count' },
  { acl: 'app+ops', operation: 'update', path: 'kv/app/sub/config', allowed: true, why: 'two + segments' },
  { acl: 'app+ops', operation: 'read', path: 'kv/config', allowed: false, why: '+ needs a segment to be there' },
  { acl: 'app+ops', operation: 'read', path: 'kv/app/config/x', allowed: false, why: 'a + rule without * is not a prefix' },
  // `+` with `*`.
  { acl: 'app+ops', operation: 'list', path: 'kv/x/teamb/', allowed: true, why: '+ then a glob within the last segment' },
  { acl: 'app+ops', operation: 'list', path: 'kv/x/teamb/deep/', allowed: true, why: 'the glob continues below' },
  { acl: 'app+ops', operation: 'list', path: 'kv/x/other/', allowed: false, why: 'the last segment does not start with team' },
  // Priority between non-exact rules.
  { acl: 'app+ops', operation: 'patch', path: 'kv/data/a/x', allowed: true, why: 'same first wildcard: non-glob beats glob' },
  { acl: 'app+ops', operation: 'delete', path: 'kv/data/a/x', allowed: false, why: 'only the winning rule counts, none are unioned' },
  { acl: 'app+ops', operation: 'delete', path: 'kv/data/a/y', allowed: true, why: 'only the glob matches here' },
  { acl: 'app+ops', operation: 'read', path: 'a/b/c', allowed: true, why: 'later first wildcard (a/b/+) beats a/*' },
  { acl: 'app+ops', operation: 'list', path: 'a/b/c', allowed: false, why: 'the losing glob does not add list' },
  { acl: 'app+ops', operation: 'read', path: 'b/c/c', allowed: true, why: 'b/c* has its wildcard later than b/+/c' },
  { acl: 'app+ops', operation: 'read', path: 'p/q/x', allowed: true, why: 'p/+/x beats p/+/x*: non-glob wins' },
  { acl: 'app+ops', operation: 'list', path: 'p/q/xy/', allowed: true, why: 'only the glob matches p/q/xy' },
  { acl: 'app+ops', operation: 'read', path: 'q/a/y/z', allowed: true, why: 'fewer + segments win' },
  { acl: 'app+ops', operation: 'read', path: 'r/x/abc', allowed: true, why: 'the longer pattern wins' },
  { acl: 'app+ops', operation: 'list', path: 'r/x/abc', allowed: false, why: 'the shorter pattern loses entirely' },
  { acl: 'app+ops', operation: 'read', path: 't/a/x/y', allowed: true, why: 'tie broken by the lexicographically greater pattern' },
  // Sudo.
  { acl: 'app+ops', operation: 'update', path: 'sys/seal', sudo: true, allowed: true, why: 'sudo granted' },
  { acl: 'app+ops', operation: 'update', path: 'sys/audit', sudo: true, allowed: false, why: 'update without sudo on a root path' },
  { acl: 'app+ops', operation: 'update', path: 'sys/audit', allowed: true, why: 'no sudo needed off root paths' },
  { acl: 'app+ops', operation: 'read', path: 'sys/audit/file', sudo: true, allowed: true, why: 'sudo from a glob rule' },
  { acl: 'app+ops', operation: 'update', path: 'sys/audit/file', sudo: true, allowed: false, why: 'sudo alone grants no operation' },
  { acl: 'app', operation: 'read', path: 'sys/raw/x', sudo: true, allowed: true, why: 'read and sudo' },
  { acl: 'app+ops', operation: 'read', path: 'sys/raw/x', sudo: true, allowed: false, why: 'deny overrides sudo' },
  // Parameter constraints.
  { acl: 'app', operation: 'create', path: 'params/create', data: { name: 'x' }, allowed: true, why: 'required and allowed' },
  { acl: 'app', operation: 'create', path: 'params/create', data: {}, allowed: false, why: 'required parameter missing' },
  { acl: 'app', operation: 'update', path: 'params/create', data: { name: 'x', mode: 'rw-all' }, allowed: true, why: 'value matches a glob' },
  { acl: 'app', operation: 'update', path: 'params/create', data: { name: 'x', mode: 'admin' }, allowed: false, why: 'value not allowed' },
  { acl: 'app', operation: 'update', path: 'params/create', data: { name: 'x', Debug: true }, allowed: false, why: 'denied key, compared lower-cased' },
  { acl: 'app', operation: 'update', path: 'params/create', data: { name: 'x', other: 1 }, allowed: false, why: 'key not in the allow-list' },
  { acl: 'app', operation: 'update', path: 'params/deny-all', data: {}, allowed: true, why: 'no data, nothing to deny' },
  { acl: 'app', operation: 'update', path: 'params/deny-all', data: { a: 1 }, allowed: false, why: '* denies every parameter' },
  { acl: 'app', operation: 'update', path: 'params/any', data: { anything: 1 }, allowed: true, why: '* allows any key' },
  { acl: 'app', operation: 'update', path: 'params/any', data: { level: '3' }, allowed: false, why: 'listed key keeps its values' },
  { acl: 'app', operation: 'update', path: 'params/any', data: { level: '1,2' }, allowed: true, why: 'a comma list is checked item by item' },
  { acl: 'app', operation: 'delete', path: 'params/delete', data: {}, allowed: true, why: 'parameters are not checked for delete' },
  // Wrapping TTLs and templates.
  { acl: 'app', operation: 'read', path: 'wrap/x', allowed: false, why: 'a wrapping TTL bound refuses unwrapped requests' },
  { acl: 'app', operation: 'read', path: 'identity/entity/id/{{identity.entity.id}}', allowed: false, why: 'templated rules are dropped' },
  // Root.
  { acl: 'root', operation: 'delete', path: 'anything/at/all', sudo: true, allowed: true, why: 'root allows everything' },
  { acl: 'app+ops', operation: 'read', path: 'nothing/here', allowed: false, why: 'no rule, no access' },
];

for (const c of CASES) {
  const title = `${c.acl}: ${c.operation} ${c.path}${c.sudo === true ? ' (sudo)' : ''}${c.data === undefined ? '' : ` ${JSON.stringify(c.data)}`} -> ${c.allowed ? 'allowed' : 'denied'}: ${c.why}`;
  test(title, async (t) => {
    const acl = (await acls)[c.acl];
    t.is(acl.allows(c.path, c.operation, c.sudo ?? false, c.data), c.allowed);
  });
}

test('capabilities report the winning rule, sorted, with root and deny as Vault does', async (t) => {
  const { 'app+ops': acl, root } = await acls;
  t.deepEqual(root.capabilities('any/path'), ['root']);
  t.deepEqual(acl.capabilities('secret/foo'), ['read', 'update']);
  t.deepEqual(acl.capabilities('secret/list-me'), ['list']);
  t.deepEqual(acl.capabilities('secret/list-me/'), ['list']);
  t.deepEqual(acl.capabilities('kv/app/config'), ['list', 'read']);
  t.deepEqual(acl.capabilities('sys/seal'), ['sudo', 'update']);
  t.deepEqual(acl.capabilities('secret/restricted/x'), ['deny']);
  t.deepEqual(acl.capabilities('nothing/here'), ['deny']);
});

test('grantsAnythingUnder finds grants on, below, or reachable by + rules under a mount', async (t) => {
  const { app, root } = await acls;
  t.true(root.grantsAnythingUnder('anything/'));
  t.true(app.grantsAnythingUnder('secret/'), 'a glob on the mount itself');
  t.true(app.grantsAnythingUnder('kv/'), 'rules below the mount');
  t.true(app.grantsAnythingUnder('sys/'), 'exact rules below the mount');
  t.false(app.grantsAnythingUnder('nothing/'));
  const segmentOnly = CompiledAcl.compile([await parsePolicy('path "+/config" { capabilities = ["read"] }\npath "apps/+/x" { capabilities = ["deny"] }\npath "other/+/y" { capabilities = ["read"] }')]);
  t.true(segmentOnly.grantsAnythingUnder('anything/'), 'a leading + reaches below any mount');
  t.true(segmentOnly.grantsAnythingUnder('other/'));
  t.false(CompiledAcl.compile([await parsePolicy('path "apps/+/x" { capabilities = ["deny"] }')]).grantsAnythingUnder('apps/'), 'deny grants nothing');
  t.false(CompiledAcl.compile([await parsePolicy('path "other/+/y" { capabilities = ["read"] }')]).grantsAnythingUnder('apps/'));
});
