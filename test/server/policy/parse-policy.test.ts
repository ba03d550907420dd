import test from 'ava';
import { isSealboxError } from '../../../src/lib/errors.ts';
import { decodePolicyText } from '../../../src/server/policy/decode-policy-text.ts';
import { parsePolicy } from '../../../src/server/policy/parse-policy.ts';
import { CAPABILITY_BITS, capabilityNames } from '../../../src/server/policy/permissions.ts';

function namesOf(bits: number): string[] {
  return capabilityNames(bits);
}

async function parseError(text: string): Promise<string> {
  const error = await parsePolicy(text).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isSealboxError(error, 'invalid_request')) throw new Error(`expected a 400, got ${String(error)}`);
  return error.message;
}

test('HCL path blocks become rules with their capabilities', async (t) => {
  const policy = await parsePolicy(`
path "secret/data/app/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}
path "sys/seal" { capabilities = ["update", "sudo"] }
`);
  t.deepEqual(
    policy.rules.map((rule) => [rule.path, namesOf(rule.permissions.bits)]),
    [
      ['secret/data/app/*', ['create', 'delete', 'list', 'patch', 'read', 'update']],
      ['sys/seal', ['sudo', 'update']],
    ],
  );
});

test('JSON policies are accepted in the object and the list form', async (t) => {
  const objectForm = await parsePolicy('{"path": {"secret/*": {"capabilities": ["read", "list"]}, "sys/seal": {"capabilities": ["sudo"]}}}');
  t.deepEqual(objectForm.rules.map((rule) => rule.path), ['secret/*', 'sys/seal']);
  const listForm = await parsePolicy('{"path": [{"kv/a": {"capabilities": ["read"]}}, {"kv/b": [{"capabilities": ["list"]}]}]}');
  t.deepEqual(listForm.rules.map((rule) => [rule.path, namesOf(rule.permissions.bits)]), [['kv/a', ['read']], ['kv/b', ['list']]]);
});

test('base64 of a policy is decoded, plain text is left alone', (t) => {
  const text = 'path "kv/*" { capabilities = ["read"] }';
  t.is(decodePolicyText(Buffer.from(text).toString('base64')), text);
  t.is(decodePolicyText(text), text);
  const json = '{"path":{"kv/*":{"capabilities":["read"]}}}';
  const wrapped = Buffer.from(json).toString('base64').replace(/(.{16})/g, '$1\n');
  t.is(decodePolicyText(wrapped), json);
  // Looks like base64 but is not a whole number of groups: kept as text, as Go's decoder rejects it.
  t.is(decodePolicyText('abc'), 'abc');
});

test('a leading slash is stripped and a templated path is marked', async (t) => {
  const policy = await parsePolicy(`
path "/secret/foo" { capabilities = ["read"] }
path "identity/entity/id/{{identity.entity.id}}" { capabilities = ["read"] }
`);
  t.deepEqual(policy.rules.map((rule) => [rule.path, rule.templated]), [['secret/foo', false], ['identity/entity/id/{{identity.entity.id}}', true]]);
});

test('legacy policy values map to capabilities', async (t) => {
  const policy = await parsePolicy(`
path "a" { policy = "deny" }
path "b" { policy = "read" }
path "c" { policy = "write" }
path "d" { policy = "sudo" }
path "e" {
  capabilities = ["patch"]
  policy = "read"
}
`);
  t.deepEqual(policy.rules.map((rule) => namesOf(rule.permissions.bits)), [
    ['deny'],
    ['list', 'read'],
    ['create', 'delete', 'list', 'read', 'update'],
    ['create', 'delete', 'list', 'read', 'sudo', 'update'],
    ['list', 'patch', 'read'],
  ]);
});

test('deny makes a rule deny-only and ignores the rest of the rule', async (t) => {
  const policy = await parsePolicy(`
path "a" {
  capabilities = ["read", "deny", "update"]
  allowed_parameters = { "x" = [] }
}
`);
  t.is(policy.rules[0]?.permissions.bits, CAPABILITY_BITS.deny);
  t.is(policy.rules[0]?.permissions.allowedParameters.size, 0);
});

