import test from 'ava';
import { START_MS, rejectsWith, tokenHarness } from './token-harness.ts';

const TOKEN = /^hvs\.[0-9A-Za-z]{24}$/;
const ACCESSOR = /^[0-9A-Za-z]{24}$/;

test('create with every option answers an auth block, data null and warnings for unknown policies', async (t) => {
  const h = await tokenHarness();
  const response = await h.call(h.rootToken, 'update', 'create', {
    policies: 'Web, db',
    meta: { user: 'armon' },
    ttl: '1h',
    explicit_max_ttl: '2h',
    num_uses: '5',
    display_name: 'My App!',
    renewable: false,
  });
  const auth = response!.auth!;
  t.regex(auth.client_token, TOKEN);
  t.regex(auth.accessor, ACCESSOR);
  t.is(response!.data, null);
  t.deepEqual(response!.warnings, ['Policy "db" does not exist', 'Policy "web" does not exist']);
  t.deepEqual(auth, {
    client_token: auth.client_token,
    accessor: auth.accessor,
    policies: ['db', 'default', 'web'],
    token_policies: ['db', 'default', 'web'],
    metadata: { user: 'armon' },
    lease_duration: 3600,
    renewable: false,
    entity_id: '',
    token_type: 'service',
    orphan: false,
    mfa_requirement: null,
    num_uses: 5,
  });

  h.advance(100);
  const lookup = await h.call(h.rootToken, 'update', 'lookup', { token: auth.client_token });
  t.deepEqual(lookup!.data, {
    accessor: auth.accessor,
    creation_time: Math.floor(START_MS / 1000),
    creation_ttl: 3600,
    display_name: 'token-My-App',
    entity_id: '',
    expire_time: '2024-05-01T11:00:00.25Z',
    explicit_max_ttl: 7200,
    id: auth.client_token,
    issue_time: '2024-05-01T10:00:00.25Z',
    meta: { user: 'armon' },
    num_uses: 5,
    orphan: false,
    path: 'auth/token/create',
    policies: ['db', 'default', 'web'],
    renewable: false,
    ttl: 3500,
    type: 'service',
  });
});

test('lookup-self of the root token has the root fields and no lease fields', async (t) => {
  const h = await tokenHarness();
  const root = (await h.store.lookup(h.rootToken))!;
  const response = await h.call(h.rootToken, 'read', 'lookup-self');
  t.deepEqual(response!.data, {
    accessor: root.accessor,
    creation_time: Math.floor(START_MS / 1000),
    creation_ttl: 0,
    display_name: 'root',
    entity_id: '',
    expire_time: null,
    explicit_max_ttl: 0,
    id: h.rootToken,
    meta: null,
    num_uses: 0,
    orphan: true,
    path: 'auth/token/root',
    policies: ['root'],
    ttl: 0,
    type: 'service',
  });
});

test('lookup takes the token from the query or body, defaults to the caller, and refuses unknown tokens with 403 bad token', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken, { ttl: '10m' });
  t.is((await h.call(h.rootToken, 'read', 'lookup', { token }))!.data!['id'], token);
  t.is((await h.call(token, 'update', 'lookup', {}))!.data!['id'], token);
  await rejectsWith(t, h.call(h.rootToken, 'update', 'lookup', { token: 'hvs.unknownunknownunknown00' }), 403, 'bad token');
  h.advance(600);
  await rejectsWith(t, h.call(h.rootToken, 'update', 'lookup', { token }), 403, 'bad token');
});

test('lookup-accessor answers the lookup fields with an empty id', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken, { policies: ['default'] });
  const { accessor } = (await h.store.lookup(token))!;
  const data = (await h.call(h.rootToken, 'update', 'lookup-accessor', { accessor }))!.data!;
  t.is(data['id'], '');
  t.is(data['accessor'], accessor);
  t.deepEqual(data['policies'], ['default']);
  await rejectsWith(t, h.call(h.rootToken, 'update', 'lookup-accessor', {}), 400, 'missing accessor');
  await rejectsWith(t, h.call(h.rootToken, 'update', 'lookup-accessor', { accessor: 'nope' }), 400, 'invalid accessor');
});

