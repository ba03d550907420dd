import test from 'ava';
import { chainKeyFromSalt } from '../../../src/server/audit/audit-chain.ts';
import type { ChainFinding, LogLine } from '../../../src/server/audit/chain-verifier.ts';
import { verifyChain } from '../../../src/server/audit/chain-verifier.ts';
import { JsonAuditDevice } from '../../../src/server/audit/json-audit-device.ts';
import type { LineWriter } from '../../../src/server/audit/line-writer.ts';

const SALT = 'b1946ac9-2a1b-4c3d-8e9f-0a1b2c3d4e5f';
const KEY = chainKeyFromSalt(SALT);
const FORMAT = { logRaw: false, hmacAccessor: true, elideListResponses: false };

/** Keeps lines in memory; a new device on it starts a new chain, as a socket device does. */
class MemoryWriter implements LineWriter {
  readonly lines: string[] = [];
  async write(line: string): Promise<void> {
    this.lines.push(line.slice(0, -1));
  }
  async reopen(): Promise<void> {}
  async close(): Promise<void> {}
}

async function writtenLines(count: number, writer = new MemoryWriter()): Promise<string[]> {
  const device = await JsonAuditDevice.open({ path: 'mem/', salt: SALT, format: FORMAT, prefix: '', writer, now: () => new Date() });
  for (let i = 0; i < count; i++) await device.logTestMessage();
  return writer.lines;
}

function asLog(texts: readonly string[]): LogLine[] {
  return texts.map((text, index) => ({ source: 'log', number: index + 1, text }));
}

function summary(findings: readonly ChainFinding[]): string[] {
  return findings.map((finding) => {
    switch (finding.kind) {
      case 'altered':
      case 'unreadable':
      case 'restart':
        return `${finding.kind} ${finding.line.number}`;
      case 'removed':
        return `removed ${finding.count} before ${finding.before.number}`;
      case 'inserted':
        return `inserted ${finding.lines.map((line) => line.number).join(',')}`;
      case 'unknown-start':
        return `unknown-start ${finding.seq}`;
      case 'wrong-key':
        return 'wrong-key';
    }
  });
}

test('an untouched log verifies', async (t) => {
  const report = verifyChain(asLog(await writtenLines(10)), KEY);
  t.true(report.intact);
  t.is(report.entries, 10);
  t.deepEqual(report.findings, []);
});

test('an altered line is found by the line after it', async (t) => {
  const lines = await writtenLines(10);
  lines[3] = lines[3]!.replace('sys/audit/test', 'sys/audit/tesT');
  const report = verifyChain(asLog(lines), KEY);
  t.false(report.intact);
  t.deepEqual(summary(report.findings), ['altered 4']);
});

test('an altered sequence number is reported once, on its own line', async (t) => {
  const lines = await writtenLines(10);
  lines[3] = lines[3]!.replace('"seq":4', '"seq":40');
  t.deepEqual(summary(verifyChain(asLog(lines), KEY).findings), ['altered 4']);
});

test('removed lines are found and counted by the sequence numbers', async (t) => {
  const lines = await writtenLines(10);
  t.deepEqual(summary(verifyChain(asLog([...lines.slice(0, 4), ...lines.slice(5)]), KEY).findings), ['removed 1 before 5']);
  t.deepEqual(summary(verifyChain(asLog([...lines.slice(0, 4), ...lines.slice(7)]), KEY).findings), ['removed 3 before 5']);
});

test('inserted lines are found, whether copied, forged or garbage', async (t) => {
  const lines = await writtenLines(10);
  const insert = (extra: string[]) => [...lines.slice(0, 6), ...extra, ...lines.slice(6)];
  t.deepEqual(summary(verifyChain(asLog(insert([lines[1]!])), KEY).findings), ['inserted 7'], 'a copy of an earlier line');
  const forged = JSON.stringify({ type: 'request', request: { path: 'kv/x' }, chain: { seq: 7, prev_hmac: 'f'.repeat(64) } });
  t.deepEqual(summary(verifyChain(asLog(insert([forged, 'not json'])), KEY).findings), ['inserted 7,8'], 'made-up lines');
  // A line that copies the next line's link verifies itself, and is caught by the line after it.
  const copiedLink = lines[6]!.replace('sys/audit/test', 'sys/audit/evil');
  t.deepEqual(summary(verifyChain(asLog(insert([copiedLink])), KEY).findings), ['inserted 7']);
});

test('several breaks in one log are all reported', async (t) => {
  const lines = await writtenLines(20);
  lines[2] = lines[2]!.replace('update', 'delete');
  const tampered = [...lines.slice(0, 10), 'garbage', ...lines.slice(10, 14), ...lines.slice(16)];
  t.deepEqual(summary(verifyChain(asLog(tampered), KEY).findings), ['altered 3', 'inserted 11', 'removed 2 before 16']);
});

test('a device that starts a new chain is noted but not a break; a log missing its start is', async (t) => {
  const first = await writtenLines(3);
  const second = await writtenLines(3);
  const report = verifyChain(asLog([...first, ...second]), KEY);
  t.true(report.intact);
  t.deepEqual(summary(report.findings), ['restart 4']);

  const tail = first.slice(1);
  t.deepEqual(summary(verifyChain(asLog(tail), KEY).findings), ['unknown-start 2']);
  t.true(verifyChain(asLog(tail), KEY, { continued: true }).intact);
});

test('another device\'s key fails as a whole', async (t) => {
  const report = verifyChain(asLog(await writtenLines(5)), chainKeyFromSalt('some other salt'));
  t.deepEqual(summary(report.findings), ['wrong-key']);
  t.false(report.intact);
});
