import test from 'ava';
import { kvFactory } from '../../../../src/server/engines/kv/kv-factory.ts';
import { isEmptyResult } from '../../../../src/server/http/envelope.ts';
import { mountEngine, rejectsWith } from '../engine-harness.ts';

const v2 = () => mountEngine(kvFactory, { type: 'kv', options: { version: '2' } });

test('config reads Vault\'s defaults and takes the CLI\'s string forms', async (t) => {
  const kv = await v2();
  t.deepEqual((await kv.call('read', 'config'))?.data, { cas_required: false, delete_version_after: '0s', max_versions: 0 });
  t.is(await kv.call('update', 'config', { max_versions: '5', cas_required: 'true', delete_version_after: '90m' }), undefined);
  t.deepEqual((await kv.call('read', 'config'))?.data, { cas_required: true, delete_version_after: '1h30m0s', max_versions: 5 });
  await kv.call('update', 'config', { delete_version_after: 0 });
  t.deepEqual((await kv.call('read', 'config'))?.data, { cas_required: true, delete_version_after: '0s', max_versions: 5 });
  t.true(await kv.backend.exists(kv.request('update', 'config')));
});

test('config refuses values of the wrong type', async (t) => {
  const kv = await v2();
  await rejectsWith(t, kv.call('update', 'config', { max_versions: 'ten' }), 400, 'invalid value for field "max_versions": expected an integer');
  await rejectsWith(t, kv.call('update', 'config', { max_versions: -1 }), 400, 'invalid value for field "max_versions": must not be negative');
  await rejectsWith(t, kv.call('update', 'config', { cas_required: 'maybe' }), 400, 'invalid value for field "cas_required": expected a boolean');
  await rejectsWith(t, kv.call('update', 'config', { delete_version_after: 'soon' }), 400, 'invalid value for field "delete_version_after": expected a duration');
});

test('metadata read reports every field with Vault\'s names and types', async (t) => {
  const kv = await v2();
  await kv.call('update', 'data/k', { data: { a: 1 } });
  kv.clock.advance(2);
  await kv.call('update', 'data/k', { data: { a: 2 } });
  await kv.call('delete', 'data/k');
  t.deepEqual((await kv.call('read', 'metadata/k'))?.data, {
    cas_required: false,
    created_time: '2024-05-01T10:00:00.123000000Z',
    current_version: 2,
    custom_metadata: null,
    delete_version_after: '0s',
    max_versions: 0,
    oldest_version: 0,
    updated_time: '2024-05-01T10:00:02.123000000Z',
    versions: {
      '1': { created_time: '2024-05-01T10:00:00.123000000Z', deletion_time: '', destroyed: false },
      '2': { created_time: '2024-05-01T10:00:02.123000000Z', deletion_time: '2024-05-01T10:00:02.123000000Z', destroyed: false },
    },
  });
  t.is(await kv.call('read', 'metadata/missing'), undefined);
});

test('metadata write creates settings without a version; an empty write creates nothing', async (t) => {
  const kv = await v2();
  t.is(await kv.call('update', 'metadata/empty', {}), undefined);
  t.is(await kv.call('read', 'metadata/empty'), undefined);
  t.false(await kv.backend.exists(kv.request('update', 'metadata/k')));
  await kv.call('update', 'metadata/k', { max_versions: 3, cas_required: true, delete_version_after: '1h', custom_metadata: { owner: 'jdoe', n: 7 } });
  t.true(await kv.backend.exists(kv.request('update', 'metadata/k')));
  const metadata = (await kv.call('read', 'metadata/k'))?.data;
  t.like(metadata, { max_versions: 3, cas_required: true, delete_version_after: '1h0m0s', current_version: 0, custom_metadata: { owner: 'jdoe', n: '7' }, versions: {} });
  t.is(await kv.call('read', 'data/k'), undefined);
  const written = await kv.call('update', 'data/k', { data: { a: 1 }, options: { cas: 0 } });
  t.deepEqual(written?.data?.['custom_metadata'], { owner: 'jdoe', n: '7' });
});

test('metadata write warns when the key gives up cas that the mount requires', async (t) => {
  const kv = await v2();
  await kv.call('update', 'config', { cas_required: true });
  const response = await kv.call('update', 'metadata/k', { cas_required: false });
  t.deepEqual(response?.warnings, ['"cas_required" set to false, but is mandated by backend config. This value will be ignored.']);
});

