import type { LogicalBackend } from '../logical/logical-backend.ts';
import type { PathRoute } from '../logical/path-table.ts';
import { PathTable } from '../logical/path-table.ts';
import { SYS_ROOT_PATHS } from './sys-root-paths.ts';
import { tableBackend } from '../logical/table-backend.ts';

/** sys/ mounted like any backend: one path table assembled from the topic files. */
export function systemBackend(routes: readonly PathRoute[]): LogicalBackend {
  return tableBackend(new PathTable(routes), {
    unauthenticatedPaths: ['internal/ui/mounts', 'internal/ui/mounts/*'],
    rootPaths: SYS_ROOT_PATHS,
  });
}
