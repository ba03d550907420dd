import type { Acl } from './acl.ts';

/** The ACL of the `root` policy: everything is allowed, sudo included. */
export const ROOT_ACL: Acl = {
  allows: () => true,
  capabilities: () => ['root'],
  grantsAnythingUnder: () => true,
};
