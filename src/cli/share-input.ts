import type { ClientContext } from './client-command.ts';
import { messageOf } from './client-command.ts';
import { canPrompt, promptSecret, readStandardInput } from './read-secret.ts';

export interface ProvidedShare {
  readonly key: string;
  readonly nonce: string;
}

/**
 * A key share for rekey and generate-root, as the vault CLI takes it: as the argument (the nonce
 * then comes from -nonce), as "-" to read standard input (likewise), or prompted for without echo
 * at a terminal, where the operation's own nonce is shown and used. Reports the problem and
 * returns undefined when there is no share or no nonce.
 */
export async function provideShare(
  context: ClientContext,
  options: { readonly currentNonce: string; readonly noncePrompt: string; readonly keyPrompt: string },
): Promise<ProvidedShare | undefined> {
  const argument = context.flags.positional[0]?.trim() ?? '';
  const flagNonce = context.flags.values.get('nonce') ?? '';
  let key = argument;
  let nonce = flagNonce;
  try {
    if (argument === '-') {
      key = await readStandardInput(context.io);
    } else if (argument === '') {
      if (!canPrompt(context.io)) {
        context.err(
          'Standard input is not a terminal, so the key cannot be prompted for. Pass the key as ' +
            'an argument, or pass "-" as the argument to read it from standard input.',
        );
        return undefined;
      }
      nonce = options.currentNonce;
      context.io.stdout.write(`${options.noncePrompt}: ${nonce}\n`);
      key = await promptSecret(context.io, options.keyPrompt);
    }
  } catch (error) {
    context.err(`An error occurred attempting to ask for the key: ${messageOf(error)}`);
    return undefined;
  }
  if (nonce === '') {
    context.err('Missing nonce value: specify it via the -nonce flag');
    return undefined;
  }
  return { key: key.trim(), nonce };
}
