// Runs the helm that scripts/test-deps.sh builds (test/tools/helm) on charts/sealbox.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_HELM as HELM } from '../../scripts/render-manifests.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHART = `${ROOT}/charts/sealbox`;

export interface HelmResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** helm with `args`; never throws for a non-zero exit, so tests can look at failures. */
export async function helm(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<HelmResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(HELM, args, { env: { ...process.env, ...env }, maxBuffer: 16 << 20, timeout: 600_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(error) };
  }
}

export type KubeObject = Record<string, any>;

/** `helm template` of the chart, parsed; throws with helm's message when rendering fails. */
export async function renderChart(args: readonly string[]): Promise<KubeObject[]> {
  const result = await helm(['template', 'sealbox', CHART, ...args]);
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}
