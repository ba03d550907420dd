import { readFile } from 'node:fs/promises';
import { SealboxError } from '../../lib/errors.ts';
import { EVEN_AFTER_FIELD_ERRORS, blockObject, type UnknownKeys } from './block-shape.ts';
import { configInvalid, problemLines, unknownKeyWarnings } from './config-problems.ts';
import { deepFreeze } from './deep-freeze.ts';
import { configFormatOf } from './load-config.ts';
import { parseDocument, type ConfigFormat } from './parse-document.ts';
import type { StorageConfig } from './server-config.ts';
import { storageSchema } from './storage-schema.ts';
import { httpUrl } from './vault-values.ts';

/** What `sealbox operator migrate` reads: Vault's migrator config, two storage blocks. */
export interface MigrateConfig {
  readonly source: StorageConfig;
  readonly destination: StorageConfig;
}

export interface LoadedMigrateConfig {
  /** Deeply frozen. */
  readonly config: MigrateConfig;
  /** Keys that were ignored, as `path: reason` lines. */
  readonly warnings: readonly string[];
}

/**
 * `storage_source "<type>" {...}` and `storage_destination "<type>" {...}`, each with the same
 * settings as the server's `storage` block. Vault's `cluster_addr` is accepted (it matters only
 * for a raft destination, which Sealbox does not have).
 */
export function migrateConfigSchema(unknownKeys: UnknownKeys) {
  return blockObject(
    {
      storage_source: storageSchema(unknownKeys).optional(),
      storage_destination: storageSchema(unknownKeys).optional(),
      cluster_addr: httpUrl.optional(),
    },
    unknownKeys,
  )
    .superRefine((config, ctx) => {
      for (const key of ['storage_source', 'storage_destination'] as const) {
        const storage: unknown = config[key];
        if (storage === undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: `a ${key} block is required (file or etcd)` });
        } else if (isInmem(storage)) {
          // A fresh process's memory: there is nothing to copy from it, and a copy into it is lost.
          ctx.addIssue({ code: 'custom', path: [key], message: 'inmem storage lives and dies with one process; it cannot be migrated' });
        }
      }
    }, EVEN_AFTER_FIELD_ERRORS)
    .transform(
      (config): MigrateConfig => ({
        // Never undefined here: the refinement reports missing blocks, and zod runs no transform
        // after an issue.
        source: config.storage_source!,
        destination: config.storage_destination!,
      }),
    );
}

export async function loadMigrateConfigFile(path: string): Promise<LoadedMigrateConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as Error).message;
    throw new SealboxError('config_invalid', `cannot read configuration file ${path}: ${reason}`, { cause: error });
  }
  return parseMigrateConfig(text, configFormatOf(path, text), path);
}

export async function parseMigrateConfig(text: string, format: ConfigFormat, sourceName: string): Promise<LoadedMigrateConfig> {
  const document = await parseDocument(text, format, sourceName);
  const parsed = migrateConfigSchema('strip').safeParse(document);
  // As for the server config: unknown keys are ignored, and a strict parse finds them to say so.
  const strict = migrateConfigSchema('report').safeParse(document);
  const warnings = unknownKeyWarnings(strict.error?.issues ?? []);
  if (!parsed.success) throw configInvalid(sourceName, [...problemLines(parsed.error.issues), ...warnings]);
  return deepFreeze({ config: parsed.data, warnings });
}

function isInmem(storage: unknown): boolean {
  return typeof storage === 'object' && storage !== null && (storage as { type?: unknown }).type === 'inmem';
}
