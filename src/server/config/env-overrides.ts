import { z } from 'zod';
import { ifDefined } from './if-defined.ts';
import type { ServerConfig } from './server-config.ts';
import { httpUrl, logLevel } from './vault-values.ts';

/** The environment, passed in (process.env fits) so parsing never reads globals. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

export type EnvOverrides = Partial<Pick<ServerConfig, 'apiAddr' | 'clusterAddr' | 'logLevel'>>;

// Vault treats an empty variable as unset.
function fromEnv<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
}

/**
 * The variables `vault server` reads over its config file; they win over the file, as in Vault.
 * Problems are reported under the variable's name.
 */
export function envOverridesSchema() {
  return z
    .object({
      VAULT_API_ADDR: fromEnv(httpUrl),
      VAULT_CLUSTER_ADDR: fromEnv(httpUrl),
      VAULT_LOG_LEVEL: fromEnv(logLevel),
    })
    .transform(
      (env): EnvOverrides => ({
        ...ifDefined('apiAddr', env.VAULT_API_ADDR),
        ...ifDefined('clusterAddr', env.VAULT_CLUSTER_ADDR),
        ...ifDefined('logLevel', env.VAULT_LOG_LEVEL),
      }),
    );
}
