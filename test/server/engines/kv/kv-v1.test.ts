import test from 'ava';
import { kvFactory } from '../../../../src/server/engines/kv/kv-factory.ts';
import { MAX_SECRET_PATH_BYTES } from '../../../../src/server/engines/kv/secret-path.ts';
import { isEmptyResult } from '../../../../src/server/http/envelope.ts';
import { mountEngine, rejectsWith } from '../engine-harness.ts';

const v1 = () => mountEngine(kvFactory, { type: 'kv' });

test('a write stores the JSON object as it is and a read returns it with the default lease', async (t) => {
  const kv = await v1();
  const secret = { password: 'hunter2', nested: { n: 1, list: [1, 'two'] }, flag: true };
  t.is(await kv.call('update', 'app/db', secret), undefined);
  const read = await kv.call('read', 'app/db');
  t.deepEqual(read?.data, secret);
  t.is(read?.leaseDuration, 2_764_800);
  t.is(read?.renewable, undefined);
});

test('the lease duration comes from a stored ttl, then lease, then the mount default', async (t) => {
  const kv = await mountEngine(kvFactory, { type: 'kv', options: { version: '1' }, defaultLeaseTtl: 600 });
  await kv.call('update', 'a', { ttl: '1h', v: 'x' });
  await kv.call('update', 'b', { lease: 90, v: 'x' });
  await kv.call('update', 'c', { ttl: 'not a duration', v: 'x' });
  await kv.call('update', 'd', { v: 'x' });
  t.is((await kv.call('read', 'a'))?.leaseDuration, 3600);
  t.is((await kv.call('read', 'b'))?.leaseDuration, 90);
  t.is((await kv.call('read', 'c'))?.leaseDuration, 600);
  t.is((await kv.call('read', 'd'))?.leaseDuration, 600);
});

test('a write replaces the whole object', async (t) => {
  const kv = await v1();
  await kv.call('update', 'k', { a: '1', b: '2' });
  await kv.call('update', 'k', { c: '3' });
  t.deepEqual((await kv.call('read', 'k'))?.data, { c: '3' });
});

test('a missing key reads as nothing (404) and delete is idempotent', async (t) => {
  const kv = await v1();
  t.is(await kv.call('read', 'missing'), undefined);
  t.is(await kv.call('read', ''), undefined);
  await kv.call('update', 'k', { a: '1' });
  t.is(await kv.call('delete', 'k'), undefined);
  t.is(await kv.call('delete', 'k'), undefined);
  t.is(await kv.call('read', 'k'), undefined);
});

test('an empty write is refused with Vault\'s message', async (t) => {
  const kv = await v1();
  await rejectsWith(t, kv.call('update', 'k', {}), 400, 'missing data fields');
  await rejectsWith(t, kv.call('update', '', { a: '1' }), 400, 'missing path');
});

test('the existence check tells create from update', async (t) => {
  const kv = await v1();
  t.false(await kv.backend.exists(kv.request('update', 'k', { a: '1' })));
  await kv.call('update', 'k', { a: '1' });
  t.true(await kv.backend.exists(kv.request('update', 'k', { a: '2' })));
  t.false(await kv.backend.exists(kv.request('update', 'k/child', { a: '2' })));
});

test('a list shows one level, sorted, with folders ending in /', async (t) => {
  const kv = await v1();
  for (const path of ['b', 'a', 'a/x', 'a/y/z', 'c/d']) await kv.call('update', path, { v: path });
  t.deepEqual((await kv.call('list', ''))?.data, { keys: ['a', 'a/', 'b', 'c/'] });
  t.deepEqual((await kv.call('list', 'a/'))?.data, { keys: ['x', 'y/'] });
  t.deepEqual((await kv.call('list', 'a'))?.data, { keys: ['x', 'y/'] });
});

test('an empty list renders as the HTTP 404', async (t) => {
  const kv = await v1();
  const listed = await kv.call('list', 'nothing/');
  t.deepEqual(listed?.data, { keys: [] });
  t.true(isEmptyResult(listed, 'list'));
});

test('paths that cannot be storage keys are a clean 400', async (t) => {
  const kv = await v1();
  const long = 'a'.repeat(MAX_SECRET_PATH_BYTES + 1);
  await rejectsWith(t, kv.call('update', long, { v: 'x' }), 400, /^path is too long/);
  await rejectsWith(t, kv.call('read', long), 400, /^path is too long/);
  await rejectsWith(t, kv.call('update', 'a//b', { v: 'x' }), 400, "path cannot start or end with '/' or contain '//'");
  await rejectsWith(t, kv.call('update', 'a/../b', { v: 'x' }), 400, 'path cannot contain parent references');
  await rejectsWith(t, kv.call('update', 'a\u0001b', { v: 'x' }), 400, 'path cannot contain control characters');
  await rejectsWith(t, kv.call('list', 'a//'), 400, "path cannot start or end with '/' or contain '//'");
  t.is(await kv.call('update', 'a'.repeat(MAX_SECRET_PATH_BYTES), { v: 'x' }), undefined);
});

test('secret values never reach storage in plaintext', async (t) => {
  const kv = await v1();
  await kv.call('update', 'k', { password: 'plaintext-canary-v1' });
  t.false((await kv.physical.dump()).includes('plaintext-canary-v1'));
});