test('custom_metadata limits are enforced with Vault\'s messages', async (t) => {
  const kv = await v2();
  const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
  await rejectsWith(t, kv.call('update', 'metadata/k', { custom_metadata: many }), 400,
    '1 error occurred:\n\t* custom_metadata validation failed: payload must contain at most 64 keys, provided 65\n\n');
  await rejectsWith(t, kv.call('update', 'metadata/k', { custom_metadata: { ['k'.repeat(129)]: 'v', ok: 'x'.repeat(513) } }), 400,
    /^2 errors occurred:\n\t\* custom_metadata validation failed: length of key "k{129}" is 129 but must be 0 < len\(key\) <= 128\n\t\* custom_metadata validation failed: length of value for key "ok" is 513 but must be 0 < len\(value\) <= 512\n\n$/);
  await rejectsWith(t, kv.call('update', 'metadata/k', { custom_metadata: { tab: 'a\tb' } }), 400, /value for key "tab" contains unprintable characters/);
  await rejectsWith(t, kv.call('update', 'metadata/k', { custom_metadata: { nested: { a: 1 } } }), 400, 'custom_metadata validation failed: value for key "nested" is not a string');
  await rejectsWith(t, kv.call('update', 'metadata/k', { custom_metadata: 'owner=jdoe' }), 400, 'custom_metadata validation failed: expected a map of strings');
  t.is(await kv.call('read', 'metadata/k'), undefined);
});

test('metadata PATCH merges settings and custom_metadata; null removes keys', async (t) => {
  const kv = await v2();
  await rejectsWith(t, kv.call('patch', 'metadata/missing', { max_versions: 2 }), 404, 'no secret at this path');
  await kv.call('update', 'data/k', { data: { a: 1 } });
  await kv.call('update', 'metadata/k', { max_versions: 5, custom_metadata: { owner: 'jdoe', team: 'ops' } });
  t.is(await kv.call('patch', 'metadata/k', { cas_required: true, custom_metadata: { team: null, tier: 'gold' } }), undefined);
  t.like((await kv.call('read', 'metadata/k'))?.data, { max_versions: 5, cas_required: true, custom_metadata: { owner: 'jdoe', tier: 'gold' }, current_version: 1 });
  await kv.call('patch', 'metadata/k', { max_versions: null, custom_metadata: null });
  t.like((await kv.call('read', 'metadata/k'))?.data, { max_versions: 0, cas_required: true, custom_metadata: null });
  await rejectsWith(t, kv.call('patch', 'metadata/k', { max_versions: 'x' }), 400, 'invalid value for field "max_versions": expected an integer');
});

test('metadata DELETE removes the metadata and every version from storage at once', async (t) => {
  const kv = await v2();
  for (const value of [1, 2, 3]) await kv.call('update', 'data/k', { data: { value } });
  await kv.call('update', 'data/other', { data: { value: 0 } });
  kv.physical.resetCounts();
  t.is(await kv.call('delete', 'metadata/k'), undefined);
  t.is(kv.physical.transactions, 1);
  t.is(await kv.call('read', 'metadata/k'), undefined);
  t.is(await kv.call('read', 'data/k'), undefined);
  t.is((await kv.storage.list('versions/')).length, 1);
  t.deepEqual(await kv.storage.list('metadata/'), ['other']);
  t.is(await kv.call('delete', 'metadata/k'), undefined);
  // A new secret at the same path starts again from version 1.
  t.is((await kv.call('update', 'data/k', { data: { value: 9 } }))?.data?.['version'], 1);
});

test('metadata LIST shows one level with folders; nothing there is the HTTP 404', async (t) => {
  const kv = await v2();
  for (const path of ['b', 'a', 'a/x', 'a/y/z']) await kv.call('update', `data/${path}`, { data: { v: path } });
  t.deepEqual((await kv.call('list', 'metadata/'))?.data, { keys: ['a', 'a/', 'b'] });
  t.deepEqual((await kv.call('list', 'metadata/a/'))?.data, { keys: ['x', 'y/'] });
  const empty = await kv.call('list', 'metadata/none/');
  t.true(isEmptyResult(empty, 'list'));
});

test('subkeys returns the structure with leaves replaced by null, honouring depth', async (t) => {
  const kv = await v2();
  await kv.call('update', 'data/k', { data: { user: 'u', creds: { password: 'p', extra: { deep: 1 } }, empty: {}, list: [1, 2] } });
  const read = await kv.call('read', 'subkeys/k');
  t.deepEqual(read?.data?.['subkeys'], { user: null, creds: { password: null, extra: { deep: null } }, empty: null, list: null });
  t.like(read?.data?.['metadata'], { version: 1, destroyed: false });
  t.deepEqual((await kv.call('read', 'subkeys/k', { depth: '1' }))?.data?.['subkeys'], { user: null, creds: null, empty: null, list: null });
  t.deepEqual((await kv.call('read', 'subkeys/k', { depth: 2 }))?.data?.['subkeys'], { user: null, creds: { password: null, extra: null }, empty: null, list: null });
  t.is(await kv.call('read', 'subkeys/missing'), undefined);
  await kv.call('delete', 'data/k');
  const deleted = await kv.call('read', 'subkeys/k');
  t.is(deleted?.status, 404);
  t.is(deleted?.data?.['subkeys'], null);
});

test('version metadata and key metadata keep no secret values', async (t) => {
  const kv = await v2();
  await kv.call('update', 'data/k', { data: { password: 'never-in-metadata' } });
  t.false(JSON.stringify((await kv.call('read', 'metadata/k'))?.data).includes('never-in-metadata'));
  t.false(JSON.stringify((await kv.call('read', 'subkeys/k'))?.data).includes('never-in-metadata'));
});
