import type { ChainField } from './audit-chain.ts';
import { chainFieldOf, genesisHmac, lineHmac } from './audit-chain.ts';

/** One line of a log file, numbered from 1 within its file. */
export interface LogLine {
  readonly source: string;
  readonly number: number;
  readonly text: string;
}

export type ChainFinding =
  /** The line's text changed after it was written: the next line does not chain from it. */
  | { readonly kind: 'altered'; readonly line: LogLine }
  /** Entries are missing just before this line (`count` from the sequence numbers). */
  | { readonly kind: 'removed'; readonly before: LogLine; readonly count: number }
  | { readonly kind: 'inserted'; readonly lines: readonly LogLine[] }
  /** Not an audit entry with a chain field, and not explained as an insertion. */
  | { readonly kind: 'unreadable'; readonly line: LogLine }
  /** The first line continues a chain whose earlier lines were not given (or were removed). */
  | { readonly kind: 'unknown-start'; readonly line: LogLine; readonly seq: number | undefined }
  /** Informational: the device began a new chain here (it started without its earlier log). */
  | { readonly kind: 'restart'; readonly line: LogLine }
  /** No link verifies: the chain key is not this log's. */
  | { readonly kind: 'wrong-key' };

export interface ChainReport {
  readonly entries: number;
  readonly findings: readonly ChainFinding[];
  /** No finding other than restarts. */
  readonly intact: boolean;
}

export interface VerifyOptions {
  /** The first line continues an earlier log that is not part of this check. */
  readonly continued?: boolean;
}

interface ParsedLine {
  readonly line: LogLine;
  readonly field: ChainField | undefined;
  readonly hmac: string;
}

interface Previous {
  readonly index: number;
  readonly hmac: string;
  readonly seq: number | undefined;
}

/** How far ahead a broken link looks for the line that still chains from the last good one. */
const MAX_LOOKAHEAD = 1000;

/**
 * Walks the chain of `lines` (one or more files, in order) and explains every break. A break at
 * line N is read as: lines inserted (a later line chains from the line before N, or N chains from
 * an earlier line), entries removed (N's sequence number jumps), or else the line before N
 * altered. The last line of a log chains into nothing, so its alteration or removal cannot be
 * seen here.
 */
export function verifyChain(lines: readonly LogLine[], key: Buffer, options: VerifyOptions = {}): ChainReport {
  const parsed: ParsedLine[] = lines.map((line) => ({ line, field: chainFieldOf(line.text), hmac: lineHmac(key, line.text) }));
  const genesis = genesisHmac(key);
  const findings: ChainFinding[] = [];
  const reported = new Set<number>();
  const seen = new Map<string, number>();
  let previous: Previous | undefined;
  let verifiedLinks = 0;
  let i = 0;
  while (i < parsed.length) {
    const current = parsed[i]!;
    const field = current.field;
    const derivedSeq = previous === undefined ? 1 : previous.seq === undefined ? undefined : previous.seq + 1;
    if (field !== undefined && field.prev_hmac === (previous?.hmac ?? genesis)) {
      verifiedLinks++;
      if (derivedSeq !== undefined && field.seq !== derivedSeq) report({ kind: 'altered', line: current.line }, i);
    } else if (field !== undefined && field.prev_hmac === genesis) {
      verifiedLinks++;
      findings.push({ kind: 'restart', line: current.line });
    } else if (previous === undefined) {
      if (field === undefined) report({ kind: 'unreadable', line: current.line }, i);
      else if (!options.continued) findings.push({ kind: 'unknown-start', line: current.line, seq: field.seq });
    } else {
      const resume = lookAhead(parsed, i, previous.hmac);
      if (resume !== undefined) {
        findings.push({ kind: 'inserted', lines: parsed.slice(i, resume).map((entry) => entry.line) });
        i = resume;
        continue;
      }
      explainBreak(current, field, previous);
    }
    seen.set(current.hmac, i);
    previous = { index: i, hmac: current.hmac, seq: field?.seq ?? derivedSeq };
    i++;
  }
  if (verifiedLinks === 0 && parsed.length > 1 && parsed.some((entry) => entry.field !== undefined)) {
    return { entries: parsed.length, findings: [{ kind: 'wrong-key' }], intact: false };
  }
  return { entries: parsed.length, findings, intact: findings.every((finding) => finding.kind === 'restart') };

  function report(finding: ChainFinding & { line: LogLine }, index: number): void {
    if (reported.has(index)) return;
    reported.add(index);
    findings.push(finding);
  }

  function explainBreak(current: ParsedLine, field: ChainField | undefined, before: Previous): void {
    const earlier = field === undefined ? undefined : seen.get(field.prev_hmac);
    if (earlier !== undefined && earlier < before.index) {
      findings.push({ kind: 'inserted', lines: parsed.slice(earlier + 1, i).map((entry) => entry.line) });
    } else if (field === undefined) {
      report({ kind: 'unreadable', line: current.line }, i);
    } else if (before.seq !== undefined && field.seq > before.seq + 1) {
      findings.push({ kind: 'removed', before: current.line, count: field.seq - before.seq - 1 });
    } else {
      report({ kind: 'altered', line: parsed[before.index]!.line }, before.index);
    }
  }
}

/** The first line after `from` that chains from `hmac`: the lines between were inserted. */
function lookAhead(parsed: readonly ParsedLine[], from: number, hmac: string): number | undefined {
  const end = Math.min(parsed.length, from + 1 + MAX_LOOKAHEAD);
  for (let j = from + 1; j < end; j++) {
    if (parsed[j]!.field?.prev_hmac === hmac) return j;
  }
  return undefined;
}
