import { CLIENT_OPTIONS, clientCommand } from './client-command.ts';
import { printSealStatus } from './seal-status-output.ts';

const USAGE = `Usage: sealbox status [options]

  Prints the seal and HA status of the server at VAULT_ADDR. The exit code reflects the seal status:
  0 unsealed, 1 error, 2 sealed.

${CLIENT_OPTIONS}`;

/** `sealbox status`, as `vault status`. */
export const statusCommand = clientCommand({ usage: USAGE, maxArgs: 0 }, async (context) => {
  let status: Record<string, unknown>;
  try {
    status = await context.client.read('sys/seal-status');
  } catch (error) {
    // 2 means sealed here, so errors are 1.
    return context.fail('Error checking seal status', error, 1);
  }
  const code = await printSealStatus(context, status);
  return status['sealed'] === true ? 2 : code;
});
