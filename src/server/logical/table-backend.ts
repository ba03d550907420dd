import type { LogicalBackend } from './logical-backend.ts';
import type { PathTable } from './path-table.ts';

export interface TableBackendOptions {
  readonly unauthenticatedPaths?: readonly string[];
  readonly rootPaths?: readonly string[];
  readonly cleanup?: () => Promise<void>;
}

/** A backend that is its path table plus, at most, special paths and a cleanup. */
export function tableBackend(table: PathTable, options: TableBackendOptions = {}): LogicalBackend {
  return {
    handle: (request) => table.handle(request),
    exists: (request) => table.exists(request),
    unauthenticatedPaths: options.unauthenticatedPaths ?? [],
    rootPaths: options.rootPaths ?? [],
    ...(options.cleanup === undefined ? {} : { cleanup: options.cleanup }),
  };
}
