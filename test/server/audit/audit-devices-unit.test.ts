import test from 'ava';
import { appendFile, chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { isSealboxError } from '../../../src/lib/errors.ts';
import { errorResponse } from '../../../src/lib/http-status.ts';
import { createLogger } from '../../../src/lib/logger.ts';
import { chainKeyFromSalt } from '../../../src/server/audit/audit-chain.ts';
import { AuditBroker } from '../../../src/server/audit/audit-broker.ts';
import type { AuditInput } from '../../../src/server/audit/audit-input.ts';
import { verifyChain } from '../../../src/server/audit/chain-verifier.ts';
import { fileWriterFactory } from '../../../src/server/audit/devices/file-device.ts';
import { socketWriterFactory } from '../../../src/server/audit/devices/socket-device.ts';
import { JsonAuditDevice } from '../../../src/server/audit/json-audit-device.ts';
import type { LineWriter } from '../../../src/server/audit/line-writer.ts';
import { tempDir } from '../../helpers/server-process.ts';

const SALT = '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const FORMAT = { logRaw: false, hmacAccessor: true, elideListResponses: false };
const INPUT: AuditInput = {
  request: { id: 'r1', operation: 'read', path: 'kv/x', data: {}, clientToken: '', remoteAddress: '127.0.0.1', remotePort: 1 },
};

function device(path: string, writer: LineWriter): Promise<JsonAuditDevice> {
  return JsonAuditDevice.open({ path, salt: SALT, format: FORMAT, prefix: '', writer, now: () => new Date() });
}

function logLines(text: string) {
  return text.split('\n').filter((line) => line !== '').map((line, index) => ({ source: 'f', number: index + 1, text: line }));
}

test('a file device continues the chain of the file it finds, across restarts', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const path = join(dir.path, 'nested', 'audit.log');
  const first = await device('file/', await fileWriterFactory({ file_path: path }, {}));
  for (let i = 0; i < 3; i++) await first.logRequest(INPUT);
  await first.close();
  t.is((await stat(path)).mode & 0o777, 0o600, 'the default mode');
  const second = await device('file/', await fileWriterFactory({ file_path: path }, {}));
  await second.logResponse(INPUT);
  await second.close();
  const lines = logLines(await readFile(path, 'utf8'));
  t.deepEqual(lines.map((line) => (JSON.parse(line.text) as { chain: { seq: number } }).chain.seq), [1, 2, 3, 4]);
  t.deepEqual(verifyChain(lines, chainKeyFromSalt(SALT)).findings, []);
});

test('a file that ends in a partial line gets a line break before the next entry', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const path = join(dir.path, 'audit.log');
  const first = await device('file/', await fileWriterFactory({ file_path: path }, {}));
  await first.logRequest(INPUT);
  await first.close();
  await appendFile(path, '{"type":"requ');
  const second = await device('file/', await fileWriterFactory({ file_path: path }, {}));
  await second.logRequest(INPUT);
  await second.close();
  const lines = logLines(await readFile(path, 'utf8'));
  t.is(lines.length, 3);
  t.is(lines[1]!.text, '{"type":"requ');
  const report = verifyChain(lines, chainKeyFromSalt(SALT));
  t.deepEqual(report.findings.map((finding) => finding.kind), ['inserted'], 'the torn line is the only thing out of place');
});

test('mode 0000 keeps the mode of an existing file; other modes are applied without execute bits', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const path = join(dir.path, 'audit.log');
  await writeFile(path, '');
  await chmod(path, 0o604);
  await (await fileWriterFactory({ file_path: path, mode: '0000' }, {})).close();
  t.is((await stat(path)).mode & 0o777, 0o604);
  await (await fileWriterFactory({ file_path: path, mode: '0755' }, {})).close();
  t.is((await stat(path)).mode & 0o777, 0o644);
  const error = await t.throwsAsync(fileWriterFactory({ file_path: path, mode: 'rw' }, {}));
  t.is(error.message, 'invalid value for option "mode": expected an octal file mode, got "rw"');
});

test('file_path stdout writes to the standard output it is given, and discard writes nothing', async (t) => {
  const stdout = new PassThrough();
  let printed = '';
  stdout.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  const out = await device('out/', await fileWriterFactory({ file_path: 'STDOUT' }, { stdout }));
  await out.logRequest(INPUT);
  t.like(JSON.parse(printed), { type: 'request', request: { path: 'kv/x' }, chain: { seq: 1 } });
  const discard = await device('null/', await fileWriterFactory({ path: 'discard' }, {}));
  await t.notThrowsAsync(discard.logRequest(INPUT));
  const error = await t.throwsAsync(fileWriterFactory({ file_path: 'stdout' }, {}));
  t.is(error.message, 'file_path "stdout" is not available in this process');
});

test('the broker needs one device to record each entry, and says nothing of why to the client', async (t) => {
  let logged = '';
  const logger = createLogger({ level: 'error', destination: new Writable({ write: (chunk, _encoding, done) => ((logged += String(chunk)), done()) }) });
  const broker = new AuditBroker(logger);
  await t.notThrowsAsync(broker.logRequest(INPUT), 'no device, nothing required');

  const lines: string[] = [];
  const working: LineWriter = { write: async (line) => void lines.push(line), reopen: async () => {}, close: async () => {} };
  const broken = await device('sock/', await socketWriterFactory({ address: '127.0.0.1:1', write_timeout: '1s' }, {}));
  broker.register(broken);
  broker.register(await device('mem/', working));
  await broker.logRequest(INPUT);
  await broker.logResponse(INPUT);
  t.is(lines.length, 2);
  t.regex(logged, /"device":"sock\/".*"msg":"audit device failed to log the request"/);

  broker.deregister('mem/');
  const error = await t.throwsAsync(broker.logRequest(INPUT));
  t.true(isSealboxError(error, 'internal'));
  t.is(error.message, 'no audit backend succeeded in logging the request');
  t.deepEqual(errorResponse(error), { status: 500, errors: ['internal error'] });
  await t.throwsAsync(broker.logResponse(INPUT), { message: 'no audit backend succeeded in logging the response' });
});

test('lines logged while a write is under way go out together, in order, with an unbroken chain; a datagram writer still gets one line per write', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const path = join(dir.path, 'audit.log');
  const file = await fileWriterFactory({ file_path: path }, {});
  const writes: string[] = [];
  const counting: LineWriter = { ...file, acceptsManyLines: true, write: (text) => (writes.push(text), file.write(text)), close: () => file.close(), reopen: () => file.reopen() };
  const batched = await device('file/', counting);
  await Promise.all(Array.from({ length: 100 }, () => batched.logRequest(INPUT)));
  await batched.close();
  const lines = logLines(await readFile(path, 'utf8'));
  t.deepEqual(lines.map((line) => (JSON.parse(line.text) as { chain: { seq: number } }).chain.seq), Array.from({ length: 100 }, (_, i) => i + 1));
  t.deepEqual(verifyChain(lines, chainKeyFromSalt(SALT)).findings, []);
  t.true(writes.length < 100, `${writes.length} writes for 100 lines`);

  const single: string[] = [];
  const oneLine = await device('udp/', { write: async (text) => void single.push(text), reopen: async () => undefined, close: async () => undefined });
  await Promise.all(Array.from({ length: 10 }, () => oneLine.logRequest(INPUT)));
  t.is(single.length, 10);
  t.true(single.every((text) => text.split('\n').length === 2));
});
