import { performance } from 'node:perf_hooks';
import type { BackendFactory, LogicalBackend } from '../logical/logical-backend.ts';
import type { BackendRequest } from '../logical/logical-request.ts';
import { decorate } from './decorate.ts';
import type { CoreTelemetry } from './telemetry.ts';

/**
 * The factory's backends with handle() timed into vault_route{operation, mount_point}: the time
 * a request spends in the mount's backend, as Vault's vault.route.<operation>.<mount> timer.
 */
export function timedFactory(factory: BackendFactory, telemetry: Pick<CoreTelemetry, 'routed'>): BackendFactory {
  return async (context) => {
    const backend = await factory(context);
    const mountPoint = context.mount.path;
    return decorate<LogicalBackend>(backend, {
      async handle(request: BackendRequest) {
        const started = performance.now();
        try {
          return await backend.handle(request);
        } finally {
          telemetry.routed(request.operation, mountPoint, performance.now() - started);
        }
      },
    });
  };
}
