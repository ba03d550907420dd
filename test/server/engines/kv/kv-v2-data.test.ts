import test from 'ava';
import { kvFactory } from '../../../../src/server/engines/kv/kv-factory.ts';
import { mountEngine, rejectsWith } from '../engine-harness.ts';

const v2 = () => mountEngine(kvFactory, { type: 'kv', options: { version: '2' } });
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

test('a write answers the new version and a read returns data with metadata', async (t) => {
  const kv = await v2();
  const written = await kv.call('update', 'data/app/db', { data: { password: 'hunter2' } });
  t.deepEqual(written?.data, {
    created_time: '2024-05-01T10:00:00.123000000Z',
    custom_metadata: null,
    deletion_time: '',
    destroyed: false,
    version: 1,
  });
  kv.clock.advance(1);
  await kv.call('update', 'data/app/db', { data: { password: 'hunter3' } });
  const read = await kv.call('read', 'data/app/db');
  t.deepEqual(read?.data, {
    data: { password: 'hunter3' },
    metadata: { created_time: '2024-05-01T10:00:01.123000000Z', custom_metadata: null, deletion_time: '', destroyed: false, version: 2 },
  });
  t.is(read?.status, undefined);
  const first = await kv.call('read', 'data/app/db', { version: '1' });
  t.deepEqual((first?.data as { data: unknown }).data, { password: 'hunter2' });
});

test('unknown keys and versions read as nothing (plain 404)', async (t) => {
  const kv = await v2();
  t.is(await kv.call('read', 'data/missing'), undefined);
  await kv.call('update', 'data/k', { data: { a: 1 } });
  t.is(await kv.call('read', 'data/k', { version: 7 }), undefined);
});

test('a write of data and metadata is one storage transaction and nothing else', async (t) => {
  const kv = await v2();
  await kv.call('update', 'data/k', { data: { a: 1 } });
  t.is(kv.physical.transactions, 1);
  t.is(kv.physical.puts, 0);
  kv.physical.resetCounts();
  await kv.call('patch', 'data/k', { data: { b: 2 } });
  t.is(kv.physical.transactions, 1);
  t.is(kv.physical.puts, 0);
});

test('check-and-set: 0 creates only, N must match, mismatch and parse errors are 400', async (t) => {
  const kv = await v2();
  await kv.call('update', 'data/k', { data: { a: 1 }, options: { cas: 0 } });
  await rejectsWith(t, kv.call('update', 'data/k', { data: { a: 2 }, options: { cas: 0 } }), 400, 'check-and-set parameter did not match the current version');
  await rejectsWith(t, kv.call('update', 'data/k', { data: { a: 2 }, options: { cas: 'x' } }), 400, 'error parsing check-and-set parameter');
  const written = await kv.call('update', 'data/k', { data: { a: 2 }, options: { cas: '1' } });
  t.is(written?.data?.['version'], 2);
});

test('cas_required on the mount or the key demands cas', async (t) => {
  const kv = await v2();
  await kv.call('update', 'config', { cas_required: true });
  await rejectsWith(t, kv.call('update', 'data/k', { data: { a: 1 } }), 400, 'check-and-set parameter required for this call');
  await kv.call('update', 'data/k', { data: { a: 1 }, options: { cas: 0 } });
  await kv.call('update', 'config', { cas_required: false });
  await kv.call('update', 'data/k', { data: { a: 2 } });
  await kv.call('update', 'metadata/k', { cas_required: true });
  await rejectsWith(t, kv.call('update', 'data/k', { data: { a: 3 } }), 400, 'check-and-set parameter required for this call');
  await rejectsWith(t, kv.call('patch', 'data/k', { data: { a: 3 } }), 400, 'check-and-set parameter required for this call');
});

test('bad input is a 400 naming the problem', async (t) => {
  const kv = await v2();
  await rejectsWith(t, kv.call('update', 'data/k', {}), 400, 'no data provided');
  await rejectsWith(t, kv.call('update', 'data/k', { data: 'text' }), 400, 'invalid value for field "data": expected an object');
  await rejectsWith(t, kv.call('update', 'data/k', { data: {}, options: [1] }), 400, 'invalid value for field "options": expected an object');
  await rejectsWith(t, kv.call('read', 'data/k', { version: 'latest' }), 400, 'invalid value for field "version": expected an integer');
  await rejectsWith(t, kv.call('update', 'data/a//b', { data: {} }), 400, "path cannot start or end with '/' or contain '//'");
  t.is((await kv.call('update', 'data/k', { data: { a: 1 }, unknown_field: true }))?.data?.['version'], 1);
});

