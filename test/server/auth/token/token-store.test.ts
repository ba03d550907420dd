import { setTimeout as delay } from 'node:timers/promises';
import test from 'ava';
import { TokenStore } from '../../../../src/server/auth/token/token-store.ts';
import type { LoginGrant } from '../../../../src/server/logical/logical-response.ts';
import { tokenHarness, tokenMount } from './token-harness.ts';

const TOKEN = /^hvs\.[0-9A-Za-z]{24}$/;
const ACCESSOR = /^[0-9A-Za-z]{24}$/;

function grant(overrides: Partial<LoginGrant> = {}): LoginGrant {
  return {
    policies: ['Dev', 'ops '],
    metadata: { username: 'alice' },
    displayName: 'alice',
    ttl: 0,
    maxTtl: 0,
    explicitMaxTtl: 0,
    period: 0,
    numUses: 0,
    noDefaultPolicy: false,
    renewable: true,
    boundCidrs: [],
    aliasName: 'alice',
    ...overrides,
  };
}

test('the root token is hvs. plus 24 base62 characters with a 24-character accessor', async (t) => {
  const { store } = await tokenHarness();
  const seen = new Set<string>();
  for (let i = 0; i < 20; i += 1) {
    const { token, entry } = await store.createRootToken();
    t.regex(token, TOKEN);
    t.is(token.length, 28);
    t.regex(entry.accessor, ACCESSOR);
    seen.add(token);
  }
  t.is(seen.size, 20);
});

test('tokens are stored only under salted hashes: no token or accessor appears in any stored key or value', async (t) => {
  const h = await tokenHarness();
  const child = await h.createToken(h.rootToken, { policies: ['default'], meta: { team: 'blue' } });
  const grandchild = await h.createToken(child, { policies: ['default'] });
  const login = await h.store.issueLoginToken(grant(), tokenMount({}));
  const dump = await h.dump();
  const secrets = [h.rootToken, child, grandchild, login.client_token];
  const accessors = await Promise.all(secrets.map(async (token) => (await h.store.lookup(token))!.accessor));
  for (const value of [...secrets, ...accessors, 'blue']) {
    t.false(dump.includes(value), 'a token, accessor or metadata value is readable in storage');
  }
  const keys = await h.physicalKeys();
  const tokenKeys = keys.filter((key) => key.startsWith('sys/token/'));
  t.true(tokenKeys.every((key) => /^sys\/token\/(salt|id\/[0-9a-f]{64}|accessor\/[0-9a-f]{64}|parent\/[0-9a-f]{64}\/[0-9a-f]{64})$/.test(key)));
  t.is(tokenKeys.filter((key) => key.startsWith('sys/token/id/')).length, 4);
  t.is(tokenKeys.filter((key) => key.startsWith('sys/token/accessor/')).length, 4);
  t.is(tokenKeys.filter((key) => key.startsWith('sys/token/parent/')).length, 2);
});

test('a login token is an orphan with the mount in its display name, default policy and the mount TTLs', async (t) => {
  const h = await tokenHarness();
  const mount = { ...tokenMount({ default_lease_ttl: 3600, max_lease_ttl: 7200 }), path: 'auth/userpass/', type: 'userpass' };
  const auth = await h.store.issueLoginToken(grant(), mount);
  t.regex(auth.client_token, TOKEN);
  t.deepEqual({ ...auth, client_token: '', accessor: '' }, {
    client_token: '',
    accessor: '',
    policies: ['default', 'dev', 'ops'],
    token_policies: ['default', 'dev', 'ops'],
    metadata: { username: 'alice' },
    lease_duration: 3600,
    renewable: true,
    entity_id: '',
    token_type: 'service',
    orphan: true,
    mfa_requirement: null,
    num_uses: 0,
  });
  const entry = (await h.store.lookup(auth.client_token))!;
  t.is(entry.displayName, 'userpass-alice');
  t.is(entry.path, 'auth/userpass/login');
  t.is(entry.accessor, auth.accessor);
  t.is(entry.expireTime, h.clock.ms + 3600_000);
});

