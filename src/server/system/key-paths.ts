import { SealboxError } from '../../lib/errors.ts';
import type { Barrier } from '../barrier/barrier.ts';
import { DEFAULT_MAX_OPERATIONS } from '../barrier/keyring.ts';
import type { RekeyBackup } from '../core/shamir-seal.ts';
import type { PathRoute } from '../logical/path-table.ts';

/** Vault's bounds for rotate/config: below a million encryptions rotation would churn; the top is the GCM limit. */
const MIN_MAX_OPERATIONS = 1_000_000;
const MIN_INTERVAL_MS = 24 * 3600_000;

/** Where a rekey's PGP backup lives: outside the barrier, so the seal keeps it. */
export interface RekeyBackupStore {
  readRekeyBackup(): Promise<RekeyBackup | undefined>;
  deleteRekeyBackup(): Promise<void>;
}

export interface KeyPathsDeps {
  readonly barrier: Barrier;
  readonly backups: RekeyBackupStore;
}

/**
 * sys/rotate (sudo), sys/key-status, sys/rotate/config and sys/rekey/backup, relative to sys/.
 * Every term stays in the keyring, one entry per term, so entries written long ago still read;
 * old entries are not rewritten under the new term.
 */
export function keyPaths(deps: KeyPathsDeps): PathRoute[] {
  const { barrier, backups } = deps;
  return [
    {
      pattern: 'rotate',
      operations: {
        update: async () => {
          await barrier.rotate();
          return undefined;
        },
      },
    },
    {
      pattern: 'key-status',
      operations: {
        read: async () => {
          const status = barrier.keyStatus();
          const data = { term: status.term, install_time: status.installTime.toISOString(), encryptions: status.encryptions };
          return { data, dataAtTopLevel: true };
        },
      },
    },
    {
      pattern: 'rotate/config',
      operations: {
        read: async () => {
          const config = barrier.rotationConfig();
          const interval = config.intervalMs > 0 ? goDuration(config.intervalMs) : 0;
          return { data: { max_operations: config.maxOperations, enabled: !config.disabled, interval } };
        },
        update: async (_request, fields) => {
          const current = barrier.rotationConfig();
          const maxOperations = fields.int('max_operations') ?? current.maxOperations;
          const intervalSeconds = fields.durationSeconds('interval');
          const intervalMs = intervalSeconds === undefined ? current.intervalMs : intervalSeconds * 1000;
          const enabled = fields.bool('enabled');
          if (intervalMs !== 0 && intervalMs < MIN_INTERVAL_MS) {
            throw new SealboxError('invalid_request', `interval must be greater or equal to ${goDuration(MIN_INTERVAL_MS)}`);
          }
          if (maxOperations < MIN_MAX_OPERATIONS || maxOperations > DEFAULT_MAX_OPERATIONS) {
            throw new SealboxError('invalid_request', `max_operations must be in the range [${MIN_MAX_OPERATIONS},${DEFAULT_MAX_OPERATIONS}]`);
          }
          await barrier.setRotationConfig({ disabled: enabled === undefined ? current.disabled : !enabled, maxOperations, intervalMs });
          return undefined;
        },
      },
    },
    {
      pattern: 'rekey/backup',
      operations: {
        read: async () => {
          const backup = await backups.readRekeyBackup();
          // Vault answers a missing backup with this 400, not a 404.
          if (backup === undefined) throw new SealboxError('invalid_request', 'no backed-up keys found');
          const keysBase64 = Object.fromEntries(
            Object.entries(backup.keys).map(([fingerprint, keys]) => [fingerprint, keys.map((key) => Buffer.from(key, 'hex').toString('base64'))]),
          );
          return { data: { nonce: backup.nonce, keys: backup.keys, keys_base64: keysBase64 }, dataAtTopLevel: true };
        },
        delete: async () => {
          await backups.deleteRekeyBackup();
          return undefined;
        },
      },
    },
  ];
}

/** Go's time.Duration.String for whole seconds, as Vault prints intervals ("4320h0m0s"). */
function goDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
