import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { SealboxError } from '../../lib/errors.ts';
import { configInvalid, problemLines, unknownKeyWarnings } from './config-problems.ts';
import { configSchema } from './config-schema.ts';
import { deepFreeze } from './deep-freeze.ts';
import { envOverridesSchema, type ConfigEnv } from './env-overrides.ts';
import { parseDocument, type ConfigFormat } from './parse-document.ts';
import type { ServerConfig } from './server-config.ts';

export interface LoadedConfig {
  /** Deeply frozen. */
  readonly config: ServerConfig;
  /** Keys that were ignored, as `path: reason` lines for the caller to log. */
  readonly warnings: readonly string[];
}

/**
 * Reads and validates a config file, HCL or JSON by extension (sniffed otherwise). `env` is the
 * environment (process.env fits): VAULT_API_ADDR, VAULT_CLUSTER_ADDR and VAULT_LOG_LEVEL override
 * the file, as in Vault. Paths inside the file (TLS files, storage path) are kept as written, so
 * relative ones resolve against the working directory, as in Vault. Throws one config_invalid
 * SealboxError listing every problem with its path.
 */
export async function loadConfigFile(path: string, env: ConfigEnv = {}): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as Error).message;
    throw new SealboxError('config_invalid', `cannot read configuration file ${path}: ${reason}`, {
      cause: error,
    });
  }
  return parseConfig(text, configFormatOf(path, text), path, env);
}

export async function parseConfig(
  text: string,
  format: ConfigFormat,
  sourceName: string,
  env: ConfigEnv = {},
): Promise<LoadedConfig> {
  const document = await parseDocument(text, format, sourceName);
  const parsed = configSchema('strip').safeParse(document);
  const overrides = envOverridesSchema().safeParse(env);
  // Vault ignores keys it does not know; a second, strict parse finds them so we can say so.
  const strict = configSchema('report').safeParse(document);
  const warnings = unknownKeyWarnings(strict.error?.issues ?? []);

  if (!parsed.success || !overrides.success) {
    // Ignored keys go along: a misspelt key often explains a missing or defaulted one.
    throw configInvalid(sourceName, [
      ...problemLines(parsed.error?.issues ?? []),
      ...problemLines(overrides.error?.issues ?? []),
      ...warnings,
    ]);
  }
  return deepFreeze({ config: { ...parsed.data, ...overrides.data }, warnings });
}

/** By extension; otherwise JSON when the text opens with `{`, which HCL never does. */
export function configFormatOf(path: string, text: string): ConfigFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.hcl') return 'hcl';
  return text.trimStart().startsWith('{') ? 'json' : 'hcl';
}