test('parameter constraints and wrapping TTLs are parsed, keys lower-cased', async (t) => {
  const policy = await parsePolicy(`
path "secret/restricted" {
  capabilities         = ["create", "update"]
  allowed_parameters   = { "Data" = [], "mode" = ["a", "b*"] }
  denied_parameters    = { "debug" = [] }
  required_parameters  = ["data"]
  min_wrapping_ttl     = "1s"
  max_wrapping_ttl     = 90
  comment              = "kept out of the ACL"
}
`);
  const permissions = policy.rules[0]?.permissions;
  t.deepEqual([...(permissions?.allowedParameters ?? [])], [['data', []], ['mode', ['a', 'b*']]]);
  t.deepEqual([...(permissions?.deniedParameters ?? [])], [['debug', []]]);
  t.deepEqual(permissions?.requiredParameters, ['data']);
  t.is(permissions?.minWrappingTtl, 1);
  t.is(permissions?.maxWrappingTtl, 90);
});

test('Vault-only and newer capabilities and keys are accepted', async (t) => {
  const policy = await parsePolicy(`
path "events/*" {
  capabilities = ["read", "subscribe", "recover"]
  subscribe_event_types = ["kv*"]
  mfa_methods = ["m"]
}
name = "ignored"
`);
  t.deepEqual(namesOf(policy.rules[0]?.permissions.bits ?? 0), ['read']);
});

test('an empty policy has no rules', async (t) => {
  t.deepEqual((await parsePolicy('# nothing yet\n')).rules, []);
});

test('an unknown capability is a 400 naming the path and the capability', async (t) => {
  t.is(await parseError('path "secret/*" { capabilities = ["read", "fly"] }'), 'failed to parse policy: path "secret/*": invalid capability "fly"');
});

test('an unknown key in a path block is a 400 with its line, as Vault reports it', async (t) => {
  const message = await parseError('path "a" { capabilities = ["read"] }\npath "secret/*" {\n  capabilities = ["read"]\n  capabilitys = ["list"]\n}\n');
  t.is(message, 'failed to parse policy: 1 error occurred:\n\t* path "secret/*": invalid key "capabilitys" on line 4\n\n');
});

test('unknown top-level keys are a 400 listing each', async (t) => {
  const message = await parseError('paths "a" {\n}\nrule = 1\n');
  t.is(message, 'failed to parse policy: 2 errors occurred:\n\t* invalid key "paths" on line 1\n\t* invalid key "rule" on line 3\n\n');
});

test('an unknown key in a JSON policy is a 400 as well', async (t) => {
  const message = await parseError('{"path": {"kv/*": {"capabilities": ["read"], "allow": true}}}');
  t.regex(message, /^failed to parse policy: 1 error occurred:\n\t\* path "kv\/\*": invalid key "allow" on line 1\n\n$/);
});

test('an invalid legacy policy, "+*" and a bad TTL are 400s', async (t) => {
  t.is(await parseError('path "a" { policy = "admin" }'), 'failed to parse policy: path "a": invalid policy "admin"');
  t.is(await parseError('path "a/+*" { capabilities = ["read"] }'), `failed to parse policy: path "a/+*": invalid use of wildcards ('+*' is forbidden)`);
  t.is(await parseError('path "a" {\n capabilities = ["read"]\n min_wrapping_ttl = "soon"\n}'), 'failed to parse policy: error parsing min_wrapping_ttl: time: invalid duration "soon"');
  t.is(
    await parseError('path "a" {\n capabilities = ["read"]\n min_wrapping_ttl = "1m"\n max_wrapping_ttl = "10s"\n}'),
    'failed to parse policy: max_wrapping_ttl cannot be less than min_wrapping_ttl',
  );
});

test('wrongly typed values are 400s naming the setting', async (t) => {
  t.is(await parseError('path "a" { capabilities = 5 }'), 'failed to parse policy: path "a": capabilities: expected a list of strings');
  t.is(
    await parseError('path "a" { allowed_parameters = ["x"] }'),
    'failed to parse policy: path "a": allowed_parameters: expected a map of parameter names to lists of values',
  );
  t.is(await parseError('path = "a"'), 'failed to parse policy: each path block needs the path it applies to as its label');
});

test('HCL syntax errors are 400s with the position', async (t) => {
  const message = await parseError('path "a" {\n capabilities = ["read"\n}\n');
  t.regex(message, /^failed to parse policy: At 3:1: /);
});

test('JSON syntax errors and non-object documents are 400s', async (t) => {
  t.regex(await parseError('{"path": '), /^failed to parse policy: /);
  t.is(await parseError('{"path": {"a": 1}}'), 'failed to parse policy: path "a": expected a block of settings');
});
