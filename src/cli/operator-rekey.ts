import type { ClientContext } from './client-command.ts';
import { CLIENT_OPTIONS, clientCommand } from './client-command.ts';
import { intFlag } from './command-flags.ts';
import { columnOutput } from './columns.ts';
import { goValue } from './go-format.ts';
import { objectOf, stringOf } from './json-values.ts';
import { jsonOutput } from './output-format.ts';
import { printNewShares, printRekeyStatus, printVerificationStatus } from './rekey-output.ts';
import { provideShare } from './share-input.ts';
import { wrapAtLength } from './wrap-text.ts';

const USAGE = `Usage: sealbox operator rekey [options] [KEY]

  Generates new unseal key shares, optionally with a new share count and threshold, once a quorum
  of the current shares is provided. The server stays unsealed throughout.

      $ sealbox operator rekey -init -key-shares=5 -key-threshold=3
      $ sealbox operator rekey -nonce=NONCE KEY        (once per current share holder)

  KEY may be "-" to read it from standard input; without KEY it is prompted for at a terminal.

  -init                     start a rekey
  -key-shares N, -n N       new number of shares (default 5)
  -key-threshold N, -t N    new threshold (default 3)
  -verify                   with -init: the new shares must be proven before they take effect;
                            otherwise: act on the verification of the current rekey
  -nonce NONCE              the rekey's nonce, needed with each share given as KEY or "-"
  -status                   print the status of the current rekey
  -cancel                   cancel the current rekey (or restart its verification, with -verify)
  -target barrier|recovery  which keys to rekey (default barrier)
  -backup, -backup-retrieve, -backup-delete
                            the PGP-encrypted backup of new shares (needs PGP keys)

${CLIENT_OPTIONS}`;

interface RekeyPaths {
  readonly base: string;
  readonly backup: string;
}

const TARGETS: Readonly<Record<string, RekeyPaths>> = {
  barrier: { base: 'sys/rekey', backup: 'sys/rekey/backup' },
  recovery: { base: 'sys/rekey-recovery-key', backup: 'sys/rekey/recovery-key-backup' },
  hsm: { base: 'sys/rekey-recovery-key', backup: 'sys/rekey/recovery-key-backup' },
};

/** `sealbox operator rekey`, as `vault operator rekey` (without PGP keys). */
export const operatorRekeyCommand = clientCommand(
  {
    usage: USAGE,
    maxArgs: 1,
    values: ['key-shares', 'key-threshold', 'nonce', 'target'],
    booleans: ['init', 'cancel', 'status', 'verify', 'backup', 'backup-delete', 'backup-retrieve'],
    aliases: { n: 'key-shares', t: 'key-threshold' },
  },
  async (context) => {
    const target = (context.flags.values.get('target') ?? 'barrier').trim().toLowerCase();
    const paths = TARGETS[target];
    if (paths === undefined) {
      context.err(`Unknown target: ${context.flags.values.get('target') ?? ''}`);
      return 1;
    }
    const has = (name: string): boolean => context.flags.booleans.has(name);
    if (has('backup-delete')) return backupDelete(context, paths);
    if (has('backup-retrieve')) return backupRetrieve(context, paths);
    if (has('cancel')) return cancel(context, paths);
    if (has('init')) return init(context, paths);
    if (has('status')) return status(context, paths);
    return provide(context, paths);
  },
);

async function init(context: ClientContext, paths: RekeyPaths): Promise<number> {
  const request = {
    secret_shares: intFlag(context.flags, 'key-shares', 5),
    secret_threshold: intFlag(context.flags, 'key-threshold', 3),
    backup: context.flags.booleans.has('backup'),
    require_verification: context.flags.booleans.has('verify'),
  };
  let started: Record<string, unknown>;
  try {
    started = await context.client.write(`${paths.base}/init`, request);
  } catch (error) {
    return context.fail('Error initializing rekey', error);
  }
  if (context.format === 'table') {
    context.err(
      wrapAtLength(
        'WARNING! If you lose the keys after they are returned, there is no recovery. Consider ' +
          'canceling this operation and re-initializing with the -pgp-keys flag to protect the ' +
          'returned unseal keys along with -backup to allow recovery of the encrypted keys in case ' +
          'of emergency. You can delete the stored keys later using the -delete flag.',
      ),
    );
    context.out('');
  }
  return printRekeyStatus(context, started);
}