test('a login TTL is capped by the grant max, and the system default applies when nothing is set', async (t) => {
  const h = await tokenHarness();
  const mount = { ...tokenMount(), path: 'auth/approle/', type: 'approle' };
  const capped = await h.store.issueLoginToken(grant({ ttl: 7200, maxTtl: 600, displayName: '' }), mount);
  t.is(capped.lease_duration, 600);
  t.is((await h.store.lookup(capped.client_token))!.displayName, 'approle');
  const plain = await h.store.issueLoginToken(grant({ noDefaultPolicy: true }), mount);
  t.is(plain.lease_duration, 2_764_800);
  t.deepEqual(plain.policies, ['dev', 'ops']);
  const periodic = await h.store.issueLoginToken(grant({ ttl: 60, period: 1800 }), mount);
  t.is(periodic.lease_duration, 1800);
});

test('auth methods cannot create root tokens or hand out internal policies', async (t) => {
  const h = await tokenHarness();
  await t.throwsAsync(h.store.issueLoginToken(grant({ policies: ['root'] }), tokenMount()), { message: 'auth methods cannot create root tokens' });
  await t.throwsAsync(h.store.issueLoginToken(grant({ policies: ['control-group'] }), tokenMount()), { message: 'cannot assign policy "control-group"' });
});

test('use() counts down, the last use hides the token at once, and revoke removes it from storage', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken, { num_uses: 2 });
  const first = await h.store.use(token, (await h.store.lookup(token))!);
  t.deepEqual([first.entry.numUses, first.lastUse], [1, false]);
  const last = await h.store.use(token, first.entry);
  t.true(last.lastUse);
  t.is(await h.store.lookup(token), undefined);
  t.truthy(await h.store.find(token, { tainted: true }));
  const accessor = last.entry.accessor;
  await h.store.revoke(token);
  t.is(await h.store.find(token, { tainted: true }), undefined);
  t.deepEqual(h.revokedAccessors, [accessor]);
  t.is((await h.physicalKeys()).filter((key) => key.startsWith('sys/token/accessor/')).length, 1);
});

test('concurrent uses of a limited token are counted one by one', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken, { num_uses: 3 });
  const entry = (await h.store.lookup(token))!;
  const results = await Promise.all([h.store.use(token, entry), h.store.use(token, entry), h.store.use(token, entry)]);
  t.deepEqual(results.map((result) => result.lastUse).sort(), [false, false, true]);
  await t.throwsAsync(h.store.use(token, entry), { message: 'permission denied' });
});

test('an expired token is refused at once and the sweeper deletes it and its children from storage', async (t) => {
  const h = await tokenHarness();
  const parent = await h.createToken(h.rootToken, { ttl: '60s' });
  // A child may outlive its parent's TTL but not its parent.
  const child = await h.createToken(parent, { ttl: '1h' });
  const grandchild = await h.createToken(child, { ttl: '1h' });
  const other = await h.createToken(h.rootToken, { ttl: '1h' });
  const before = (await h.physicalKeys()).length;
  const parentAccessor = (await h.store.lookup(parent))!.accessor;

  h.advance(60);
  t.is(await h.store.lookup(parent), undefined);
  t.truthy(await h.store.lookup(child));
  t.is((await h.physicalKeys()).length, before, 'lookup alone deletes nothing');

  const sweeper = h.store.expirationSweeper();
  t.is(await sweeper.sweep(), 1);
  for (const token of [parent, child, grandchild]) t.is(await h.store.find(token, { tainted: true }), undefined);
  t.truthy(await h.store.lookup(other));
  const keys = (await h.physicalKeys()).filter((key) => key.startsWith('sys/token/'));
  t.is(keys.filter((key) => key.startsWith('sys/token/id/')).length, 2);
  t.is(keys.filter((key) => key.startsWith('sys/token/accessor/')).length, 2);
  // Only the link root -> other is left.
  t.is(keys.filter((key) => key.startsWith('sys/token/parent/')).length, 1);
  t.is(h.revokedAccessors.length, 3);
  t.is(h.revokedAccessors.at(-1), parentAccessor, 'children are revoked before their parent');
  t.is(await sweeper.sweep(), 0);
  await sweeper.stop();
});

