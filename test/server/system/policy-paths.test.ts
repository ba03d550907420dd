import test from 'ava';
import { isSealboxError } from '../../../src/lib/errors.ts';
import { AesGcmBarrier } from '../../../src/server/barrier/aes-gcm-barrier.ts';
import { generateKey } from '../../../src/server/barrier/aes-gcm.ts';
import type { StorageView } from '../../../src/server/barrier/storage-view.ts';
import { envelope, isEmptyResult } from '../../../src/server/http/envelope.ts';
import type { BackendRequest } from '../../../src/server/logical/logical-request.ts';
import type { Operation } from '../../../src/server/logical/operation.ts';
import { PathTable } from '../../../src/server/logical/path-table.ts';
import { PolicyStore } from '../../../src/server/policy/policy-store.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';
import { policyPaths } from '../../../src/server/system/policy-paths.ts';
import { SYS_MOUNT } from './sys-mount.ts';

const READ_KV = 'path "kv/*" {\n  capabilities = ["read"]\n}\n';

interface Fixture {
  readonly table: PathTable;
  readonly store: PolicyStore;
  readonly sysView: StorageView;
}

async function fixture(): Promise<Fixture> {
  const barrier = new AesGcmBarrier(new InmemBackend());
  const key = generateKey();
  await barrier.initialize(Buffer.from(key));
  await barrier.unseal(Buffer.from(key));
  const sysView = barrier.view('');
  const store = new PolicyStore(sysView.view('sys/policy/'));
  await store.ensureDefaultPolicy();
  return { table: new PathTable(policyPaths(store)), store, sysView };
}

function request(f: Fixture, operation: Operation, relativePath: string, data: Record<string, unknown> = {}): BackendRequest {
  return {
    id: 'req-1',
    operation,
    path: `sys/${relativePath}`,
    data,
    clientToken: '',
    remoteAddress: '127.0.0.1',
    remotePort: 50000,
    relativePath,
    mount: SYS_MOUNT,
    storage: f.sysView,
  };
}

async function badRequest(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isSealboxError(error, 'invalid_request')) throw new Error(`expected a 400, got ${String(error)}`);
  return error.message;
}

test('GET sys/policy is a read listing keys and policies, root last, data also at top level', async (t) => {
  const f = await fixture();
  await f.store.put('zeta', READ_KV);
  const response = await f.table.handle(request(f, 'read', 'policy'));
  t.deepEqual(response?.data, { keys: ['default', 'zeta', 'root'], policies: ['default', 'zeta', 'root'] });
  const body = envelope('req-1', response!, 'system');
  t.deepEqual(body['keys'], ['default', 'zeta', 'root']);
  t.deepEqual((await f.table.handle(request(f, 'list', 'policy/')))?.data, response?.data);
});

test('LIST sys/policies/acl answers keys only; GET on it is not a list', async (t) => {
  const f = await fixture();
  t.deepEqual((await f.table.handle(request(f, 'list', 'policies/acl/')))?.data, { keys: ['default', 'root'] });
  const error = await f.table.handle(request(f, 'read', 'policies/acl')).catch((caught: unknown) => caught);
  t.true(isSealboxError(error, 'unsupported_operation'));
});

test('the legacy path takes rules with a deprecation warning, lower-cases the name and reads back rules', async (t) => {
  const f = await fixture();
  const written = await f.table.handle(request(f, 'update', 'policy/App-Reader', { rules: READ_KV }));
  t.deepEqual(written?.warnings, ["'rules' is deprecated, please use 'policy' instead"]);
  const read = await f.table.handle(request(f, 'read', 'policy/app-reader'));
  t.deepEqual(read?.data, { name: 'app-reader', rules: READ_KV });
  t.true(read?.dataAtTopLevel);
  t.is(await f.table.handle(request(f, 'update', 'policy/other', { policy: READ_KV })), undefined, 'policy needs no warning');
});

test('sys/policies/acl takes policy as text or base64 and reads back name and policy', async (t) => {
  const f = await fixture();
  const json = '{"path": {"kv/*": {"capabilities": ["read"]}}}';
  t.is(await f.table.handle(request(f, 'create', 'policies/acl/json-b64', { policy: Buffer.from(json).toString('base64') })), undefined);
  t.deepEqual((await f.table.handle(request(f, 'read', 'policies/acl/json-b64')))?.data, { name: 'json-b64', policy: json });
  await f.table.handle(request(f, 'update', 'policies/acl/hcl', { policy: READ_KV }));
  t.true((await f.store.aclFor(['hcl'])).allows('kv/a', 'read', false), 'the written policy takes effect at once');
});

test('writes without a policy, with only rules on the new path, or with bad text are 400s', async (t) => {
  const f = await fixture();
  t.is(await badRequest(f.table.handle(request(f, 'update', 'policies/acl/x', {}))), "'policy' parameter not supplied or empty");
  t.is(await badRequest(f.table.handle(request(f, 'update', 'policies/acl/x', { rules: READ_KV }))), "'policy' parameter not supplied or empty");
  t.is(await badRequest(f.table.handle(request(f, 'update', 'policy/x', { policy: '' }))), "'policy' parameter not supplied or empty");
  t.is(
    await badRequest(f.table.handle(request(f, 'update', 'policies/acl/x', { policy: 'path "a" { capabilities = ["fly"] }' }))),
    'failed to parse policy: path "a": invalid capability "fly"',
  );
  t.is(await badRequest(f.table.handle(request(f, 'update', 'policy/  ', { policy: READ_KV }))), 'policy name must be provided in the URL');
});

test('root cannot be written or deleted and default cannot be deleted', async (t) => {
  const f = await fixture();
  t.is(await badRequest(f.table.handle(request(f, 'update', 'policies/acl/root', { policy: READ_KV }))), 'cannot update "root" policy');
  t.is(await badRequest(f.table.handle(request(f, 'delete', 'policy/root'))), 'cannot delete "root" policy');
  t.is(await badRequest(f.table.handle(request(f, 'delete', 'policies/acl/default'))), 'cannot delete default policy');
  t.deepEqual((await f.table.handle(request(f, 'read', 'policy/root')))?.data, { name: 'root', rules: '' });
});

test('delete is idempotent and a deleted policy reads as not found (404)', async (t) => {
  const f = await fixture();
  await f.store.put('temp', READ_KV);
  t.is(await f.table.handle(request(f, 'delete', 'policies/acl/temp')), undefined);
  t.is(await f.table.handle(request(f, 'delete', 'policies/acl/temp')), undefined);
  const read = await f.table.handle(request(f, 'read', 'policies/acl/temp'));
  t.is(read, undefined);
  t.true(isEmptyResult(read, 'read'));
  t.false(await f.store.exists('temp'));
});
