import test from 'ava';
import { existsSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyChain } from '../../../src/server/audit/chain-verifier.ts';
import type { LogLine } from '../../../src/server/audit/chain-verifier.ts';
import { eventually, parseEntries, secretsIn, startAuditedServer } from './audit-harness.ts';

test('SIGHUP after the log file was moved makes the file device write a new file, losing no entry and keeping the chain', async (t) => {
  const audited = await startAuditedServer();
  t.teardown(async () => {
    await audited.server.stop({ kill: true });
    await audited.dir.remove();
  });
  const { call } = audited;
  const logPath = join(audited.dir.path, 'audit.log');
  const rotatedPath = `${logPath}.1`;
  t.is((await call('PUT', 'sys/audit/file', { type: 'file', options: { file_path: logPath } })).status, 204);
  t.is((await call('PUT', 'sys/mounts/kv', { type: 'kv' })).status, 204);
  const write = async (n: number) => t.is((await call('PUT', `kv/item-${n}`, { n: String(n) })).status, 204);

  for (const n of [1, 2, 3]) await write(n);
  await rename(logPath, rotatedPath);
  for (const n of [4, 5]) await write(n);
  t.false(existsSync(logPath), 'until the signal the device keeps writing the moved file');
  audited.server.child.kill('SIGHUP');
  await eventually('the reopened log file', () => (existsSync(logPath) ? true : undefined));
  for (const n of [6, 7]) await write(n);

  const oldText = await readFile(rotatedPath, 'utf8');
  const newText = await readFile(logPath, 'utf8');
  const writesIn = (text: string) => parseEntries(text).filter((entry) => entry.request.path.startsWith('kv/item-')).map((entry) => `${entry.type} ${entry.request.path}`);
  const pairs = (...ns: number[]) => ns.flatMap((n) => [`request kv/item-${n}`, `response kv/item-${n}`]);
  t.deepEqual(writesIn(oldText), pairs(1, 2, 3, 4, 5));
  t.deepEqual(writesIn(newText), pairs(6, 7));
  t.is(audited.server.child.exitCode, null, 'SIGHUP does not stop the server');
  t.regex(audited.server.output(), /reopened audit devices/);

  const key = Buffer.from((await call('GET', 'sys/audit/file/chain-key')).body.data!['chain_key'] as string, 'hex');
  const lines = (source: string, text: string): LogLine[] =>
    text.split('\n').filter((line) => line !== '').map((line, index) => ({ source, number: index + 1, text: line }));
  // Read after the chain-key request so that both files are complete up to it.
  const both = [...lines('old', await readFile(rotatedPath, 'utf8')), ...lines('new', await readFile(logPath, 'utf8'))];
  t.true(verifyChain(both, key).intact, 'the new file continues the chain of the old one');
  const alone = verifyChain(lines('new', await readFile(logPath, 'utf8')), key);
  t.deepEqual(alone.findings.map((finding) => finding.kind), ['unknown-start'], 'the new file alone starts mid-chain');
  t.true(verifyChain(lines('new', await readFile(logPath, 'utf8')), key, { continued: true }).intact);
  const logs = { old: await readFile(rotatedPath, 'utf8'), new: await readFile(logPath, 'utf8'), server: audited.server.output() };
  t.deepEqual(secretsIn(logs, [audited.rootToken, ...audited.unsealKeys, key.toString('hex')]), []);
});
