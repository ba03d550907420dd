/**
 * Paths of the sys backend, relative to sys/, that need `sudo` as well as the capability (Vault's
 * root paths, without the Enterprise replication ones). A trailing `*` makes an entry a prefix:
 * `auth/*` covers enabling, tuning and reading one auth mount, while listing sys/auth needs no sudo.
 * seal and step-down are listed for completeness; their raw handlers enforce sudo themselves.
 */
export const SYS_ROOT_PATHS: readonly string[] = [
  'auth/*',
  'remount',
  'audit',
  'audit/*',
  'raw',
  'raw/*',
  'rotate',
  'config/cors',
  'config/auditing/*',
  'config/ui/headers/*',
  'plugins/catalog/*',
  'plugins/runtimes/catalog/*',
  'revoke-prefix/*',
  'revoke-force/*',
  'leases/revoke-prefix/*',
  'leases/revoke-force/*',
  'leases/lookup/*',
  'leases',
  'internal/inspect/*',
  'internal/counters/activity/export',
  'storage/raft/snapshot-auto/config/*',
  'seal',
  'step-down',
];
