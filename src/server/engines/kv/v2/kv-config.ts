import { formatGoDuration } from '../go-duration.ts';

/** Mount-wide settings of a KV v2 engine, as stored under `config`. */
export interface KvConfig {
  /** 0: not set, which keeps the default number of versions. */
  readonly maxVersions: number;
  readonly casRequired: boolean;
  /** Seconds; 0 not set, DELETE_VERSION_AFTER_DISABLED switches it off for every key. */
  readonly deleteVersionAfter: number;
}

/** Versions kept per key when neither the mount nor the key says otherwise. */
export const DEFAULT_MAX_VERSIONS = 10;

/** Vault stores "disabled" as a duration of -1s, and reads it back as such. */
export const DELETE_VERSION_AFTER_DISABLED = -1;

export const DEFAULT_KV_CONFIG: KvConfig = { maxVersions: 0, casRequired: false, deleteVersionAfter: 0 };

export function renderConfig(config: KvConfig): Record<string, unknown> {
  return {
    cas_required: config.casRequired,
    delete_version_after: formatGoDuration(config.deleteVersionAfter),
    max_versions: config.maxVersions,
  };
}
