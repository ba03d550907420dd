import type { ApiClient } from '../api/api-client.ts';
import { dataOf, encodePath } from '../api/api-client.ts';

/** A mount the secrets browser can show: KV v1 (and cubbyhole, which behaves like it) or KV v2. */
export interface KvMount {
  /** With its trailing slash, as the mount table writes it: `secret/`. */
  readonly path: string;
  readonly type: string;
  readonly version: 1 | 2;
}

export function isBrowsable(type: string): boolean {
  return type === 'kv' || type === 'generic' || type === 'cubbyhole';
}

export function kvVersion(type: string, options: unknown): 1 | 2 {
  const version = typeof options === 'object' && options !== null ? (options as { version?: unknown }).version : undefined;
  return type === 'kv' && String(version) === '2' ? 2 : 1;
}

/** The mount's type and version from sys/internal/ui/mounts, which also needs no sys/mounts permission. */
export async function loadKvMount(api: ApiClient, mount: string): Promise<KvMount> {
  const data = dataOf(await api.get(`sys/internal/ui/mounts/${encodePath(mount)}`));
  const type = String(data['type'] ?? '');
  const path = typeof data['path'] === 'string' ? data['path'] : `${mount.replace(/\/$/, '')}/`;
  return { path, type, version: kvVersion(type, data['options']) };
}

/** The API paths of one secret or folder, by KV version (v2 puts data/, metadata/, ... after the mount). */
export const kvPaths = {
  list: (mount: KvMount, folder: string) => `${encodePath(mount.path)}${mount.version === 2 ? 'metadata/' : ''}${encodePath(folder)}`,
  data: (mount: KvMount, path: string) => `${encodePath(mount.path)}${mount.version === 2 ? 'data/' : ''}${encodePath(path)}`,
  metadata: (mount: KvMount, path: string) => `${encodePath(mount.path)}metadata/${encodePath(path)}`,
  delete: (mount: KvMount, path: string) => `${encodePath(mount.path)}delete/${encodePath(path)}`,
  undelete: (mount: KvMount, path: string) => `${encodePath(mount.path)}undelete/${encodePath(path)}`,
  destroy: (mount: KvMount, path: string) => `${encodePath(mount.path)}destroy/${encodePath(path)}`,
};

/** The UI's own routes of the secrets browser; the mount is one segment, whatever slashes it has. */
export const kvRoutes = {
  list: (mount: string, folder = '') => `secrets/${encodeURIComponent(mount)}/list/${encodePath(folder)}`,
  show: (mount: string, path: string) => `secrets/${encodeURIComponent(mount)}/show/${encodePath(path)}`,
  edit: (mount: string, path: string) => `secrets/${encodeURIComponent(mount)}/edit/${encodePath(path)}`,
  create: (mount: string, folder = '') => `secrets/${encodeURIComponent(mount)}/create/${encodePath(folder)}`,
};
