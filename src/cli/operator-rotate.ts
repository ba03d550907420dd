import { CLIENT_OPTIONS, clientCommand } from './client-command.ts';
import type { KeyStatus } from './key-status-output.ts';
import { keyStatusText, readKeyStatus } from './key-status-output.ts';

const USAGE = `Usage: sealbox operator rotate [options]

  Adds a new encryption key to the keyring: new entries are encrypted with it, older ones stay
  readable with the keys they were written with. Needs a token with sudo on sys/rotate (and read
  on sys/key-status, which is printed afterwards).

${CLIENT_OPTIONS}`;

/** `sealbox operator rotate`, as `vault operator rotate`. */
export const operatorRotateCommand = clientCommand({ usage: USAGE, maxArgs: 0 }, async (context) => {
  try {
    await context.client.request('PUT', 'sys/rotate');
  } catch (error) {
    return context.fail('Error rotating key', error);
  }
  let status: KeyStatus;
  try {
    status = await readKeyStatus(context);
  } catch (error) {
    return context.fail('Error reading key status', error);
  }
  if (context.format === 'table') {
    context.out('Success! Rotated key');
    context.out('');
  }
  context.out(keyStatusText(status, context.format));
  return 0;
});
