import type { BackendFactory } from '../../logical/logical-backend.ts';
import { createKvV1Backend } from './kv-v1-backend.ts';
import { createKvV2Backend } from './kv-v2-backend.ts';

/** Mount type `kv`: `options.version` "2" selects KV v2, anything else KV v1, as in Vault. */
export const kvFactory: BackendFactory = (context) =>
  context.mount.options?.['version'] === '2' ? createKvV2Backend(context) : createKvV1Backend(context);
