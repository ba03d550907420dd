/** Wire shapes of the sealed-safe status endpoints (Vault field names). */
export interface SealStatus {
  readonly type: 'shamir';
  readonly initialized: boolean;
  readonly sealed: boolean;
  readonly t: number;
  readonly n: number;
  readonly progress: number;
  readonly nonce: string;
  readonly version: string;
  readonly build_date: string;
  readonly migration: boolean;
  readonly cluster_name?: string;
  readonly cluster_id?: string;
  readonly recovery_seal: boolean;
  readonly storage_type: string;
}

export interface HealthStatus {
  readonly initialized: boolean;
  readonly sealed: boolean;
  readonly standby: boolean;
  readonly performance_standby: boolean;
  readonly replication_performance_mode: 'disabled';
  readonly replication_dr_mode: 'disabled';
  readonly server_time_utc: number;
  readonly version: string;
  readonly enterprise: boolean;
  readonly cluster_name?: string;
  readonly cluster_id?: string;
}

export interface LeaderStatus {
  readonly ha_enabled: boolean;
  readonly is_self: boolean;
  readonly active_time: string;
  readonly leader_address: string;
  readonly leader_cluster_address: string;
  readonly performance_standby: boolean;
  readonly performance_standby_last_remote_wal: number;
}

export interface InitResult {
  readonly keys: string[];
  readonly keys_base64: string[];
  readonly root_token: string;
}

export interface BuildInfo {
  /** The Vault API version Sealbox is compatible with, plus Sealbox's own as build metadata. */
  readonly version: string;
  readonly buildDate: string;
}
