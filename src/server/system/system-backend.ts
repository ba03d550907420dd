import type { LogicalBackend } from '../logical/logical-backend.ts';
import type { PathRoute } from '../logical/path-table.ts';
import { PathTable } from '../logical/path-table.ts';
import { SYS_ROOT_PATHS } from './sys-root-paths.ts';

/** sys/ mounted like any backend: one path table assembled from the topic files. */
export function systemBackend(routes: readonly PathRoute[]): LogicalBackend {
  const table = new PathTable(routes);
  return {
    handle: (request) => table.handle(request),
    exists: (request) => table.exists(request),
    unauthenticatedPaths: ['internal/ui/mounts', 'internal/ui/mounts/*'],
    rootPaths: SYS_ROOT_PATHS,
  };
}
