import { CLIENT_OPTIONS, clientCommand } from './client-command.ts';

const USAGE = `Usage: sealbox operator step-down [options]

  Makes the active node give up the HA lock so that a standby takes over. The node waits before
  competing for the lock again, but may win it back when no other node takes it. Needs a token
  with sudo on sys/step-down.

${CLIENT_OPTIONS}`;

/** `sealbox operator step-down`, as `vault operator step-down`. */
export const operatorStepDownCommand = clientCommand({ usage: USAGE, maxArgs: 0 }, async (context) => {
  try {
    await context.client.request('PUT', 'sys/step-down');
  } catch (error) {
    return context.fail('Error stepping down', error);
  }
  context.out(`Success! Stepped down: ${context.client.address}`);
  return 0;
});
