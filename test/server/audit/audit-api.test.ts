import test from 'ava';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startServerProcess } from '../../helpers/server-process.ts';
import { callApi, eventually, parseEntries, readEntries, startAuditedServer, startDatagramListener, startLineListener } from './audit-harness.ts';

test('sys/audit lists, enables and disables devices with Vault\'s answers', async (t) => {
  const audited = await startAuditedServer();
  t.teardown(async () => {
    await audited.server.stop({ kill: true });
    await audited.dir.remove();
  });
  const { call } = audited;
  const logPath = join(audited.dir.path, 'logs', 'audit.log');

  const empty = await call('GET', 'sys/audit');
  t.is(empty.status, 200);
  t.deepEqual(empty.body.data, {});
  const enabled = await call('PUT', 'sys/audit/file', { type: 'file', description: 'main log', options: { file_path: logPath, mode: '0640', hmac_accessor: false } });
  t.is(enabled.status, 204);
  t.is((await stat(logPath)).mode & 0o777, 0o640);
  const listed = await call('GET', 'sys/audit');
  const info = { type: 'file', description: 'main log', options: { file_path: logPath, mode: '0640', hmac_accessor: 'false' }, local: false, path: 'file/' };
  t.deepEqual(listed.body.data, { 'file/': info });
  t.deepEqual(listed.body['file/'], info, 'the listing is also at the top level');
  const [probe] = await readEntries(logPath);
  t.like(probe, { type: 'request', request: { operation: 'update', path: 'sys/audit/test' } }, 'enabling writes a test entry');

  const refusals: [string, unknown, string][] = [
    ['sys/audit/file', { type: 'file', options: { file_path: logPath } }, 'path already in use'],
    ['sys/audit/file/nested', { type: 'file', options: { file_path: logPath } }, 'path already in use'],
    ['sys/audit/other', { type: 'syslog' }, 'unknown backend type: "syslog"'],
    ['sys/audit/other', { type: 'file', options: {} }, 'file_path is required'],
    ['sys/audit/other', { type: 'file', options: { file_path: logPath, log_raw: 'maybe' } }, 'invalid value for option "log_raw": expected a boolean, got "maybe"'],
    ['sys/audit/other', { type: 'socket', options: {} }, 'address is required'],
    ['sys/audit/other', { type: 'socket', options: { address: '127.0.0.1:1', socket_type: 'sctp' } }, 'unsupported socket_type "sctp": expected tcp, udp or unix'],
    ['sys/audit/other', { type: 'file', options: { file_path: join(logPath, 'below-a-file') } }, `sanity check failed; unable to open "${join(logPath, 'below-a-file')}" for writing`],
    ['sys/audit/other', { type: 'socket', options: { address: '127.0.0.1:1' } }, 'audit backend failed test message: connect ECONNREFUSED 127.0.0.1:1'],
  ];
  for (const [path, body, message] of refusals) {
    const answer = await call('PUT', path, body);
    t.is(answer.status, 400, path);
    t.true(answer.body.errors?.[0]?.startsWith(message), `${answer.body.errors?.[0]} starts with ${message}`);
  }
  t.is((await call('PUT', 'sys/audit/later', { type: 'socket', options: { address: '127.0.0.1:1', skip_test: 'true' } })).status, 204, 'skip_test enables a device that cannot write yet');
  t.is((await call('DELETE', 'sys/audit/later')).status, 204);
  t.is((await call('DELETE', 'sys/audit/never-enabled')).status, 204, 'disabling a missing device is no error');
  t.deepEqual(Object.keys((await call('GET', 'sys/audit')).body.data!), ['file/']);

  t.is((await call('PUT', 'sys/audit-hash/nope', { input: 'x' })).body.errors?.[0], 'unknown audit backend nope/');
  t.is((await call('PUT', 'sys/audit-hash/file', {})).body.errors?.[0], 'the "input" parameter is empty');
  const hashed = await call('PUT', 'sys/audit-hash/file', { input: 'x' });
  t.regex(hashed.body.data!['hash'] as string, /^hmac-sha256:[0-9a-f]{64}$/);
  t.is(hashed.body['hash'], hashed.body.data!['hash']);
  t.regex((await call('GET', 'sys/audit/file/chain-key')).body.data!['chain_key'] as string, /^[0-9a-f]{64}$/);
  t.is((await call('GET', 'sys/audit/file')).status, 405);
  t.is((await call('GET', 'sys/audit/nope/chain-key')).status, 400);

  const entries = await readEntries(logPath);
  const lookup = entries.find((entry) => entry.request.path === 'sys/audit-hash/file' && entry.type === 'request');
  t.false((lookup!.auth!['accessor'] as string).startsWith('hmac-sha256:'), 'hmac_accessor=false leaves accessors readable');
  t.true((lookup!.auth!['client_token'] as string).startsWith('hmac-sha256:'));

  t.is((await call('DELETE', 'sys/audit/file')).status, 204);
  t.deepEqual((await call('GET', 'sys/audit')).body.data, {});
});

