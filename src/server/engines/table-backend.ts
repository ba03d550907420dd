import type { LogicalBackend } from '../logical/logical-backend.ts';
import type { PathTable } from '../logical/path-table.ts';

/** A backend that is nothing but its path table: no special paths, nothing to clean up. */
export function tableBackend(table: PathTable): LogicalBackend {
  return {
    handle: (request) => table.handle(request),
    exists: (request) => table.exists(request),
    unauthenticatedPaths: [],
    rootPaths: [],
  };
}
