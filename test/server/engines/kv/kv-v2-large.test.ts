import test from 'ava';
import { kvFactory } from '../../../../src/server/engines/kv/kv-factory.ts';
import { mountEngine } from '../engine-harness.ts';

test('deleting a key with more versions than one transaction holds removes every one', async (t) => {
  const kv = await mountEngine(kvFactory, { type: 'kv', options: { version: '2' } });
  await kv.call('update', 'metadata/k', { max_versions: 200 });
  for (let value = 1; value <= 150; value += 1) await kv.call('update', 'data/k', { data: { value } });
  const [folder] = await kv.storage.list('versions/');
  t.is((await kv.storage.list(`versions/${folder}`)).length, 150);
  kv.physical.resetCounts();
  await kv.call('delete', 'metadata/k');
  t.true(kv.physical.transactions > 1);
  t.deepEqual(await kv.storage.list('versions/'), []);
  t.deepEqual(await kv.storage.list('metadata/'), []);
});

test('lowering max_versions prunes every version past the window on the next write', async (t) => {
  const kv = await mountEngine(kvFactory, { type: 'kv', options: { version: '2' } });
  await kv.call('update', 'metadata/k', { max_versions: 100 });
  for (let value = 1; value <= 100; value += 1) await kv.call('update', 'data/k', { data: { value } });
  await kv.call('update', 'metadata/k', { max_versions: 1 });
  await kv.call('update', 'data/k', { data: { value: 101 } });
  const [folder] = await kv.storage.list('versions/');
  t.deepEqual(await kv.storage.list(`versions/${folder}`), ['101']);
  t.like((await kv.call('read', 'metadata/k'))?.data, { oldest_version: 101, current_version: 101 });
});
