import type { MountEntry } from '../../../src/server/router/mount-entry.ts';

/** The sys/ mount entry that system path tests hand to their handlers. */
export const SYS_MOUNT: MountEntry = {
  table: 'mounts',
  path: 'sys/',
  type: 'system',
  description: 'system endpoints used for control, policy and debugging',
  uuid: '00000000-0000-0000-0000-000000000001',
  accessor: 'system_00000001',
  config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
  options: null,
  local: false,
  sealWrap: false,
};
