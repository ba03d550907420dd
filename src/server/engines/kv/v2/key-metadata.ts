import { formatGoDuration } from '../go-duration.ts';
import { formatVaultTime } from '../vault-time.ts';
import type { KvConfig } from './kv-config.ts';
import { DEFAULT_MAX_VERSIONS, DELETE_VERSION_AFTER_DISABLED } from './kv-config.ts';

/** What the key metadata records of one version; the data itself is stored apart. */
export interface VersionMetadata {
  /** Unix milliseconds. */
  readonly createdMs: number;
  /** When the version is (or was scheduled to be) soft-deleted; null when it is not. */
  readonly deletionMs: number | null;
  readonly destroyed: boolean;
}

/** Everything KV v2 knows about one secret path, stored as one entry under `metadata/<path>`. */
export interface KeyMetadata {
  readonly createdMs: number;
  readonly updatedMs: number;
  /** 0 until the first version is written. */
  readonly currentVersion: number;
  /** Versions below this one were pruned for max_versions. */
  readonly oldestVersion: number;
  readonly maxVersions: number;
  readonly casRequired: boolean;
  /** Seconds; 0 when not set for this key. */
  readonly deleteVersionAfter: number;
  readonly customMetadata: Readonly<Record<string, string>> | null;
  /** Keyed by version number as a decimal string, as in the API. */
  readonly versions: Readonly<Record<string, VersionMetadata>>;
}

export function emptyMetadata(nowMs: number): KeyMetadata {
  return {
    createdMs: nowMs,
    updatedMs: nowMs,
    currentVersion: 0,
    oldestVersion: 0,
    maxVersions: 0,
    casRequired: false,
    deleteVersionAfter: 0,
    customMetadata: null,
    versions: {},
  };
}

export function versionOf(metadata: KeyMetadata, version: number): VersionMetadata | undefined {
  return Object.hasOwn(metadata.versions, String(version)) ? metadata.versions[String(version)] : undefined;
}

/** Neither destroyed nor past its deletion time: the data may be returned. */
export function isLive(version: VersionMetadata, nowMs: number): boolean {
  return !version.destroyed && !isDeleted(version, nowMs);
}

export function isDeleted(version: VersionMetadata, nowMs: number): boolean {
  return version.deletionMs !== null && version.deletionMs <= nowMs;
}

/**
 * The deletion time a version created (or undeleted) at `fromMs` is scheduled for: the shorter of
 * the mount's and the key's non-zero delete_version_after, or none.
 */
export function scheduledDeletion(fromMs: number, config: KvConfig, metadata: KeyMetadata): number | null {
  if (config.deleteVersionAfter === DELETE_VERSION_AFTER_DISABLED) return null;
  const candidates = [config.deleteVersionAfter, metadata.deleteVersionAfter].filter((seconds) => seconds > 0);
  if (candidates.length === 0) return null;
  return fromMs + Math.min(...candidates) * 1000;
}

/**
 * Appends a version and slides the max_versions window as Vault does (the larger of the key's and
 * the mount's setting wins, 10 when neither is set); returns the versions whose data must go.
 */
export function addVersion(metadata: KeyMetadata, version: VersionMetadata, configMaxVersions: number): { metadata: KeyMetadata; pruned: number[] } {
  const current = metadata.currentVersion + 1;
  const versions = new Map(Object.entries(metadata.versions));
  versions.set(String(current), version);
  const configured = Math.max(metadata.maxVersions, configMaxVersions);
  const keep = configured > 0 ? configured : DEFAULT_MAX_VERSIONS;
  let oldest = metadata.oldestVersion;
  const pruned: number[] = [];
  if (current - oldest >= keep) {
    const lastPruned = current - keep;
    // Bounded by the versions held: the window only ever holds as many as were written since `oldest`.
    for (let number = oldest; number <= lastPruned; number += 1) {
      if (versions.delete(String(number))) pruned.push(number);
    }
    oldest = lastPruned + 1;
  }
  return {
    metadata: { ...metadata, currentVersion: current, oldestVersion: oldest, updatedMs: version.createdMs, versions: Object.fromEntries(versions) },
    pruned,
  };
}

export function withVersion(metadata: KeyMetadata, number: number, version: VersionMetadata): KeyMetadata {
  const versions = new Map(Object.entries(metadata.versions));
  versions.set(String(number), version);
  return { ...metadata, versions: Object.fromEntries(versions) };
}

/** The `metadata` object of a data read and the `data` of a data write. */
export function renderVersion(number: number, version: VersionMetadata, metadata: KeyMetadata): Record<string, unknown> {
  return {
    created_time: formatVaultTime(version.createdMs),
    custom_metadata: metadata.customMetadata,
    deletion_time: version.deletionMs === null ? '' : formatVaultTime(version.deletionMs),
    destroyed: version.destroyed,
    version: number,
  };
}

/** The `data` of a metadata read. */
export function renderMetadata(metadata: KeyMetadata): Record<string, unknown> {
  const versions = Object.entries(metadata.versions).map(([number, version]) => [
    number,
    {
      created_time: formatVaultTime(version.createdMs),
      deletion_time: version.deletionMs === null ? '' : formatVaultTime(version.deletionMs),
      destroyed: version.destroyed,
    },
  ]);
  return {
    cas_required: metadata.casRequired,
    created_time: formatVaultTime(metadata.createdMs),
    current_version: metadata.currentVersion,
    custom_metadata: metadata.customMetadata,
    delete_version_after: formatGoDuration(metadata.deleteVersionAfter),
    max_versions: metadata.maxVersions,
    oldest_version: metadata.oldestVersion,
    updated_time: formatVaultTime(metadata.updatedMs),
    versions: Object.fromEntries(versions),
  };
}
