import type { MountEntry } from '../router/mount-entry.ts';
import { SEALBOX_VERSION } from '../version.ts';

/** The mount object of sys/mounts, sys/auth and sys/internal/ui/mounts. */
export function mountInfo(entry: MountEntry): Record<string, unknown> {
  return {
    type: entry.type,
    description: entry.description,
    accessor: entry.accessor,
    uuid: entry.uuid,
    config: { ...entry.config },
    options: entry.options,
    local: entry.local,
    seal_wrap: entry.sealWrap,
    external_entropy_access: false,
    plugin_version: '',
    running_plugin_version: `v${SEALBOX_VERSION}+builtin.sealbox`,
    running_sha256: '',
    deprecation_status: 'supported',
  };
}