test('a soft-deleted version is a 404 carrying the full metadata, and undelete restores it', async (t) => {
  const kv = await v2();
  await kv.call('update', 'data/k', { data: { a: 1 } });
  kv.clock.advance(5);
  t.is(await kv.call('delete', 'data/k'), undefined);
  const read = await kv.call('read', 'data/k');
  t.is(read?.status, 404);
  t.deepEqual(read?.data, {
    data: null,
    metadata: {
      created_time: '2024-05-01T10:00:00.123000000Z',
      custom_metadata: null,
      deletion_time: '2024-05-01T10:00:05.123000000Z',
      destroyed: false,
      version: 1,
    },
  });
  await kv.call('update', 'undelete/k', { versions: [1] });
  t.deepEqual((await kv.call('read', 'data/k'))?.data?.['data'], { a: 1 });
});

test('delete with versions soft-deletes those versions only; unknown versions are ignored', async (t) => {
  const kv = await v2();
  for (const value of [1, 2, 3]) await kv.call('update', 'data/k', { data: { value } });
  await kv.call('update', 'delete/k', { versions: '1,3,99' });
  t.is((await kv.call('read', 'data/k', { version: 1 }))?.status, 404);
  t.deepEqual((await kv.call('read', 'data/k', { version: 2 }))?.data?.['data'], { value: 2 });
  t.is((await kv.call('read', 'data/k'))?.status, 404);
  await rejectsWith(t, kv.call('update', 'delete/k', {}), 400, 'No version number provided');
  await rejectsWith(t, kv.call('update', 'undelete/k', { versions: [] }), 400, 'No version number provided');
  await rejectsWith(t, kv.call('update', 'destroy/k', {}), 400, 'no version number provided');
  t.is(await kv.call('update', 'delete/missing', { versions: [1] }), undefined);
});

test('destroy marks versions destroyed, removes their data from storage and cannot be undone', async (t) => {
  const kv = await v2();
  await kv.call('update', 'data/k', { data: { secret: 'destroy-canary-1' } });
  await kv.call('update', 'data/k', { data: { secret: 'kept-2' } });
  kv.physical.resetCounts();
  await kv.call('update', 'destroy/k', { versions: [1] });
  t.is(kv.physical.transactions, 1);
  const read = await kv.call('read', 'data/k', { version: 1 });
  t.is(read?.status, 404);
  t.deepEqual(read?.data?.['metadata'], {
    created_time: '2024-05-01T10:00:00.123000000Z',
    custom_metadata: null,
    deletion_time: '',
    destroyed: true,
    version: 1,
  });
  await kv.call('update', 'undelete/k', { versions: [1] });
  t.is((await kv.call('read', 'data/k', { version: 1 }))?.status, 404);
  const versionKeys = await kv.storage.list('versions/');
  t.is(versionKeys.length, 1);
  t.deepEqual(await kv.storage.list(`versions/${versionKeys[0]}`), ['2']);
});

test('max_versions prunes the oldest versions in the same transaction as the write', async (t) => {
  const kv = await v2();
  await kv.call('update', 'config', { max_versions: 3 });
  for (const value of [1, 2, 3]) await kv.call('update', 'data/k', { data: { value } });
  kv.physical.resetCounts();
  await kv.call('update', 'data/k', { data: { value: 4 } });
  t.is(kv.physical.transactions, 1);
  t.is(await kv.call('read', 'data/k', { version: 1 }), undefined);
  const metadata = (await kv.call('read', 'metadata/k'))?.data;
  t.is(metadata?.['current_version'], 4);
  t.is(metadata?.['oldest_version'], 2);
  t.deepEqual(Object.keys(metadata?.['versions'] as object), ['2', '3', '4']);
  const [folder] = await kv.storage.list('versions/');
  t.deepEqual(await kv.storage.list(`versions/${folder}`), ['2', '3', '4']);
});

test('the default keeps ten versions, and the larger of key and mount max_versions wins', async (t) => {
  const kv = await v2();
  for (let value = 1; value <= 12; value += 1) await kv.call('update', 'data/k', { data: { value } });
  const metadata = (await kv.call('read', 'metadata/k'))?.data;
  t.is(Object.keys(metadata?.['versions'] as object).length, 10);
  t.is(metadata?.['oldest_version'], 3);
  await kv.call('update', 'config', { max_versions: 2 });
  await kv.call('update', 'metadata/other', { max_versions: 4 });
  for (let value = 1; value <= 6; value += 1) await kv.call('update', 'data/other', { data: { value } });
  t.deepEqual(Object.keys((await kv.call('read', 'metadata/other'))?.data?.['versions'] as object), ['3', '4', '5', '6']);
});

