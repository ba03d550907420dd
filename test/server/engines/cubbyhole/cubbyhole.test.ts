import { createHash } from 'node:crypto';
import test from 'ava';
import { cubbyholeFactory, destroyCubbyhole } from '../../../../src/server/engines/cubbyhole/cubbyhole-backend.ts';
import { isEmptyResult } from '../../../../src/server/http/envelope.ts';
import { callerWith, mountEngine, rejectsWith } from '../engine-harness.ts';

const cubbyhole = () => mountEngine(cubbyholeFactory, { type: 'cubbyhole', path: 'cubbyhole/' });
const alice = callerWith('accessor-alice-0123456789');
const bob = callerWith('accessor-bob-9876543210ab');

test('each token sees only its own cubbyhole', async (t) => {
  const cubby = await cubbyhole();
  await cubby.call('update', 'note', { secret: 'alice-private' }, alice);
  await cubby.call('update', 'note', { secret: 'bob-private' }, bob);
  const read = await cubby.call('read', 'note', {}, alice);
  t.deepEqual(read?.data, { secret: 'alice-private' });
  t.is(read?.leaseDuration, undefined);
  t.deepEqual((await cubby.call('read', 'note', {}, bob))?.data, { secret: 'bob-private' });
  await cubby.call('update', 'only-alice/x', { v: '1' }, alice);
  t.is(await cubby.call('read', 'only-alice/x', {}, bob), undefined);
  t.deepEqual((await cubby.call('list', '', {}, alice))?.data, { keys: ['note', 'only-alice/'] });
  t.deepEqual((await cubby.call('list', '', {}, bob))?.data, { keys: ['note'] });
  await cubby.call('delete', 'note', {}, bob);
  t.deepEqual((await cubby.call('read', 'note', {}, alice))?.data, { secret: 'alice-private' });
});

test('the existence check is per token', async (t) => {
  const cubby = await cubbyhole();
  await cubby.call('update', 'k', { v: '1' }, alice);
  t.true(await cubby.backend.exists(cubby.request('update', 'k', { v: '2' }, alice)));
  t.false(await cubby.backend.exists(cubby.request('update', 'k', { v: '2' }, bob)));
  t.false(await cubby.backend.exists(cubby.request('update', 'k', { v: '2' })));
});

test('without a caller every operation is refused', async (t) => {
  const cubby = await cubbyhole();
  await rejectsWith(t, cubby.call('read', 'k'), 400, 'client token empty');
  await rejectsWith(t, cubby.call('read', ''), 400, 'client token empty');
  await rejectsWith(t, cubby.call('update', 'k', { v: '1' }), 400, 'client token empty');
  await rejectsWith(t, cubby.call('list', ''), 400, 'client token empty');
  await rejectsWith(t, cubby.call('delete', 'k'), 400, 'client token empty');
});

test('writes need data, and an empty list is the HTTP 404', async (t) => {
  const cubby = await cubbyhole();
  await rejectsWith(t, cubby.call('update', 'k', {}, alice), 400, 'missing data fields');
  t.true(isEmptyResult(await cubby.call('list', '', {}, alice), 'list'));
});

test('destroyCubbyhole removes one token\'s cubbyhole and nothing else', async (t) => {
  const cubby = await cubbyhole();
  await cubby.call('update', 'a', { v: '1' }, alice);
  await cubby.call('update', 'deep/b/c', { v: '2' }, alice);
  await cubby.call('update', 'a', { v: '3' }, bob);
  await destroyCubbyhole(cubby.storage, alice.entry.accessor);
  t.is(await cubby.call('read', 'a', {}, alice), undefined);
  t.true(isEmptyResult(await cubby.call('list', '', {}, alice), 'list'));
  t.deepEqual((await cubby.call('read', 'a', {}, bob))?.data, { v: '3' });
  t.deepEqual(await cubby.storage.list(''), [`${createHash('sha256').update(bob.entry.accessor).digest('hex')}/`]);
});

test('storage holds neither the token, its accessor nor the values in plaintext', async (t) => {
  const cubby = await cubbyhole();
  await cubby.call('update', 'k', { secret: 'cubbyhole-canary' }, alice);
  const dump = await cubby.physical.dump();
  t.false(dump.includes('cubbyhole-canary'));
  t.false(dump.includes(alice.id));
  t.false(dump.includes(alice.entry.accessor));
});
