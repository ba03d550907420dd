import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const RUN_TIMEOUT_MS = 60_000;

export interface TerminalSession {
  /** Resolves once the program has printed `text` (raw terminal output, CR LF line ends). */
  waitFor(text: string): Promise<void>;
  /** Types `text` as keystrokes. */
  type(text: string): void;
  /** Resolves with the exit code and everything the terminal showed. */
  readonly finished: Promise<{ readonly code: number; readonly screen: string }>;
}

/**
 * Runs `sealbox ARGS` on a pseudo-terminal made by util-linux `script`, so that the CLI sees a
 * terminal on standard input and output, and what it shows is exactly what a person would see,
 * typed keystrokes echoed by the terminal included.
 */
export function runOnTerminal(args: readonly string[], env: Readonly<Record<string, string>>): TerminalSession {
  const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
    env: { ...process.env, ...env, HOME: '/nonexistent' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const onData = (chunk: Buffer): void => {
    screen += chunk.toString();
    for (const waiter of waiters.filter((candidate) => screen.includes(candidate.text))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const finished = new Promise<{ code: number; screen: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sealbox ${args.join(' ')} did not finish in time; the terminal showed:\n${screen}`));
    }, RUN_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, screen });
    });
  });
  return {
    waitFor: (text) =>
      screen.includes(text)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({ text, resolve })),
            finished.then(() => {
              throw new Error(`the program ended without printing ${JSON.stringify(text)}:\n${screen}`);
            }),
          ]),
    type: (text) => void child.stdin.write(text),
    finished,
  };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
