/** Per-mount settings as Vault reports them under `config`. */
export interface MountConfig {
  /** Seconds; 0 means the system default. */
  readonly default_lease_ttl: number;
  readonly max_lease_ttl: number;
  readonly force_no_cache: boolean;
  readonly listing_visibility?: string;
  readonly audit_non_hmac_request_keys?: readonly string[];
  readonly audit_non_hmac_response_keys?: readonly string[];
  readonly passthrough_request_headers?: readonly string[];
  readonly allowed_response_headers?: readonly string[];
  readonly token_type?: string;
}

export type MountTableName = 'mounts' | 'auth';

/** One entry of a mount table: a backend instance and where it lives. */
export interface MountEntry {
  readonly table: MountTableName;
  /** The router path: `secret/`, `sys/`, or `auth/userpass/` for auth mounts. */
  readonly path: string;
  readonly type: string;
  readonly description: string;
  readonly uuid: string;
  readonly accessor: string;
  readonly config: MountConfig;
  readonly options: Readonly<Record<string, string>> | null;
  readonly local: boolean;
  readonly sealWrap: boolean;
}

/** The path inside the mount table listing: `secret/`, and `userpass/` for auth mounts. */
export function tablePath(entry: MountEntry): string {
  return entry.table === 'auth' ? entry.path.slice('auth/'.length) : entry.path;
}

/** Storage prefix of a mount's view, as in Vault: logical/<uuid>/ or auth/<uuid>/. */
export function storagePrefix(entry: MountEntry): string {
  if (entry.type === 'system') return '';
  return `${entry.table === 'auth' ? 'auth' : 'logical'}/${entry.uuid}/`;
}
