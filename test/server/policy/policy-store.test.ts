import test from 'ava';
import { AesGcmBarrier } from '../../../src/server/barrier/aes-gcm-barrier.ts';
import { generateKey } from '../../../src/server/barrier/aes-gcm.ts';
import type { StorageView } from '../../../src/server/barrier/storage-view.ts';
import { DEFAULT_POLICY_TEXT } from '../../../src/server/policy/builtin-policies.ts';
import { PolicyStore } from '../../../src/server/policy/policy-store.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';

async function policyView(): Promise<{ view: StorageView; physical: InmemBackend }> {
  const physical = new InmemBackend();
  const barrier = new AesGcmBarrier(physical);
  const key = generateKey();
  await barrier.initialize(Buffer.from(key));
  await barrier.unseal(Buffer.from(key));
  return { view: barrier.view('sys/policy/'), physical };
}

async function newStore(): Promise<PolicyStore> {
  return new PolicyStore((await policyView()).view);
}

const READ_KV = 'path "kv/*" { capabilities = ["read"] }';

test('ensureDefaultPolicy writes Vault\'s default policy once and keeps an edited one', async (t) => {
  const store = await newStore();
  await store.ensureDefaultPolicy();
  t.is((await store.get('default'))?.raw, DEFAULT_POLICY_TEXT);
  const acl = await store.aclFor(['default']);
  t.true(acl.allows('sys/capabilities-self', 'update', false));
  t.true(acl.allows('auth/token/lookup-self', 'read', false));
  t.true(acl.allows('cubbyhole/anything', 'create', false));
  t.true(acl.allows('identity/oidc/provider/p/authorize', 'read', false));
  t.false(acl.allows('secret/foo', 'read', false));
  await store.put('default', READ_KV);
  await store.ensureDefaultPolicy();
  t.is((await store.get('default'))?.raw, READ_KV);
});

test('names are trimmed and lower-cased on write and read', async (t) => {
  const store = await newStore();
  await store.put('  My-Policy ', READ_KV);
  t.deepEqual(await store.get('MY-POLICY'), { name: 'my-policy', raw: READ_KV });
  t.true(await store.exists('my-policy'));
  t.deepEqual(await store.list(), ['my-policy', 'root']);
});

test('root cannot be written or deleted, default cannot be deleted, response-wrapping is fixed', async (t) => {
  const store = await newStore();
  await store.ensureDefaultPolicy();
  await t.throwsAsync(store.put('root', READ_KV), { message: 'cannot update "root" policy' });
  await t.throwsAsync(store.put('ROOT', READ_KV), { message: 'cannot update "root" policy' });
  await t.throwsAsync(store.delete('root'), { message: 'cannot delete "root" policy' });
  await t.throwsAsync(store.delete('default'), { message: 'cannot delete default policy' });
  await t.throwsAsync(store.put('response-wrapping', READ_KV), { message: 'cannot update "response-wrapping" policy' });
  await t.throwsAsync(store.delete('response-wrapping'), { message: 'cannot delete "response-wrapping" policy' });
  t.deepEqual(await store.get('root'), { name: 'root', raw: '' });
  t.true((await store.aclFor(['response-wrapping'])).allows('cubbyhole/response', 'read', false));
  t.deepEqual(await store.list(), ['default', 'root']);
});

test('an invalid policy is refused and nothing is stored', async (t) => {
  const store = await newStore();
  await t.throwsAsync(store.put('bad', 'path "a" { capabilities = ["fly"] }'), {
    message: 'failed to parse policy: path "a": invalid capability "fly"',
  });
  t.false(await store.exists('bad'));
});

test('list is sorted with root last, as Vault appends it, and names may nest', async (t) => {
  const store = await newStore();
  for (const name of ['zeta', 'alpha', 'team/a', 'default']) await store.put(name, READ_KV);
  t.deepEqual(await store.list(), ['alpha', 'default', 'team/a', 'zeta', 'root']);
  await store.delete('team/a');
  await store.delete('never-existed');
  t.deepEqual(await store.list(), ['alpha', 'default', 'zeta', 'root']);
});

test('a root token\'s ACL allows everything; root mixed with others is refused', async (t) => {
  const store = await newStore();
  t.deepEqual((await store.aclFor(['root'])).capabilities('any/thing'), ['root']);
  await t.throwsAsync(store.aclFor(['root', 'default']), { message: 'other policies present along with root' });
});

test('ACLs are cached per policy set and rebuilt after a write or delete', async (t) => {
  const store = await newStore();
  await store.put('reader', READ_KV);
  const first = await store.aclFor(['reader', 'missing']);
  t.is(await store.aclFor(['missing', 'Reader', 'reader']), first, 'the same set, in any order or case, hits the cache');
  t.true(first.allows('kv/x', 'read', false));
  t.false(first.allows('kv/x', 'update', false));

  await store.put('reader', 'path "kv/*" { capabilities = ["update"] }');
  const second = await store.aclFor(['reader', 'missing']);
  t.not(second, first);
  t.true(second.allows('kv/x', 'update', false));
  t.false(second.allows('kv/x', 'read', false));

  await store.put('missing', 'path "other/*" { capabilities = ["read"] }');
  t.true((await store.aclFor(['reader', 'missing'])).allows('other/x', 'read', false), 'a name that did not exist is looked up again');

  await store.delete('reader');
  t.false((await store.aclFor(['reader', 'missing'])).allows('kv/x', 'update', false));
});

test('invalidate picks up changes another node wrote to storage', async (t) => {
  const { view } = await policyView();
  const writer = new PolicyStore(view);
  const reader = new PolicyStore(view);
  await writer.put('shared', READ_KV);
  t.true((await reader.aclFor(['shared'])).allows('kv/x', 'read', false));
  await writer.put('shared', 'path "kv/*" { capabilities = ["deny"] }');
  t.true((await reader.aclFor(['shared'])).allows('kv/x', 'read', false), 'still cached until invalidated');
  reader.invalidate();
  t.false((await reader.aclFor(['shared'])).allows('kv/x', 'read', false));
});

test('policy text is stored encrypted', async (t) => {
  const { view, physical } = await policyView();
  await new PolicyStore(view).put('secretive', 'path "very-distinctive-path/*" { capabilities = ["read"] }');
  const keys = await physical.list('sys/policy/');
  t.deepEqual(keys, ['secretive']);
  const stored = Buffer.from((await physical.get('sys/policy/secretive')) ?? []);
  t.false(stored.includes('very-distinctive-path'));
});
