import { CLIENT_OPTIONS, clientCommand } from './client-command.ts';
import type { KeyStatus } from './key-status-output.ts';
import { keyStatusText, readKeyStatus } from './key-status-output.ts';

const USAGE = `Usage: sealbox operator key-status [options]

  Prints the term and install time of the key that encrypts new storage entries, and how many
  encryptions it has done.

${CLIENT_OPTIONS}`;

/** `sealbox operator key-status`, as `vault operator key-status`. */
export const operatorKeyStatusCommand = clientCommand({ usage: USAGE, maxArgs: 0 }, async (context) => {
  let status: KeyStatus;
  try {
    status = await readKeyStatus(context);
  } catch (error) {
    return context.fail('Error reading key status', error);
  }
  context.out(keyStatusText(status, context.format));
  return 0;
});
