import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The venv that scripts/test-deps.sh fills (hvac, prometheus-client). */
const PYTHON = fileURLToPath(new URL('../../.cache/venv/bin/python', import.meta.url));

// Prometheus' own Python client parses; values go out as strings, since JSON has no NaN or Inf.
const PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
families = [{"name": f.name, "type": f.type, "samples": [{"name": s.name, "labels": s.labels, "value": str(s.value)} for s in f.samples]}
            for f in text_string_to_metric_families(sys.stdin.read())]
print(json.dumps(families))
`;

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'summary' | 'histogram' | 'untyped' | string;
  readonly samples: readonly Sample[];
}

export type Families = ReadonlyMap<string, MetricFamily>;

/** The families of a Prometheus text exposition, by name; rejects text that does not parse. */
export async function parseMetrics(text: string): Promise<Families> {
  const { code, stdout, stderr } = await run(PYTHON, ['-c', PARSE], text);
  if (code !== 0) throw new Error(`the Prometheus text did not parse: ${stderr}`);
  const families = JSON.parse(stdout) as Array<{ name: string; type: string; samples: Array<{ name: string; labels: Record<string, string>; value: string }> }>;
  return new Map(
    families.map((family) => [family.name, { ...family, samples: family.samples.map((sample) => ({ ...sample, value: pythonFloat(sample.value) })) }]),
  );
}

/**
 * The value of the series of family `name` whose labels include `labels`: a counter's or gauge's
 * value, a summary's or histogram's count. Undefined when no such series exists.
 */
export function seriesValue(families: Families, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const family = families.get(name);
  if (family === undefined) return undefined;
  const counted = family.type === 'summary' || family.type === 'histogram';
  const sample = family.samples.find(
    (candidate) => (!counted || candidate.name === `${name}_count`) && Object.entries(labels).every(([key, value]) => candidate.labels[key] === value),
  );
  return sample?.value;
}

/** The quantile labels of the series of summary `name` with `labels`. */
export function quantilesOf(families: Families, name: string, labels: Readonly<Record<string, string>> = {}): string[] {
  return (families.get(name)?.samples ?? [])
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .map((sample) => sample.labels['quantile'] ?? '');
}

/** Conventions Vault's own names break (no `_total` on counters, vault_token_count); prom-client's nodejs_active_*_total gauges. */
const ACCEPTED_LINT = [
  /^\S+ counter metrics should have "_total" suffix$/,
  /^\S+ non-counter metrics should not have "_total" suffix$/,
  /^vault_token_count non-histogram and non-summary metrics should not have "_count" suffix$/,
];

/**
 * Runs `promtool check metrics` (Debian's prometheus package, installed by scripts/test-deps.sh):
 * its exit code (1 for a parse error, 3 for lint problems only) and the lint problems that Vault's
 * naming does not explain.
 */
export async function promtoolCheck(text: string): Promise<{ code: number | null; unexplained: string[]; output: string }> {
  const { code, stdout, stderr } = await run('promtool', ['check', 'metrics'], text);
  const output = `${stdout}${stderr}`;
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  return { code, output, unexplained: lines.filter((line) => !ACCEPTED_LINT.some((pattern) => pattern.test(line))) };
}

function pythonFloat(text: string): number {
  if (text === 'inf') return Number.POSITIVE_INFINITY;
  if (text === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function run(command: string, args: readonly string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
