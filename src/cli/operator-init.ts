import type { ClientContext } from './client-command.ts';
import { CLIENT_OPTIONS, clientCommand } from './client-command.ts';
import { intFlag } from './command-flags.ts';
import { stringOf, stringsOf } from './json-values.ts';
import { jsonOutput } from './output-format.ts';
import { wrapAtLength } from './wrap-text.ts';

/** The vault CLI's defaults for a Shamir seal. */
const DEFAULT_SHARES = 5;
const DEFAULT_THRESHOLD = 3;

const USAGE = `Usage: sealbox operator init [options]

  Initializes the server: generates the root key, splits it into key shares ("unseal keys") and
  prints them with the initial root token. The server stays sealed afterwards.

  -key-shares N, -n N       number of key shares (default ${DEFAULT_SHARES})
  -key-threshold N, -t N    shares needed to unseal (default ${DEFAULT_THRESHOLD})
  -status                   print whether the server is initialized: exit 0 if it is, 2 if not

${CLIENT_OPTIONS}`;

/** `sealbox operator init`, as `vault operator init`. */
export const operatorInitCommand = clientCommand(
  {
    usage: USAGE,
    maxArgs: 0,
    values: ['key-shares', 'key-threshold'],
    booleans: ['status'],
    aliases: { n: 'key-shares', t: 'key-threshold' },
  },
  async (context) => (context.flags.booleans.has('status') ? initStatus(context) : initialize(context)),
);

async function initStatus(context: ClientContext): Promise<number> {
  let initialized: boolean;
  try {
    initialized = (await context.client.read('sys/init'))['initialized'] === true;
  } catch (error) {
    // 2 means "not initialized" here.
    return context.fail('Error checking init status', error, 1);
  }
  if (context.format === 'json') context.out(jsonOutput({ initialized }));
  else context.out(initialized ? 'Vault is initialized' : 'Vault is not initialized');
  return initialized ? 0 : 2;
}

async function initialize(context: ClientContext): Promise<number> {
  const shares = intFlag(context.flags, 'key-shares', DEFAULT_SHARES);
  const threshold = intFlag(context.flags, 'key-threshold', DEFAULT_THRESHOLD);
  let result: Record<string, unknown>;
  try {
    // As the vault CLI: read the seal status first, which fails early on an unreachable server.
    await context.client.read('sys/seal-status');
    result = await context.client.write('sys/init', { secret_shares: shares, secret_threshold: threshold });
  } catch (error) {
    return context.fail('Error initializing', error);
  }
  const keys = stringsOf(result['keys']);
  const keysBase64 = stringsOf(result['keys_base64']);
  const rootToken = stringOf(result['root_token']);
  if (context.format === 'json') {
    context.out(jsonOutput(machineInit(keys, keysBase64, shares, threshold, rootToken)));
    return 0;
  }
  const shown = keysBase64.length === keys.length ? keysBase64 : keys;
  shown.forEach((key, index) => context.out(`Unseal Key ${index + 1}: ${key}`));
  context.out('');
  context.out(`Initial Root Token: ${rootToken}`);
  context.out('');
  context.out(
    wrapAtLength(
      `Vault initialized with ${shares} key shares and a key threshold of ${threshold}. Please securely ` +
        'distribute the key shares printed above. When the Vault is re-sealed, restarted, or stopped, ' +
        `you must supply at least ${threshold} of these keys to unseal it before it can start servicing requests.`,
    ),
  );
  context.out('');
  context.out(
    wrapAtLength(
      `Vault does not store the generated root key. Without at least ${threshold} keys to reconstruct ` +
        'the root key, Vault will remain permanently sealed!',
    ),
  );
  context.out('');
  context.out(
    wrapAtLength(
      'It is possible to generate new unseal keys, provided you have a quorum of existing unseal keys ' +
        'shares. See "sealbox operator rekey" for more information.',
    ),
  );
  return 0;
}

/** The vault CLI's -format=json shape for init. */
function machineInit(keys: string[], keysBase64: string[], shares: number, threshold: number, rootToken: string) {
  return {
    unseal_keys_b64: keysBase64,
    unseal_keys_hex: keys,
    unseal_shares: shares,
    unseal_threshold: threshold,
    recovery_keys_b64: [],
    recovery_keys_hex: [],
    recovery_keys_shares: 0,
    recovery_keys_threshold: 0,
    root_token: rootToken,
  };
}
