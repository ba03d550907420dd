import { readFile } from 'node:fs/promises';
import { SealboxError } from '../lib/errors.ts';
import type { ChainFinding, LogLine } from '../server/audit/chain-verifier.ts';
import { verifyChain } from '../server/audit/chain-verifier.ts';
import { createClient } from './client-settings.ts';
import type { CommandIo } from './command-io.ts';
import type { ParsedFlags } from './flags.ts';
import { parseFlags } from './flags.ts';

const USAGE = `Usage: sealbox audit verify [options] FILE...

  Checks the tamper-evident chain of an audit log. Every line a Sealbox audit device
  writes carries "chain":{"seq":N,"prev_hmac":H}, where H is the HMAC-SHA256 of the
  line before it under the device's chain key. The files are read as one log, in the
  order given (rotated files oldest first). Lines that were altered, removed or
  inserted are reported with their line numbers. The last line of a log has no
  successor, so its alteration or removal cannot be detected.

  Exit code: 0 chain intact, 2 chain broken, 1 error.

  -chain-key HEX     the device's chain key, as GET sys/audit/<path>/chain-key returns it
  -device PATH       read the chain key of the audit device at PATH from the server (the
                     token needs sudo on sys/audit/*): -address or VAULT_ADDR, VAULT_TOKEN
  -continued         the first file continues an earlier log that is not given
  -address ADDR      server address (default VAULT_ADDR)
  -ca-cert FILE      CA certificate of the server (default VAULT_CACERT)
  -tls-skip-verify   do not verify the server's certificate`;

const CHAIN_KEY = /^[0-9a-fA-F]{64}$/;

/** `sealbox audit verify`: exit 0 when the chain is intact, 2 when it is broken. */
export async function auditCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'verify') {
    io.stderr.write(`${USAGE}\n`);
    return subcommand === undefined || subcommand === '-h' || subcommand === '-help' ? 0 : 1;
  }
  const flags = parseFlags(rest, new Set(['continued', 'tls-skip-verify', 'help', 'h']));
  if (flags.booleans.has('help') || flags.booleans.has('h')) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (flags.positional.length === 0) throw new SealboxError('invalid_request', 'audit verify needs the log file(s) to check');
  const key = await chainKey(flags, io.env);
  const lines = await readLogLines(flags.positional);
  const report = verifyChain(lines, key, { continued: flags.booleans.has('continued') });
  for (const finding of report.findings) io.stdout.write(`${describeFinding(finding)}\n`);
  const problems = report.findings.filter((finding) => finding.kind !== 'restart').length;
  io.stdout.write(report.intact ? `chain intact: ${report.entries} entries\n` : `chain broken: ${problems} problem(s) in ${report.entries} entries\n`);
  return report.intact ? 0 : 2;
}

/** From -chain-key, or fetched with -device so that the key never has to be typed or stored. */
async function chainKey(flags: ParsedFlags, env: CommandIo['env']): Promise<Buffer> {
  const given = flags.values.get('chain-key');
  const device = flags.values.get('device');
  if ((given === undefined) === (device === undefined)) {
    throw new SealboxError('invalid_request', 'give the chain key with exactly one of -chain-key or -device');
  }
  const hex = given ?? (await fetchChainKey(flags, env, device ?? ''));
  if (!CHAIN_KEY.test(hex)) throw new SealboxError('invalid_request', 'a chain key is 64 hexadecimal characters');
  return Buffer.from(hex, 'hex');
}

async function fetchChainKey(flags: ParsedFlags, env: CommandIo['env'], device: string): Promise<string> {
  const client = await createClient(flags, env);
  const path = device.replace(/^\/+|\/+$/g, '');
  const body = await client.read(`sys/audit/${path}/chain-key`);
  const key = (body['data'] as { chain_key?: unknown } | null | undefined)?.chain_key;
  if (typeof key !== 'string') throw new SealboxError('invalid_request', `the server returned no chain key for audit device "${path}"`);
  return key;
}

async function readLogLines(files: readonly string[]): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new SealboxError('invalid_request', `cannot read ${file}: ${(error as Error).message}`);
    }
    const texts = text.split('\n');
    if (texts[texts.length - 1] === '') texts.pop();
    texts.forEach((line, index) => lines.push({ source: file, number: index + 1, text: line }));
  }
  return lines;
}

function describeFinding(finding: ChainFinding): string {
  switch (finding.kind) {
    case 'altered':
      return `${where(finding.line)}: altered (the next entry does not chain from it)`;
    case 'removed':
      return `${where(finding.before)}: ${finding.count} entr${finding.count === 1 ? 'y' : 'ies'} removed before this line`;
    case 'inserted':
      return `${span(finding.lines)}: inserted (not part of the device's chain)`;
    case 'unreadable':
      return `${where(finding.line)}: not an audit entry with a chain field`;
    case 'unknown-start':
      return `${where(finding.line)}: the log starts at entry ${finding.seq ?? '?'} of its chain: earlier entries were removed, or are in an earlier file (give it first, or use -continued)`;
    case 'restart':
      return `${where(finding.line)}: note: the device started a new chain here (enabled or restarted without its earlier log)`;
    case 'wrong-key':
      return 'no entry chains from the one before it: this chain key is not the device\'s that wrote the log';
  }
}

function where(line: LogLine): string {
  return `${line.source} line ${line.number}`;
}

function span(lines: readonly LogLine[]): string {
  const first = lines[0];
  const last = lines[lines.length - 1];
  if (first === undefined || last === undefined) return 'no lines';
  if (first === last) return where(first);
  return first.source === last.source ? `${first.source} lines ${first.number}-${last.number}` : `${where(first)} to ${where(last)}`;
}
