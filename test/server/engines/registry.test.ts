import test from 'ava';
import { secretEngineFactories } from '../../../src/server/engines/registry.ts';
import { mountEngine } from './engine-harness.ts';

test('the registry offers kv and cubbyhole', (t) => {
  t.deepEqual([...secretEngineFactories().keys()].sort(), ['cubbyhole', 'kv']);
});

test('kv is version 1 unless options.version is "2"', async (t) => {
  const factory = secretEngineFactories().get('kv');
  if (factory === undefined) return t.fail('no kv factory');
  const v1 = await mountEngine(factory, { type: 'kv' });
  const explicitV1 = await mountEngine(factory, { type: 'kv', options: { version: '1' } });
  const v2 = await mountEngine(factory, { type: 'kv', options: { version: '2' } });
  for (const kv of [v1, explicitV1]) {
    await kv.call('update', 'config', { max_versions: 3 });
    t.deepEqual((await kv.call('read', 'config'))?.data, { max_versions: 3 });
  }
  await v2.call('update', 'config', { max_versions: 3 });
  t.deepEqual((await v2.call('read', 'config'))?.data, { cas_required: false, delete_version_after: '0s', max_versions: 3 });
});
