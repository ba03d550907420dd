import type { Namespace } from 'etcd3';
import { childOf, directChildren } from '../direct-children.ts';
import type { CallDeadline } from './call-deadline.ts';

// Bounds each response well below gRPC's 4 MiB message limit, whatever the key lengths.
const PAGE_SIZE = 500;
// etcd's "to the end of the key space" range end; the namespace turns it into the end of the prefix.
const ZERO_KEY = '\0';

/**
 * One level below `prefix` ('' or ending with '/'), reading keys only, page by page, and jumping
 * past each sub-folder once seen so that a large subtree costs one page, not all its keys.
 */
export async function listOneLevel(kv: Namespace, prefix: string, callOptions: () => CallDeadline): Promise<string[]> {
  const end = prefix === '' ? ZERO_KEY : afterFolder(prefix);
  const seen: string[] = [];
  for (let start = prefix; ; ) {
    const keys = await kv.getAll().inRange({ start, end }).limit(PAGE_SIZE).options(callOptions()).keys();
    seen.push(...keys);
    const last = keys.at(-1);
    if (keys.length < PAGE_SIZE || last === undefined) return directChildren(prefix, seen);
    const child = childOf(prefix, last) ?? '';
    start = child.endsWith('/') ? afterFolder(prefix + child) : `${last}${ZERO_KEY}`;
  }
}

/** The first key after every key below `folder` (which ends with '/'): '/' + 1 is '0'. */
function afterFolder(folder: string): string {
  return `${folder.slice(0, -1)}0`;
}
