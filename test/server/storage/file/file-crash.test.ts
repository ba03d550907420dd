import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { FileBackend } from '../../../../src/server/storage/file/file-backend.ts';
import { allKeys } from '../all-keys.ts';
import { expectedValue } from './fixtures/crash-values.ts';

const WRITER = join(import.meta.dirname, 'fixtures', 'crash-writer.ts');
const ROUNDS = 10;
// A kill right after an acknowledgement would always land before the next write touches the disk.
const MAX_KILL_DELAY_MS = 8;

interface Acknowledged {
  readonly puts: string[];
  readonly txns: string[];
  /** Per round: the last transaction number and counter value the writer saw acknowledged. */
  readonly lastTxn: Map<number, number>;
  readonly lastCounter: Map<number, number>;
}

test('file: after kill -9 mid-write, every acknowledged write reads back intact and nothing is torn', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-file-crash-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const acknowledged: Acknowledged = { puts: [], txns: [], lastTxn: new Map(), lastCounter: new Map() };
  for (let round = 0; round < ROUNDS; round += 1) {
    const lines = await runWriterUntilKilled(dir, round, 30 + round * 10);
    record(acknowledged, round, lines);
    await verifyStore(t, dir, acknowledged, round);
  }
});

/**
 * Starts the writer and SIGKILLs it at a random moment after `acks` acknowledged operations;
 * returns every line it printed, including acknowledgements that raced the kill.
 */
async function runWriterUntilKilled(dir: string, round: number, acks: number): Promise<string[]> {
  const child = spawn(process.execPath, [WRITER, dir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const lines: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    lines.push(line);
    if (lines.length === acks) setTimeout(() => child.kill('SIGKILL'), Math.random() * MAX_KILL_DELAY_MS);
  }
  if ((await exited) !== 'SIGKILL') throw new Error(`the writer stopped on its own:\n${stderr}`);
  return lines;
}

function record(acknowledged: Acknowledged, round: number, lines: readonly string[]): void {
  for (const line of lines) {
    const [kind, first, second] = line.split(' ');
    if (kind === 'put' && first !== undefined) acknowledged.puts.push(first);
    if (kind === 'txn' && first !== undefined) {
      acknowledged.txns.push(first);
      acknowledged.lastTxn.set(round, Number(second));
    }
    if (kind === 'counter') acknowledged.lastCounter.set(round, Number(first));
  }
}

async function verifyStore(t: ExecutionContext, dir: string, acknowledged: Acknowledged, round: number): Promise<void> {
  const backend = await FileBackend.open(dir);
  try {
    const keys = await allKeys(backend);
    const present = new Set(keys);
    for (const key of keys) await verifyEntry(t, backend, key);
    for (const key of acknowledged.puts) t.true(present.has(key), `acknowledged put ${key} survived`);
    for (const base of acknowledged.txns) {
      t.true(present.has(`${base}/a`) && present.has(`${base}/b`), `acknowledged transaction ${base} survived`);
    }
    for (const key of keys.filter((candidate) => candidate.includes('/txn/'))) {
      const base = key.slice(0, key.lastIndexOf('/'));
      t.true(present.has(`${base}/a`) && present.has(`${base}/b`), `transaction ${base} is whole`);
      t.false(present.has(`${base}/gone`), `transaction ${base} applied its delete`);
    }
    for (let seen = 0; seen <= round; seen += 1) await verifyRoundRegisters(t, backend, acknowledged, seen);
    t.deepEqual(await leftovers(dir), [], 'no temp file or journal remains after open');
  } finally {
    await backend.close();
  }
}

async function verifyEntry(t: ExecutionContext, backend: FileBackend, key: string): Promise<void> {
  if (/^r\d+\/(counter|pair\/[ab])$/.test(key)) return;
  // Buffer#equals, not deepEqual: ava's structural diff of many 48 KiB arrays takes seconds.
  const value = await backend.get(key);
  t.true(value !== undefined && Buffer.from(value).equals(expectedValue(key)), `${key} is intact`);
}

async function verifyRoundRegisters(t: ExecutionContext, backend: FileBackend, acknowledged: Acknowledged, round: number) {
  const read = async (key: string) => Number(new TextDecoder().decode((await backend.get(`r${round}/${key}`)) ?? new Uint8Array()));
  const [pairA, pairB, counter] = [await read('pair/a'), await read('pair/b'), await read('counter')];
  t.is(pairA, pairB, `round ${round}: both keys of the last transaction come from the same transaction`);
  t.true(pairA >= (acknowledged.lastTxn.get(round) ?? 0), `round ${round}: the last acknowledged transaction survived`);
  t.true(counter >= (acknowledged.lastCounter.get(round) ?? 0), `round ${round}: the last acknowledged overwrite survived`);
}

/** Files under `dir` that are neither entries ('_' names) nor folders: temp files, journals. */
async function leftovers(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && !entry.name.startsWith('_')) found.push(join(entry.parentPath, entry.name));
  }
  return found;
}
