import { read } from 'read';
import { SealboxError } from '../lib/errors.ts';
import type { CommandIo } from './command-io.ts';

/**
 * A key typed at a terminal without echo, as the vault CLI's "(will be hidden)" prompts. Raw mode
 * (terminal: true) keeps the terminal itself from echoing even when standard output is redirected.
 */
export async function promptSecret(io: CommandIo, prompt: string): Promise<string> {
  const input = io.stdin;
  if (input === undefined || input.isTTY !== true) {
    throw new SealboxError('invalid_request', 'standard input is not a terminal, so the key cannot be prompted for');
  }
  try {
    const value = await read({ prompt, silent: true, replace: '', input, output: io.stdout, terminal: true });
    return String(value).trim();
  } finally {
    io.stdout.write('\n');
  }
}

/** Everything on standard input, trimmed: a key piped in, as `vault operator rekey -`. */
export async function readStandardInput(io: CommandIo): Promise<string> {
  const input = io.stdin;
  if (input === undefined) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** Whether a prompt can be shown: standard input is a terminal. */
export function canPrompt(io: CommandIo): boolean {
  return io.stdin?.isTTY === true;
}
