import type { ClientContext } from './client-command.ts';
import { CLIENT_OPTIONS, clientCommand, messageOf } from './client-command.ts';
import { canPrompt, promptSecret, readStandardInput } from './read-secret.ts';
import { printSealStatus } from './seal-status-output.ts';

const USAGE = `Usage: sealbox operator unseal [options] [KEY]

  Provides one unseal key share. Without KEY the share is prompted for without echo when standard
  input is a terminal, and read from standard input otherwise (so it stays out of the shell
  history). Prints the seal status afterwards.

  -reset      discard the shares provided so far
  -migrate    (seal migration; not supported by Sealbox)

${CLIENT_OPTIONS}`;

/** `sealbox operator unseal`, as `vault operator unseal`. */
export const operatorUnsealCommand = clientCommand(
  { usage: USAGE, maxArgs: 1, booleans: ['reset', 'migrate'] },
  async (context) => {
    if (context.flags.booleans.has('reset')) {
      let status: Record<string, unknown>;
      try {
        status = await context.client.write('sys/unseal', { reset: true });
      } catch (error) {
        return context.fail('Error resetting unseal process', error);
      }
      return printSealStatus(context, status);
    }
    const key = await unsealKey(context);
    if (key === undefined) return 1;
    let status: Record<string, unknown>;
    try {
      const migrate = context.flags.booleans.has('migrate');
      status = await context.client.write('sys/unseal', { key, ...(migrate ? { migrate } : {}) });
    } catch (error) {
      return context.fail('Error unsealing', error);
    }
    return printSealStatus(context, status);
  },
);

async function unsealKey(context: ClientContext): Promise<string | undefined> {
  const given = context.flags.positional[0]?.trim();
  if (given !== undefined && given !== '' && given !== '-') return given;
  try {
    const key = given !== '-' && canPrompt(context.io)
      ? await promptSecret(context.io, 'Unseal Key (will be hidden):')
      : await readStandardInput(context.io);
    if (key !== '') return key;
    context.err('No unseal key given: pass it as an argument, type it at the prompt, or pipe it on standard input.');
  } catch (error) {
    context.err(`An error occurred attempting to ask for an unseal key: ${messageOf(error)}`);
  }
  return undefined;
}