test('sys/audit needs sudo, sys/audit-hash does not', async (t) => {
  const audited = await startAuditedServer();
  t.teardown(async () => {
    await audited.server.stop({ kill: true });
    await audited.dir.remove();
  });
  const { call } = audited;
  const policy = 'path "sys/audit*" { capabilities = ["create", "read", "update", "delete", "list"] }';
  t.is((await call('PUT', 'sys/policies/acl/auditor', { policy })).status, 204);
  const token = ((await call('POST', 'auth/token/create', { policies: ['auditor'] })).body['auth'] as { client_token: string }).client_token;
  t.is((await call('PUT', 'sys/audit/file', { type: 'file', options: { file_path: join(audited.dir.path, 'a.log') } })).status, 204);
  t.is((await call('GET', 'sys/audit', undefined, token)).status, 403);
  t.is((await call('PUT', 'sys/audit/f2', { type: 'file', options: { file_path: join(audited.dir.path, 'b.log') } }, token)).status, 403);
  t.is((await call('GET', 'sys/audit/file/chain-key', undefined, token)).status, 403);
  t.is((await call('DELETE', 'sys/audit/file', undefined, token)).status, 403);
  t.is((await call('PUT', 'sys/audit-hash/file', { input: 'x' }, token)).status, 200);
});

test('devices on a unix socket, on UDP and on standard output receive every entry', async (t) => {
  const audited = await startAuditedServer();
  const unix = await startLineListener({ path: join(audited.dir.path, 'audit.sock') });
  const udp = await startDatagramListener();
  let stdout = '';
  audited.server.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  t.teardown(async () => {
    await audited.server.stop({ kill: true });
    await unix.close();
    await udp.close();
    await audited.dir.remove();
  });
  const { call } = audited;
  t.is((await call('PUT', 'sys/audit/unix', { type: 'socket', options: { address: unix.address, socket_type: 'unix' } })).status, 204);
  t.is((await call('PUT', 'sys/audit/udp', { type: 'socket', options: { address: udp.address, socket_type: 'udp' } })).status, 204);
  t.is((await call('PUT', 'sys/audit/out', { type: 'file', options: { file_path: 'stdout', prefix: 'AUDIT ' } })).status, 204);
  t.is((await call('PUT', 'sys/mounts/kv', { type: 'kv' })).status, 204);

  const isMount = (entry: { type: string; request: { path: string } }) => entry.type === 'response' && entry.request.path === 'sys/mounts/kv';
  await unix.waitFor('the mount response on the unix socket', isMount);
  await eventually('the mount response over UDP', () => udp.entries().find(isMount));
  const printed = await eventually('the mount response on standard output', () => {
    const lines = stdout.split('\n').filter((line) => line.startsWith('AUDIT '));
    return parseEntries(lines.map((line) => line.slice('AUDIT '.length)).join('\n')).find(isMount);
  });
  t.is(printed.response!['mount_type'], 'system');
  const hash = await audited.auditHash('udp', audited.rootToken);
  t.is(udp.entries().find(isMount)!.auth!['client_token'], hash);
  t.is(unix.entries().find(isMount)!.auth!['client_token'], await audited.auditHash('unix', audited.rootToken));
});

test('devices and their salts survive a restart, and the file chain continues where it stopped', async (t) => {
  const audited = await startAuditedServer();
  t.teardown(async () => audited.dir.remove());
  const logPath = join(audited.dir.path, 'audit.log');
  t.is((await audited.call('PUT', 'sys/audit/file', { type: 'file', options: { file_path: logPath } })).status, 204);
  const hashBefore = await audited.auditHash('file', 'same input');
  const seqBefore = (await readEntries(logPath)).at(-1)!.chain.seq;
  await audited.server.stop();

  const restarted = await startServerProcess(['-config', audited.configPath]);
  t.teardown(() => restarted.stop({ kill: true }));
  await callApi(restarted.url, 'PUT', 'sys/unseal', { key: audited.unsealKeys[0] }, '');
  const call = (method: string, path: string, body?: unknown) => callApi(restarted.url, method, path, body, audited.rootToken);
  t.deepEqual(Object.keys((await call('GET', 'sys/audit')).body.data!), ['file/']);
  t.is((await call('PUT', 'sys/audit-hash/file', { input: 'same input' })).body.data!['hash'], hashBefore);
  const after = await readEntries(logPath);
  const firstNew = after.find((entry) => entry.request.path === 'sys/audit' && entry.request.operation === 'read');
  t.true(firstNew!.chain.seq > seqBefore, 'the sequence goes on after the restart');
  t.true(after.every((entry, index) => entry.chain.seq === index + 1), 'one unbroken sequence');
});
