import test from 'ava';
import { isSealboxError } from '../../../src/lib/errors.ts';
import type { TokenEntry } from '../../../src/server/auth/token/token-entry.ts';
import { AesGcmBarrier } from '../../../src/server/barrier/aes-gcm-barrier.ts';
import { generateKey } from '../../../src/server/barrier/aes-gcm.ts';
import type { StorageView } from '../../../src/server/barrier/storage-view.ts';
import type { BackendRequest } from '../../../src/server/logical/logical-request.ts';
import type { Operation } from '../../../src/server/logical/operation.ts';
import { PathTable } from '../../../src/server/logical/path-table.ts';
import { PolicyStore } from '../../../src/server/policy/policy-store.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';
import { capabilitiesPaths } from '../../../src/server/system/capabilities-paths.ts';
import { SYS_MOUNT } from './sys-mount.ts';

/** Tokens and accessors as the token store would resolve them: token -> [accessor, policies]. */
const TOKENS: Readonly<Record<string, readonly [string, readonly string[]]>> = {
  's.app': ['acc-app', ['app', 'default']],
  's.root': ['acc-root', ['root']],
  's.none': ['acc-none', []],
};

interface Fixture {
  readonly table: PathTable;
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
  await store.put('app', 'path "secret/*" { capabilities = ["read", "list"] }\npath "sys/seal" { capabilities = ["update", "sudo"] }');
  const aclOfToken = async (token: string) => {
    const known = TOKENS[token];
    return known === undefined ? undefined : store.aclFor(known[1]);
  };
  const aclOfAccessor = async (accessor: string) => {
    const known = Object.values(TOKENS).find(([candidate]) => candidate === accessor);
    return known === undefined ? undefined : store.aclFor(known[1]);
  };
  return { table: new PathTable(capabilitiesPaths({ aclOfToken, aclOfAccessor })), sysView };
}

function tokenEntry(token: string): TokenEntry {
  const [accessor, policies] = TOKENS[token] ?? ['', []];
  return {
    accessor,
    policies,
    path: 'auth/token/create',
    displayName: 'token',
    meta: null,
    creationTime: 0,
    ttl: 0,
    explicitMaxTtl: 0,
    period: 0,
    numUses: 0,
    orphan: false,
    renewable: false,
    type: 'service',
  };
}

function request(f: Fixture, operation: Operation, relativePath: string, data: Record<string, unknown>, caller = 's.app'): BackendRequest {
  return {
    id: 'req-1',
    operation,
    path: `sys/${relativePath}`,
    data,
    clientToken: caller,
    remoteAddress: '127.0.0.1',
    remotePort: 50000,
    relativePath,
    mount: SYS_MOUNT,
    storage: f.sysView,
    caller: { id: caller, entry: tokenEntry(caller) },
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

test('capabilities-self with one path answers it under its own key and under capabilities', async (t) => {
  const f = await fixture();
  const response = await f.table.handle(request(f, 'update', 'capabilities-self', { paths: ['secret/foo'] }));
  t.deepEqual(response?.data, { 'secret/foo': ['list', 'read'], capabilities: ['list', 'read'] });
  t.true(response?.dataAtTopLevel);
});

test('capabilities-self takes a comma list or the deprecated path field; several paths drop capabilities', async (t) => {
  const f = await fixture();
  const many = await f.table.handle(request(f, 'update', 'capabilities-self', { paths: 'secret/foo,sys/seal,other/x' }));
  t.deepEqual(many?.data, { 'secret/foo': ['list', 'read'], 'sys/seal': ['sudo', 'update'], 'other/x': ['deny'] });
  const legacy = await f.table.handle(request(f, 'update', 'capabilities-self', { path: 'sys/capabilities-self' }));
  t.deepEqual(legacy?.data, { 'sys/capabilities-self': ['update'], capabilities: ['update'] });
});

test('a root token has root everywhere; a token without policies has deny', async (t) => {
  const f = await fixture();
  t.deepEqual((await f.table.handle(request(f, 'update', 'capabilities-self', { paths: 'any/path' }, 's.root')))?.data, {
    'any/path': ['root'],
    capabilities: ['root'],
  });
  t.deepEqual((await f.table.handle(request(f, 'update', 'capabilities-self', { paths: 'secret/x' }, 's.none')))?.data, {
    'secret/x': ['deny'],
    capabilities: ['deny'],
  });
});

test('no paths is a 400', async (t) => {
  const f = await fixture();
  t.is(await badRequest(f.table.handle(request(f, 'update', 'capabilities-self', {}))), 'paths must be supplied');
  t.is(await badRequest(f.table.handle(request(f, 'update', 'capabilities-self', { paths: [] }))), 'paths must be supplied');
});

test('sys/capabilities answers for another token; an unknown or missing token is a 400', async (t) => {
  const f = await fixture();
  const response = await f.table.handle(request(f, 'update', 'capabilities', { token: 's.app', paths: ['sys/seal'] }, 's.root'));
  t.deepEqual(response?.data, { 'sys/seal': ['sudo', 'update'], capabilities: ['sudo', 'update'] });
  t.is(await badRequest(f.table.handle(request(f, 'update', 'capabilities', { token: 's.nope', paths: ['a'] }, 's.root'))), 'invalid token');
  t.is(await badRequest(f.table.handle(request(f, 'update', 'capabilities', { paths: ['a'] }, 's.root'))), 'no token found');
});

test('sys/capabilities-accessor answers for the token behind an accessor', async (t) => {
  const f = await fixture();
  const response = await f.table.handle(request(f, 'update', 'capabilities-accessor', { accessor: 'acc-app', paths: 'secret/a' }, 's.root'));
  t.deepEqual(response?.data, { 'secret/a': ['list', 'read'], capabilities: ['list', 'read'] });
  t.is(await badRequest(f.table.handle(request(f, 'update', 'capabilities-accessor', { accessor: 'acc-x', paths: 'a' }, 's.root'))), 'invalid accessor');
  t.is(await badRequest(f.table.handle(request(f, 'update', 'capabilities-accessor', { paths: 'a' }, 's.root'))), 'missing accessor');
});

test('the capabilities paths only take writes', async (t) => {
  const f = await fixture();
  const error = await f.table.handle(request(f, 'read', 'capabilities-self', {})).catch((caught: unknown) => caught);
  t.true(isSealboxError(error, 'unsupported_operation'));
});
