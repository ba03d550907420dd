import test from 'ava';
import { isSealboxError } from '../../../src/lib/errors.ts';
import { AesGcmBarrier } from '../../../src/server/barrier/aes-gcm-barrier.ts';
import { generateKey } from '../../../src/server/barrier/aes-gcm.ts';
import { ShamirSeal } from '../../../src/server/core/shamir-seal.ts';
import { envelope } from '../../../src/server/http/envelope.ts';
import type { BackendRequest } from '../../../src/server/logical/logical-request.ts';
import type { Operation } from '../../../src/server/logical/operation.ts';
import { PathTable } from '../../../src/server/logical/path-table.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';
import { keyPaths } from '../../../src/server/system/key-paths.ts';
import { SYS_ROOT_PATHS } from '../../../src/server/system/sys-root-paths.ts';
import { SYS_MOUNT } from './sys-mount.ts';

async function fixture() {
  const physical = new InmemBackend();
  const barrier = new AesGcmBarrier(physical);
  const key = generateKey();
  await barrier.initialize(Buffer.from(key));
  await barrier.unseal(Buffer.from(key));
  const table = new PathTable(keyPaths({ barrier, backups: new ShamirSeal(physical) }));
  const call = (operation: Operation, relativePath: string, data: Record<string, unknown> = {}) => {
    const request: BackendRequest = {
      id: 'req-1',
      operation,
      path: `sys/${relativePath}`,
      data,
      clientToken: '',
      remoteAddress: '127.0.0.1',
      remotePort: 50000,
      relativePath,
      mount: SYS_MOUNT,
      storage: barrier.view(''),
    };
    return table.handle(request);
  };
  return { physical, barrier, key, call };
}

async function badRequest(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isSealboxError(error, 'invalid_request')) throw new Error(`expected a 400, got ${String(error)}`);
  return error.message;
}

test('key-status reports term as a number and install_time as RFC 3339, also at the top level', async (t) => {
  const { call, barrier } = await fixture();
  await barrier.put('x', Buffer.from('y'));
  const response = await call('read', 'key-status');
  const data = response?.data as { term: unknown; install_time: string; encryptions: unknown };
  t.is(data.term, 1);
  t.is(data.encryptions, 1);
  t.regex(data.install_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  t.like(envelope('req-1', response!, 'system'), { term: 1, install_time: data.install_time, encryptions: 1 });
});

test('rotate installs the next term and answers 204; it is a sudo path', async (t) => {
  const { call, barrier } = await fixture();
  await barrier.put('before', Buffer.from('term 1'));
  t.is(await call('update', 'rotate'), undefined);
  t.like((await call('read', 'key-status'))?.data, { term: 2, encryptions: 0 });
  t.is(Buffer.from((await barrier.get('before'))!).toString(), 'term 1');
  t.true(SYS_ROOT_PATHS.includes('rotate'));
});

test('rotate/config reads Vault defaults and takes Vault field names within its bounds', async (t) => {
  const { call, barrier } = await fixture();
  t.deepEqual((await call('read', 'rotate/config'))?.data, { max_operations: 3865470566, enabled: true, interval: 0 });
  t.is(await badRequest(call('update', 'rotate/config', { interval: '1h' })), 'interval must be greater or equal to 24h0m0s');
  t.is(await badRequest(call('update', 'rotate/config', { max_operations: 999_999 })), 'max_operations must be in the range [1000000,3865470566]');
  t.is(await badRequest(call('update', 'rotate/config', { max_operations: 3865470567 })), 'max_operations must be in the range [1000000,3865470566]');
  t.deepEqual((await call('read', 'rotate/config'))?.data, { max_operations: 3865470566, enabled: true, interval: 0 }, 'a refused update changes nothing');

  t.is(await call('update', 'rotate/config', { interval: '4320h', max_operations: '2000000', enabled: 'false' }), undefined);
  t.deepEqual((await call('read', 'rotate/config'))?.data, { max_operations: 2_000_000, enabled: false, interval: '4320h0m0s' });
  t.deepEqual(barrier.rotationConfig(), { disabled: true, maxOperations: 2_000_000, intervalMs: 4320 * 3600_000 });
  await call('update', 'rotate/config', { interval: 90061 + 86400, enabled: true });
  t.like((await call('read', 'rotate/config'))?.data, { enabled: true, interval: '49h1m1s', max_operations: 2_000_000 });
  await call('update', 'rotate/config', { interval: 0 });
  t.like((await call('read', 'rotate/config'))?.data, { interval: 0 });
});

test('rotate/config survives a seal: it is stored in the keyring', async (t) => {
  const { call, barrier, key } = await fixture();
  await call('update', 'rotate/config', { interval: '48h' });
  barrier.seal();
  await barrier.unseal(Buffer.from(key));
  t.like((await call('read', 'rotate/config'))?.data, { interval: '48h0m0s', enabled: true });
});

test('rekey/backup: none is 400 "no backed-up keys found" as in Vault; a backup Vault left is read and deleted', async (t) => {
  const { call, physical } = await fixture();
  t.is(await badRequest(call('read', 'rekey/backup')), 'no backed-up keys found');
  const stored = { Nonce: 'abc', Keys: { fingerprint1: ['c1a0', 'ff00'] } };
  await physical.put('core/unseal-keys-backup', Buffer.from(JSON.stringify(stored)));
  const response = await call('read', 'rekey/backup');
  t.deepEqual(response?.data, { nonce: 'abc', keys: { fingerprint1: ['c1a0', 'ff00'] }, keys_base64: { fingerprint1: ['waA=', '/wA='] } });
  t.true(response?.dataAtTopLevel);
  t.is(await call('delete', 'rekey/backup'), undefined);
  t.is(await physical.get('core/unseal-keys-backup'), undefined);
  t.is(await call('delete', 'rekey/backup'), undefined, 'deleting no backup is fine');
});
