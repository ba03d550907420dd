import type { PhysicalBackend } from '../../../src/server/storage/physical-backend.ts';

/** Every key below `prefix`, found through list() alone, so only what a caller can see. */
export async function allKeys(backend: PhysicalBackend, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for (const name of await backend.list(prefix)) {
    if (name.endsWith('/')) keys.push(...(await allKeys(backend, prefix + name)));
    else keys.push(prefix + name);
  }
  return keys;
}
