import type { ClientContext } from './client-command.ts';
import { tableOutput } from './columns.ts';
import { numberOf, stringOf, stringsOf } from './json-values.ts';
import { jsonOutput } from './output-format.ts';
import { wrapAtLength } from './wrap-text.ts';

/** The status of a rekey (GET sys/rekey/init), as the vault CLI prints it. */
export function printRekeyStatus(context: ClientContext, status: Record<string, unknown>): number {
  if (context.format === 'json') {
    context.out(jsonOutput(status));
    return 0;
  }
  const rows = ['Key | Value', `Nonce | ${stringOf(status['nonce'])}`, `Started | ${status['started'] === true}`];
  if (status['started'] === true) {
    const progress = numberOf(status['progress']);
    const required = numberOf(status['required']);
    const verifying = progress === required ? ' (verification in progress)' : '';
    rows.push(`Rekey Progress | ${progress}/${required}${verifying}`);
    rows.push(`New Shares | ${numberOf(status['n'])}`);
    rows.push(`New Threshold | ${numberOf(status['t'])}`);
    rows.push(`Verification Required | ${status['verification_required'] === true}`);
    const verificationNonce = stringOf(status['verification_nonce']);
    if (verificationNonce !== '') rows.push(`Verification Nonce | ${verificationNonce}`);
  }
  const fingerprints = stringsOf(status['pgp_fingerprints']);
  if (fingerprints.length > 0) {
    rows.push(`PGP Fingerprints | [${fingerprints.join(' ')}]`);
    rows.push(`Backup | ${status['backup'] === true}`);
  }
  context.out(tableOutput(rows));
  return 0;
}

/** The status of a rekey's verification (GET sys/rekey/verify). */
export function printVerificationStatus(context: ClientContext, status: Record<string, unknown>): number {
  if (context.format === 'json') {
    context.out(jsonOutput(status));
    return 0;
  }
  const threshold = numberOf(status['t']);
  context.out(
    tableOutput([
      'Key | Value',
      `Started | ${status['started'] === true}`,
      `New Shares | ${numberOf(status['n'])}`,
      `New Threshold | ${threshold}`,
      `Verification Nonce | ${stringOf(status['nonce'])}`,
      `Verification Progress | ${numberOf(status['progress'])}/${threshold}`,
    ]),
  );
  return 0;
}

/**
 * The new shares of a completed rekey, printed once. `status` is the rekey's status from before
 * the last share, which holds the new share count and threshold.
 */
export function printNewShares(context: ClientContext, status: Record<string, unknown>, result: Record<string, unknown>): void {
  if (context.format === 'json') {
    context.out(jsonOutput(result));
    return;
  }
  const keys = stringsOf(result['keys']);
  const keysBase64 = stringsOf(result['keys_base64']);
  const fingerprints = stringsOf(result['pgp_fingerprints']);
  const shown = keysBase64.length === keys.length ? keysBase64 : keys;
  context.out('');
  shown.forEach((key, index) => {
    const fingerprint = fingerprints[index];
    context.out(fingerprint === undefined ? `Key ${index + 1}: ${key}` : `Key ${index + 1} fingerprint: ${fingerprint}; value: ${key}`);
  });
  context.out('');
  context.out(`Operation nonce: ${stringOf(result['nonce'])}`);
  if (fingerprints.length > 0 && result['backup'] === true) {
    context.out('');
    context.out(
      wrapAtLength(
        'The encrypted unseal keys are backed up to "core/unseal-keys-backup" in the storage backend. ' +
          'Remove these keys at any time using "sealbox operator rekey -backup-delete". Vault does not ' +
          'automatically remove these keys.',
      ),
    );
  }
  const shares = numberOf(status['n']);
  const threshold = numberOf(status['t']);
  context.out('');
  if (status['verification_required'] !== true) {
    context.out(
      wrapAtLength(
        `Vault unseal keys rekeyed with ${shares} key shares and a key threshold of ${threshold}. Please ` +
          'securely distribute the key shares printed above. When Vault is re-sealed, restarted, or ' +
          `stopped, you must supply at least ${threshold} of these keys to unseal it before it can start ` +
          'servicing requests.',
      ),
    );
    return;
  }
  context.out(
    wrapAtLength(
      `Vault has created a new unseal key, split into ${shares} key shares and a key threshold of ` +
        `${threshold}. These will not be active until after verification is complete. Please securely ` +
        'distribute the key shares printed above. When Vault is re-sealed, restarted, or stopped, you ' +
        `must supply at least ${threshold} of these keys to unseal it before it can start servicing requests.`,
    ),
  );
  context.out('');
  context.err(
    wrapAtLength(
      'Again, these key shares are _not_ valid until verification is performed. Do not lose or discard ' +
        'your current key shares until after verification is complete or you will be unable to unseal ' +
        'Vault. If you cancel the rekey process or seal Vault before verification is complete the new ' +
        'shares will be discarded and the current shares will remain valid.',
    ),
  );
  context.out('');
  context.err(wrapAtLength('The current verification status, including initial nonce, is shown below.'));
  context.out('');
}
