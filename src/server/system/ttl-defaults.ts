/** Vault's system-wide lease TTLs: 768h for both the default and the maximum. */
export const SYSTEM_DEFAULT_LEASE_TTL = 2_764_800;
export const SYSTEM_MAX_LEASE_TTL = 2_764_800;