test('renew stays within the explicit max TTL and then the token is gone', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken, { ttl: '1h', explicit_max_ttl: '90m' });
  h.advance(40 * 60);
  const renewed = await h.call(h.rootToken, 'update', 'renew', { token });
  t.is(renewed!.auth!.client_token, token);
  t.is(renewed!.auth!.lease_duration, 3000);
  t.deepEqual(renewed!.warnings, ['TTL of "1h" exceeded the effective max_ttl of "50m"; TTL value is capped accordingly']);
  const data = (await h.call(h.rootToken, 'update', 'lookup', { token }))!.data!;
  t.is(data['last_renewal_time'], Math.floor(h.clock.ms / 1000));
  t.is(data['last_renewal'], '2024-05-01T10:40:00.25Z');
  t.is(data['expire_time'], '2024-05-01T11:30:00.25Z');
  t.is(data['creation_ttl'], 3600);
  t.is(data['renewable'], true);

  h.advance(60);
  const incremented = await h.call(token, 'update', 'renew-self', { increment: 120 });
  t.is(incremented!.auth!.lease_duration, 120);
  t.is(incremented!.warnings, undefined);

  h.advance(49 * 60);
  await rejectsWith(t, h.call(h.rootToken, 'update', 'renew', { token }), 400, 'token not found');
  await rejectsWith(t, h.call(h.rootToken, 'update', 'renew', {}), 400, 'missing token ID');
});

test('a renewal without increment asks for the TTL of the last grant', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken, { ttl: '1h' });
  h.advance(30);
  t.is((await h.call(token, 'update', 'renew-self', { increment: '10m' }))!.auth!.lease_duration, 600);
  h.advance(30);
  t.is((await h.call(token, 'update', 'renew-self', {}))!.auth!.lease_duration, 600);
});

test('renew-accessor renews without revealing the token', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken, { ttl: '1h' });
  const { accessor } = (await h.store.lookup(token))!;
  h.advance(600);
  const auth = (await h.call(h.rootToken, 'update', 'renew-accessor', { accessor, increment: '2h' }))!.auth!;
  t.is(auth.client_token, '');
  t.is(auth.accessor, accessor);
  t.is(auth.lease_duration, 7200);
  await rejectsWith(t, h.call(h.rootToken, 'update', 'renew-accessor', { accessor: 'nope' }), 400, 'invalid accessor');
});

test('a non-renewable token refuses renewal; the non-expiring root token renews to lease_duration 0', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken, { renewable: 'false', ttl: '1h' });
  await rejectsWith(t, h.call(token, 'update', 'renew-self'), 400, 'lease is not renewable');
  const root = await h.call(h.rootToken, 'update', 'renew-self');
  t.is(root!.auth!.lease_duration, 0);
  t.is(root!.auth!.client_token, h.rootToken);
  t.false(root!.auth!.renewable);
});

test('a periodic token renews to its period for as long as it is renewed, past the max TTL', async (t) => {
  const h = await tokenHarness();
  const response = await h.call(h.rootToken, 'update', 'create', { period: '24h', ttl: '1h' });
  const token = response!.auth!.client_token;
  t.is(response!.auth!.lease_duration, 86_400);
  t.is((await h.call(token, 'read', 'lookup-self'))!.data!['period'], 86_400);
  for (let day = 0; day < 45; day += 1) {
    h.advance(20 * 3600);
    t.is((await h.call(token, 'update', 'renew-self', { increment: '1h' }))!.auth!.lease_duration, 86_400);
  }
  t.truthy(await h.store.lookup(token), '900 hours on, beyond the 768h max');
});

test('a periodic token with an explicit max stops at it', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken, { period: '1h', explicit_max_ttl: '90m' });
  h.advance(3500);
  const renewed = await h.call(token, 'update', 'renew-self');
  t.is(renewed!.auth!.lease_duration, 1900);
  t.deepEqual(renewed!.warnings, ['TTL of "1h" exceeded the effective max_ttl of "31m40s"; TTL value is capped accordingly']);
  h.advance(1900);
  t.is(await h.store.lookup(token), undefined);
});

test('create caps the TTL at the mount and system max with a warning', async (t) => {
  const h = await tokenHarness();
  const response = await h.call(h.rootToken, 'update', 'create', { ttl: '800h' });
  t.is(response!.auth!.lease_duration, 2_764_800);
  t.deepEqual(response!.warnings, ['TTL of "800h" exceeded the effective max_ttl of "768h"; TTL value is capped accordingly']);
  const tuned = await tokenHarness({ mountConfig: { default_lease_ttl: 600, max_lease_ttl: 3600 } });
  // A root caller naming no policies would make another non-expiring root token.
  t.is((await tuned.call(tuned.rootToken, 'update', 'create', { policies: 'default' }))!.auth!.lease_duration, 600);
  t.is((await tuned.call(tuned.rootToken, 'update', 'create', { policies: 'default', ttl: '2h' }))!.auth!.lease_duration, 3600);
  const inherited = await tuned.call(tuned.rootToken, 'update', 'create', {});
  t.deepEqual([inherited!.auth!.policies, inherited!.auth!.lease_duration], [['root'], 0]);
});

