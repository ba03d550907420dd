import { createServer } from 'node:net';
import test from 'ava';
import { isSealboxError } from '../../../../src/lib/errors.ts';
import { EtcdBackend } from '../../../../src/server/storage/etcd/etcd-backend.ts';
import { etcdStorageConfig, withEtcd } from '../../../helpers/etcd.ts';
import { bytes } from '../conformance.ts';

const REQUEST_TIMEOUT_MS = 500;

function assertUnavailable(t: import('ava').ExecutionContext, error: unknown, operation: string): void {
  t.true(isSealboxError(error, 'storage_unavailable'), `${operation}: expected storage_unavailable, got ${String(error)}`);
  t.regex((error as Error).message, /^storage unavailable: /, operation);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

test('every operation fails with storage_unavailable once etcd is killed, and a held lock is lost', async (t) => {
  await withEtcd(async (etcd) => {
    const backend = await EtcdBackend.create(etcdStorageConfig(etcd.endpoint, { requestTimeoutMs: REQUEST_TIMEOUT_MS }));
    t.teardown(() => backend.close());
    await backend.put('before', bytes('written'));
    const lock = await backend.acquireLock('leader', 'node-1', 1, new AbortController().signal);

    await etcd.stop();

    assertUnavailable(t, await rejection(backend.get('before')), 'get');
    assertUnavailable(t, await rejection(backend.put('after', bytes('x'))), 'put');
    assertUnavailable(t, await rejection(backend.delete('before')), 'delete');
    assertUnavailable(t, await rejection(backend.list('')), 'list');
    assertUnavailable(t, await rejection(backend.transaction([{ type: 'put', key: 'x', value: bytes('x') }])), 'transaction');
    assertUnavailable(t, await rejection(backend.lockHolder('leader')), 'lockHolder');
    assertUnavailable(t, await rejection(backend.watch('', () => undefined)), 'watch');
    assertUnavailable(t, await rejection(backend.acquireLock('other', 'node-1', 1, new AbortController().signal)), 'acquireLock');
    await lock.lost;
    t.pass('the held lock reported its loss');
  });
});

test('an endpoint where nothing listens is storage_unavailable, not a hang', async (t) => {
  const port = await closedPort();
  const backend = await EtcdBackend.create(
    etcdStorageConfig(`http://127.0.0.1:${port}`, { requestTimeoutMs: REQUEST_TIMEOUT_MS }),
  );
  t.teardown(() => backend.close());
  assertUnavailable(t, await rejection(backend.get('anything')), 'get');
  assertUnavailable(t, await rejection(backend.put('anything', bytes('x'))), 'put');
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
