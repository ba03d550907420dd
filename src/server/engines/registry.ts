import type { BackendFactory } from '../logical/logical-backend.ts';
import { cubbyholeFactory } from './cubbyhole/cubbyhole-backend.ts';
import { kvFactory } from './kv/kv-factory.ts';

/** The secrets engines by mount type, for the mount manager. */
export function secretEngineFactories(): Map<string, BackendFactory> {
  return new Map<string, BackendFactory>([
    ['kv', kvFactory],
    ['cubbyhole', cubbyholeFactory],
  ]);
}