test('PATCH merges onto the current version: null removes, objects merge, a new version is written', async (t) => {
  const kv = await v2();
  await kv.call('update', 'data/k', { data: { keep: 'x', drop: 'y', nested: { a: 1, b: 2 } } });
  const patched = await kv.call('patch', 'data/k', { data: { drop: null, nested: { b: null, c: 3 }, added: true }, options: { cas: 1 } });
  t.is(patched?.data?.['version'], 2);
  t.deepEqual((await kv.call('read', 'data/k'))?.data?.['data'], { keep: 'x', nested: { a: 1, c: 3 }, added: true });
  await rejectsWith(t, kv.call('patch', 'data/k', { data: { a: 1 }, options: { cas: 1 } }), 400, 'check-and-set parameter did not match the current version');
});

test('PATCH of a missing key is a 404, of a deleted version a 404 with its metadata', async (t) => {
  const kv = await v2();
  await rejectsWith(t, kv.call('patch', 'data/missing', { data: { a: 1 } }), 404, 'no secret at this path');
  await rejectsWith(t, kv.call('patch', 'data/k', {}), 400, 'no data provided');
  await kv.call('update', 'data/k', { data: { a: 1 } });
  await kv.call('delete', 'data/k');
  const patched = await kv.call('patch', 'data/k', { data: { a: 2 } });
  t.is(patched?.status, 404);
  t.is(patched?.data?.['version'], 1);
  t.regex(String(patched?.data?.['deletion_time']), TIME);
});

test('delete_version_after schedules deletion lazily: readable before, 404 after', async (t) => {
  const kv = await v2();
  await kv.call('update', 'config', { delete_version_after: '1h' });
  const written = await kv.call('update', 'data/k', { data: { a: 1 } });
  t.is(written?.data?.['deletion_time'], '2024-05-01T11:00:00.123000000Z');
  kv.clock.advance(3599);
  t.deepEqual((await kv.call('read', 'data/k'))?.data?.['data'], { a: 1 });
  kv.clock.advance(1);
  t.is((await kv.call('read', 'data/k'))?.status, 404);
  // The shorter of the mount's and the key's setting applies.
  await kv.call('update', 'metadata/short', { delete_version_after: '10m' });
  const short = await kv.call('update', 'data/short', { data: { a: 1 } });
  t.is(short?.data?.['deletion_time'], '2024-05-01T11:10:00.123000000Z');
});

test('a negative mount delete_version_after disables it for every key', async (t) => {
  const kv = await v2();
  await kv.call('update', 'metadata/k', { delete_version_after: '10m' });
  await kv.call('update', 'config', { delete_version_after: '-1s' });
  t.is((await kv.call('read', 'config'))?.data?.['delete_version_after'], '-1s');
  t.is((await kv.call('update', 'data/k', { data: { a: 1 } }))?.data?.['deletion_time'], '');
});

test('data existence follows the key metadata, as Vault\'s does', async (t) => {
  const kv = await v2();
  t.false(await kv.backend.exists(kv.request('update', 'data/k', { data: {} })));
  await kv.call('update', 'data/k', { data: { a: 1 } });
  t.true(await kv.backend.exists(kv.request('update', 'data/k', { data: {} })));
  await kv.call('update', 'metadata/only-metadata', { max_versions: 3 });
  t.true(await kv.backend.exists(kv.request('update', 'data/only-metadata', { data: {} })));
});

test('a data path ending in / and unknown paths are unsupported', async (t) => {
  const kv = await v2();
  await rejectsWith(t, kv.call('read', 'data/'), 404, 'unsupported path');
  await rejectsWith(t, kv.call('read', 'k'), 404, 'unsupported path');
  await rejectsWith(t, kv.call('list', 'data/'), 404, 'unsupported path');
  await rejectsWith(t, kv.call('list', 'config'), 405, 'unsupported operation');
});

test('concurrent writes to one key get distinct versions', async (t) => {
  const kv = await v2();
  const results = await Promise.all([1, 2, 3, 4, 5].map((value) => kv.call('update', 'data/k', { data: { value } })));
  t.deepEqual(results.map((result) => result?.data?.['version']).sort(), [1, 2, 3, 4, 5]);
  t.is((await kv.call('read', 'metadata/k'))?.data?.['current_version'], 5);
});

test('secret values never reach storage in plaintext', async (t) => {
  const kv = await v2();
  await kv.call('update', 'data/k', { data: { password: 'plaintext-canary-v2' } });
  await kv.call('patch', 'data/k', { data: { other: 'patched-canary' } });
  const dump = await kv.physical.dump();
  t.false(dump.includes('plaintext-canary-v2'));
  t.false(dump.includes('patched-canary'));
});
