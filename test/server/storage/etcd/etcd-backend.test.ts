import test from 'ava';
import { isSealboxError } from '../../../../src/lib/errors.ts';
import { EtcdBackend } from '../../../../src/server/storage/etcd/etcd-backend.ts';
import { etcdStorageConfig, useEtcd } from '../../../helpers/etcd.ts';
import { registerConformanceTests } from '../conformance.ts';

const etcd = useEtcd(test);

// Every backend gets a fresh prefix, so the tests share one etcd without seeing each other.
registerConformanceTests(test, 'etcd', () => EtcdBackend.create(etcdStorageConfig(etcd().endpoint)));

test('etcd: an entry over the etcd request limit is payload_too_large, and the storage stays usable', async (t) => {
  const backend = await EtcdBackend.create(etcdStorageConfig(etcd().endpoint));
  t.teardown(() => backend.close());
  for (const size of [1.6 * 1024 * 1024, 3 * 1024 * 1024]) {
    const error = await t.throwsAsync(backend.put('huge', new Uint8Array(size)));
    t.true(isSealboxError(error, 'payload_too_large'), String(error));
  }
  const oversizedTransaction = [
    { type: 'put' as const, key: 'half/a', value: new Uint8Array(800 * 1024) },
    { type: 'put' as const, key: 'half/b', value: new Uint8Array(800 * 1024) },
  ];
  const error = await t.throwsAsync(backend.transaction(oversizedTransaction));
  t.true(isSealboxError(error, 'payload_too_large'), String(error));
  await backend.put('after', new Uint8Array(1024 * 1024));
  t.is((await backend.get('after'))?.byteLength, 1024 * 1024);
});

test('etcd: a transaction over the etcd operation limit is invalid_request with the etcd reason', async (t) => {
  const backend = await EtcdBackend.create(etcdStorageConfig(etcd().endpoint));
  t.teardown(() => backend.close());
  const operations = Array.from({ length: 200 }, (_, index) => ({ type: 'put' as const, key: `k${index}`, value: new Uint8Array(1) }));
  const error = await t.throwsAsync(backend.transaction(operations));
  t.true(isSealboxError(error, 'invalid_request'));
  t.regex(error?.message ?? '', /too many operations in txn request/);
  t.deepEqual(await backend.list(''), []);
});
