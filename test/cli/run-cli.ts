import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const RUN_TIMEOUT_MS = 60_000;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Variables on top of a clean environment (no VAULT_* from the test's own). */
  readonly env?: Readonly<Record<string, string>>;
  /** Written to standard input, which is then closed; without it standard input is empty. */
  readonly input?: string;
}

/** Runs `sealbox ARGS` as a real process, as an operator would, and collects what it printed. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...cleanEnv(), ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sealbox ${args.join(' ')} did not finish in time:\n${stdout}\n${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** The test's environment without anything that would point the CLI elsewhere. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || name.startsWith('VAULT_') || name === 'HOME') continue;
    env[name] = value;
  }
  // No ~/.vault-token of the machine's user.
  env['HOME'] = '/nonexistent';
  return env;
}

/** The value of a `Name    value` row of a vault-style table. */
export function tableValue(output: string, name: string): string | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped} {2,}(.*)$`, 'm').exec(output)?.[1];
}

export interface InitOutput {
  readonly keys: string[];
  readonly rootToken: string;
}

/** The unseal keys and root token that `operator init` printed. */
export function parseInitOutput(output: string): InitOutput {
  const keys = [...output.matchAll(/^Unseal Key \d+: (\S+)$/gm)].map((match) => match[1]!);
  const rootToken = /^Initial Root Token: (\S+)$/m.exec(output)?.[1] ?? '';
  return { keys, rootToken };
}
