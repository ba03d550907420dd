import { CLIENT_OPTIONS, clientCommand } from './client-command.ts';

const USAGE = `Usage: sealbox operator seal [options]

  Seals the server: it drops its keys from memory and answers nothing but status until it is
  unsealed again. Needs a token with sudo on sys/seal. Does nothing on a sealed server.

${CLIENT_OPTIONS}`;

/** `sealbox operator seal`, as `vault operator seal`. */
export const operatorSealCommand = clientCommand({ usage: USAGE, maxArgs: 0 }, async (context) => {
  try {
    await context.client.request('PUT', 'sys/seal');
  } catch (error) {
    return context.fail('Error sealing', error);
  }
  context.out('Success! Vault is sealed.');
  return 0;
});
