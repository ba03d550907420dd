/** Vault's logical operations; create and update are told apart by the backend's existence check. */
export type Operation = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list';

export const WRITE_OPERATIONS: ReadonlySet<Operation> = new Set(['create', 'update']);