test('a fresh store finds the expired tokens an earlier one wrote', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken, { ttl: '10s' });
  const fresh = new TokenStore(h.barrier.view('sys/token/'), () => h.clock.ms);
  h.advance(11);
  t.is(await fresh.lookup(token), undefined);
  t.is(await fresh.expirationSweeper().sweep(), 1);
  t.is(await h.store.find(token, { tainted: true }), undefined);
});

test('a renewal moves the deadline the sweeper sees', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken, { ttl: '60s' });
  h.advance(50);
  await h.call(token, 'update', 'renew-self', { increment: '120s' });
  h.advance(60);
  t.is(await h.store.expirationSweeper().sweep(), 0);
  t.truthy(await h.store.lookup(token));
  h.advance(60);
  t.is(await h.store.expirationSweeper().sweep(), 1);
});

test('a started sweeper revokes expired tokens on its own until stopped', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken, { ttl: '1s' });
  h.advance(2);
  const sweeper = h.store.expirationSweeper();
  sweeper.start(1);
  sweeper.start(1);
  // Bounded wait for the timer's first pass; no assertion depends on how long it took.
  for (let i = 0; i < 500 && h.revokedAccessors.length === 0; i += 1) await delay(2);
  await sweeper.stop();
  t.is(h.revokedAccessors.length, 1);
  t.is(await h.store.find(token, { tainted: true }), undefined);
});

test('revoking a token revokes its children and grandchildren, firing onRevoke with each accessor', async (t) => {
  const h = await tokenHarness();
  const parent = await h.createToken(h.rootToken);
  const children = [await h.createToken(parent), await h.createToken(parent)];
  const grandchild = await h.createToken(children[0]!);
  const orphan = await h.createToken(parent, {}, 'create-orphan');
  const accessors = await Promise.all([parent, ...children, grandchild].map(async (token) => (await h.store.lookup(token))!.accessor));

  await h.store.revoke(parent);
  for (const token of [parent, ...children, grandchild]) t.is(await h.store.lookup(token), undefined);
  t.truthy(await h.store.lookup(orphan));
  t.deepEqual([...h.revokedAccessors].sort(), [...accessors].sort());
  const keys = await h.physicalKeys();
  t.deepEqual(keys.filter((key) => key.startsWith('sys/token/parent/')), []);
  t.is(keys.filter((key) => key.startsWith('sys/token/id/')).length, 2);
  await h.store.revoke(parent);
  t.is(h.revokedAccessors.length, 4, 'revoking again is a no-op');
});

test('a failing revoke listener leaves the token in place, so the revocation can be retried', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken);
  let fail = true;
  h.store.onRevoke(async () => {
    if (fail) throw new Error('cubbyhole unavailable');
  });
  await t.throwsAsync(h.store.revoke(token), { message: 'cubbyhole unavailable' });
  t.truthy(await h.store.lookup(token));
  fail = false;
  await h.store.revoke(token);
  t.is(await h.store.lookup(token), undefined);
});

test('tidy orphans children of a vanished parent and drops dangling indexes', async (t) => {
  const h = await tokenHarness();
  const parent = await h.createToken(h.rootToken);
  const child = await h.createToken(parent);
  const keys = await h.physicalKeys();
  const parentStored = (await h.store.find(parent))!;
  // Delete the parent's entry behind the store's back, as a crash half way through a revoke would.
  await h.physical.delete(`sys/token/id/${parentStored.hash}`);
  await h.store.tidy();
  const childEntry = (await h.store.lookup(child))!;
  t.true(childEntry.orphan);
  t.is(childEntry.parentHash, undefined);
  const after = await h.physicalKeys();
  t.deepEqual(after.filter((key) => key.startsWith('sys/token/parent/')), []);
  t.is(after.filter((key) => key.startsWith('sys/token/accessor/')).length, keys.filter((key) => key.startsWith('sys/token/accessor/')).length - 1);
});
