import type { Operation } from '../logical/operation.ts';

export type Capability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo' | 'deny';

/** The compiled, merged rules of a token's policies. */
export interface Acl {
  /**
   * Whether `operation` on `path` is allowed; `needsSudo` adds the sudo requirement of root paths.
   * `data` is the request's data, checked against the winning rule's parameter constraints.
   */
  allows(path: string, operation: Operation, needsSudo: boolean, data?: Readonly<Record<string, unknown>>): boolean;
  /**
   * The capabilities granted on `path`, sorted, as sys/capabilities reports them:
   * ['root'] for a root token, ['deny'] when nothing is granted.
   */
  capabilities(path: string): string[];
  /** Whether any rule grants something at or below `prefix` (the KV preflight's access test). */
  grantsAnythingUnder(prefix: string): boolean;
}