test('root tokens: only root may create them, they do not expire, and an expiring one cannot make a non-expiring one', async (t) => {
  const h = await tokenHarness({ existingPolicies: ['default', 'dev'] });
  const root = await h.call(h.rootToken, 'update', 'create', { policies: ['root'] });
  t.deepEqual(root!.auth!.policies, ['root']);
  t.is(root!.auth!.lease_duration, 0);
  t.false(root!.auth!.renewable);
  t.is(root!.warnings, undefined);

  const dev = await h.createToken(h.rootToken, { policies: ['dev'] });
  await rejectsWith(t, h.call(dev, 'update', 'create', { policies: ['root'] }), 400, 'child policies must be subset of parent');

  const expiring = await h.call(h.rootToken, 'update', 'create', { policies: ['root'], ttl: '1h' });
  t.is(expiring!.auth!.lease_duration, 3600);
  await rejectsWith(
    t,
    h.call(expiring!.auth!.client_token, 'update', 'create', { policies: ['root'] }),
    400,
    'expiring root tokens cannot create non-expiring root tokens',
  );
});

test('a non-root caller gets a subset of its policies, inherits them when it names none, and cannot use sudo options', async (t) => {
  const h = await tokenHarness({ existingPolicies: ['default', 'dev', 'ops'] });
  const dev = await h.createToken(h.rootToken, { policies: ['dev', 'ops'] });
  await rejectsWith(t, h.call(dev, 'update', 'create', { policies: ['admin'] }), 400, 'child policies must be subset of parent');
  t.deepEqual((await h.call(dev, 'update', 'create', { policies: ['dev'] }))!.auth!.policies, ['default', 'dev']);
  t.deepEqual((await h.call(dev, 'update', 'create', {}))!.auth!.policies, ['default', 'dev', 'ops']);
  t.deepEqual((await h.call(dev, 'update', 'create', { policies: 'ops', no_default_policy: true }))!.auth!.policies, ['ops']);
  await rejectsWith(t, h.call(dev, 'update', 'create', { no_parent: true }), 400, 'root or sudo privileges required to create orphan token');
  await rejectsWith(t, h.call(dev, 'update', 'create', { period: '1h' }), 400, 'root or sudo privileges required to create periodic token');
  await rejectsWith(t, h.call(dev, 'update', 'create', { id: 'custom' }), 400, 'root or sudo privileges required to specify token id');
  await rejectsWith(t, h.call(h.rootToken, 'update', 'create', { policies: ['response-wrapping'] }), 400, 'cannot assign policy "response-wrapping"');
  t.true((await h.call(dev, 'update', 'create-orphan', {}))!.auth!.orphan);
  t.true((await h.call(h.rootToken, 'update', 'create', { no_parent: true }))!.auth!.orphan);
});

test('limited-use tokens cannot create children', async (t) => {
  const h = await tokenHarness();
  const limited = await h.createToken(h.rootToken, { num_uses: 3 });
  await rejectsWith(t, h.call(limited, 'update', 'create', {}), 400, 'restricted use token cannot generate child tokens');
  const last = await h.createToken(h.rootToken, { num_uses: 1 });
  await rejectsWith(t, h.call(last, 'update', 'create', {}), 400, 'parent token lookup failed: no parent found');
  await rejectsWith(t, h.call(h.rootToken, 'update', 'create', { num_uses: -1 }), 400, 'number of uses cannot be negative');
});

test('a token with num_uses works that many times through the pipeline and is then revoked', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken, { num_uses: 2 });
  const { accessor } = (await h.store.lookup(token))!;
  t.is((await h.call(token, 'read', 'lookup-self'))!.data!['num_uses'], 1);
  t.is((await h.call(token, 'read', 'lookup-self'))!.data!['num_uses'], -1);
  await rejectsWith(t, h.call(token, 'read', 'lookup-self'), 403, /permission denied/);
  t.deepEqual(h.revokedAccessors, [accessor]);
  t.is(await h.store.find(token, { tainted: true }), undefined);
});

test('custom ids are for root only, must be unique, and may not look like generated tokens', async (t) => {
  const h = await tokenHarness();
  const response = await h.call(h.rootToken, 'update', 'create', { id: 'my-fixed-token' });
  t.is(response!.auth!.client_token, 'my-fixed-token');
  t.is((await h.call('my-fixed-token', 'read', 'lookup-self'))!.data!['id'], 'my-fixed-token');
  await rejectsWith(t, h.call(h.rootToken, 'update', 'create', { id: 'my-fixed-token' }), 400, 'cannot create a token with a duplicate ID');
  await rejectsWith(t, h.call(h.rootToken, 'update', 'create', { id: 'hvs.abc' }), 400, "custom token ID cannot have the 'hvs.' prefix");
  await rejectsWith(t, h.call(h.rootToken, 'update', 'create', { id: 's.abc' }), 400, "custom token ID cannot have the 's.' prefix");
  await rejectsWith(t, h.call(h.rootToken, 'update', 'create', { id: 'a.b' }), 400, "custom token ID cannot have a '.' in the value");
  t.false((await h.dump()).includes('my-fixed-token'));
});

