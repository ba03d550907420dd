import { SealboxError } from '../../lib/errors.ts';
import { FieldData } from './field-data.ts';
import type { BackendRequest } from './logical-request.ts';
import type { LogicalResponse } from './logical-response.ts';
import type { Operation } from './operation.ts';

export type PathHandler = (request: BackendRequest, fields: FieldData) => Promise<LogicalResponse | undefined>;

export interface PathRoute {
  /** A regular expression over the path inside the mount, anchored at both ends; named groups become fields. */
  readonly pattern: string;
  readonly operations: Partial<Record<Operation, PathHandler>>;
  /** Tells create from update; without it every write is an update. */
  readonly exists?: (request: BackendRequest, fields: FieldData) => Promise<boolean>;
}

interface CompiledRoute extends PathRoute {
  readonly regex: RegExp;
}

/**
 * A backend's table of paths, tried in order. Unknown paths are Vault's 404 `unsupported path`,
 * known paths with another operation its 405 `unsupported operation`. Create falls back to the
 * update handler and the other way round, since Vault's backends usually register one for both.
 */
export class PathTable {
  readonly #routes: readonly CompiledRoute[];

  constructor(routes: readonly PathRoute[]) {
    this.#routes = routes.map((route) => ({ ...route, regex: new RegExp(`^(?:${route.pattern})$`) }));
  }

  async handle(request: BackendRequest): Promise<LogicalResponse | undefined> {
    const { route, fields } = this.#match(request);
    const handler = handlerFor(route, request.operation);
    if (handler === undefined) throw new SealboxError('unsupported_operation', 'unsupported operation');
    return handler(request, fields);
  }

  async exists(request: BackendRequest): Promise<boolean | undefined> {
    const found = this.#find(request.relativePath, request.data);
    if (found?.route.exists === undefined) return undefined;
    return found.route.exists(request, found.fields);
  }

  #match(request: BackendRequest): { route: CompiledRoute; fields: FieldData } {
    const found = this.#find(request.relativePath, request.data);
    if (found === undefined) throw new SealboxError('unsupported_path', 'unsupported path');
    return found;
  }

  #find(path: string, data: Readonly<Record<string, unknown>>): { route: CompiledRoute; fields: FieldData } | undefined {
    for (const route of this.#routes) {
      const match = route.regex.exec(path);
      if (match === null) continue;
      return { route, fields: new FieldData({ ...data, ...match.groups }) };
    }
    return undefined;
  }
}

function handlerFor(route: PathRoute, operation: Operation): PathHandler | undefined {
  const { operations } = route;
  if (operation === 'create') return operations.create ?? operations.update;
  if (operation === 'update') return operations.update ?? operations.create;
  return operations[operation];
}