async function cancel(context: ClientContext, paths: RekeyPaths): Promise<number> {
  const verify = context.flags.booleans.has('verify');
  const nonce = context.flags.values.get('nonce');
  try {
    // Newer Vault wants the nonce to cancel a fresh rekey; send it when known.
    await context.client.request('DELETE', `${paths.base}/${verify ? 'verify' : 'init'}`, nonce === undefined ? undefined : { nonce });
  } catch (error) {
    return context.fail('Error canceling rekey', error);
  }
  context.out('Success! Canceled rekeying (if it was started)');
  return 0;
}

async function status(context: ClientContext, paths: RekeyPaths): Promise<number> {
  const verify = context.flags.booleans.has('verify');
  let current: Record<string, unknown>;
  try {
    current = await context.client.read(`${paths.base}/${verify ? 'verify' : 'init'}`);
  } catch (error) {
    return context.fail('Error reading rekey status', error);
  }
  return verify ? printVerificationStatus(context, current) : printRekeyStatus(context, current);
}

/** One current share (or, with -verify, one new share); prints the new shares on completion. */
async function provide(context: ClientContext, paths: RekeyPaths): Promise<number> {
  const verify = context.flags.booleans.has('verify');
  const step = verify ? 'verify' : 'init';
  let current: Record<string, unknown>;
  try {
    current = await context.client.read(`${paths.base}/${step}`);
  } catch (error) {
    return context.fail('Error getting rekey status', error);
  }
  if (current['started'] !== true) {
    context.err(wrapAtLength('No rekey is in progress. Start a rekey process by running "sealbox operator rekey -init".'));
    return 1;
  }
  const share = await provideShare(context, {
    currentNonce: stringOf(current['nonce']),
    noncePrompt: 'Rekey operation nonce',
    keyPrompt: 'Unseal Key (will be hidden):',
  });
  if (share === undefined) return 1;
  let result: Record<string, unknown>;
  try {
    result = await context.client.write(`${paths.base}/${verify ? 'verify' : 'update'}`, share);
  } catch (error) {
    return context.fail('Error posting unseal key', error);
  }
  if (result['complete'] !== true) return status(context, paths);
  if (verify) {
    context.out(wrapAtLength('Rekey verification successful. The rekey operation is complete and the new keys are now active.'));
    return 0;
  }
  printNewShares(context, current, result);
  if (current['verification_required'] !== true || context.format === 'json') return 0;
  return verificationStatusAfterShares(context, paths);
}

async function verificationStatusAfterShares(context: ClientContext, paths: RekeyPaths): Promise<number> {
  try {
    return printVerificationStatus(context, await context.client.read(`${paths.base}/verify`));
  } catch (error) {
    return context.fail('Error reading rekey status', error);
  }
}

async function backupRetrieve(context: ClientContext, paths: RekeyPaths): Promise<number> {
  let data: Record<string, unknown>;
  try {
    data = objectOf((await context.client.read(paths.backup))['data']);
  } catch (error) {
    return context.fail('Error retrieving rekey stored keys', error);
  }
  // The vault CLI shows the Go struct's field names here.
  const stored = { Keys: data['keys'] ?? {}, KeysB64: data['keys_base64'] ?? {}, Nonce: stringOf(data['nonce']) };
  if (context.format === 'json') {
    context.out(jsonOutput(stored));
    return 0;
  }
  const rows = Object.entries(stored).map(([key, value]) => `${key} | ${goValue(value)}`);
  context.out(columnOutput(['Key | Value', '--- | -----', ...rows]));
  return 0;
}

async function backupDelete(context: ClientContext, paths: RekeyPaths): Promise<number> {
  try {
    await context.client.request('DELETE', paths.backup);
  } catch (error) {
    return context.fail('Error deleting rekey stored keys', error);
  }
  context.out('Success! Delete stored keys (if they existed)');
  return 0;
}