test('batch tokens and unknown token types are refused', async (t) => {
  const h = await tokenHarness();
  await rejectsWith(t, h.call(h.rootToken, 'update', 'create', { type: 'batch' }), 400, 'batch tokens are not supported by this server');
  await rejectsWith(t, h.call(h.rootToken, 'update', 'create', { type: 'weird' }), 400, "invalid 'token_type' value");
});

test('revoke revokes the tree, is idempotent, and revoke-self revokes the caller', async (t) => {
  const h = await tokenHarness();
  const parent = await h.createToken(h.rootToken);
  const child = await h.createToken(parent);
  t.is(await h.call(h.rootToken, 'update', 'revoke', { token: parent }), undefined);
  t.is(await h.store.lookup(child), undefined);
  t.is(await h.call(h.rootToken, 'update', 'revoke', { token: parent }), undefined);
  await rejectsWith(t, h.call(h.rootToken, 'update', 'revoke', {}), 400, 'missing token ID');
  const self = await h.createToken(h.rootToken);
  t.is(await h.call(self, 'update', 'revoke-self'), undefined);
  t.is(await h.store.lookup(self), undefined);
});

test('revoke-orphan revokes the token alone and its children become orphans', async (t) => {
  const h = await tokenHarness();
  const parent = await h.createToken(h.rootToken);
  const child = await h.createToken(parent);
  const grandchild = await h.createToken(child);
  t.is(await h.call(h.rootToken, 'update', 'revoke-orphan', { token: parent }), undefined);
  t.is(await h.store.lookup(parent), undefined);
  t.true((await h.call(h.rootToken, 'update', 'lookup', { token: child }))!.data!['orphan']);
  t.false((await h.store.lookup(grandchild))!.orphan);
  // The orphaned child now heads its own tree.
  await h.call(h.rootToken, 'update', 'revoke', { token: child });
  t.is(await h.store.lookup(grandchild), undefined);
  await rejectsWith(t, h.call(h.rootToken, 'update', 'revoke-orphan', { token: parent }), 400, 'token to revoke not found');
});

test('revoke-accessor revokes by accessor and warns about unknown ones', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken);
  const child = await h.createToken(token);
  const { accessor } = (await h.store.lookup(token))!;
  t.is(await h.call(h.rootToken, 'update', 'revoke-accessor', { accessor }), undefined);
  t.is(await h.store.lookup(token), undefined);
  t.is(await h.store.lookup(child), undefined);
  t.deepEqual(await h.call(h.rootToken, 'update', 'revoke-accessor', { accessor }), { warnings: ['No token found with this accessor'] });
  await rejectsWith(t, h.call(h.rootToken, 'update', 'revoke-accessor', {}), 400, 'missing accessor');
});

test('accessors lists every accessor and needs sudo as a root path', async (t) => {
  const h = await tokenHarness();
  const tokens = [await h.createToken(h.rootToken), await h.createToken(h.rootToken)];
  const expected = await Promise.all([h.rootToken, ...tokens].map(async (token) => (await h.store.lookup(token))!.accessor));
  const keys = (await h.call(h.rootToken, 'list', 'accessors/'))!.data!['keys'] as string[];
  t.deepEqual([...keys].sort(), [...expected].sort());
  t.deepEqual(h.sudoChecks.at(-1), { path: 'auth/token/accessors/', needsSudo: true });
});

test('revoke-orphan needs sudo; create and lookup-self do not', async (t) => {
  const h = await tokenHarness();
  const token = await h.createToken(h.rootToken);
  t.false(h.sudoChecks.at(-1)!.needsSudo);
  await h.call(h.rootToken, 'read', 'lookup-self');
  t.false(h.sudoChecks.at(-1)!.needsSudo);
  await h.call(h.rootToken, 'update', 'revoke-orphan', { token });
  t.deepEqual(h.sudoChecks.at(-1), { path: 'auth/token/revoke-orphan', needsSudo: true });
});

test('tidy answers 202 with Vault warning', async (t) => {
  const h = await tokenHarness();
  const response = await h.call(h.rootToken, 'update', 'tidy');
  t.is(response!.status, 202);
  t.deepEqual(response!.warnings, ["Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs."]);
});

test('unknown paths and operations get the framework errors', async (t) => {
  const h = await tokenHarness();
  await rejectsWith(t, h.call(h.rootToken, 'update', 'nope'), 404, 'unsupported path');
  await rejectsWith(t, h.call(h.rootToken, 'delete', 'create'), 405, 'unsupported operation');
});
