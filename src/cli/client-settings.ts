import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SealboxError } from '../lib/errors.ts';
import { parseGoBool } from '../lib/parse-bool.ts';
import type { ParsedFlags } from './flags.ts';
import type { ClientSettings } from './vault-http-client.ts';
import { VaultHttpClient } from './vault-http-client.ts';

/** The vault CLI's default address. */
const DEFAULT_ADDRESS = 'https://127.0.0.1:8200';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where and how to reach the server, as the vault CLI decides it: -address over VAULT_ADDR,
 * -ca-cert over VAULT_CACERT, -tls-skip-verify over VAULT_SKIP_VERIFY, and the token from
 * VAULT_TOKEN or else the token helper's file, ~/.vault-token.
 */
export async function clientSettings(flags: ParsedFlags, env: Env): Promise<ClientSettings> {
  const address = flags.values.get('address') ?? nonEmpty(env['VAULT_ADDR']) ?? DEFAULT_ADDRESS;
  const caFile = flags.values.get('ca-cert') ?? nonEmpty(env['VAULT_CACERT']);
  const token = nonEmpty(env['VAULT_TOKEN']) ?? (await tokenHelperToken(env));
  return {
    address,
    skipVerify: flags.booleans.has('tls-skip-verify') || skipVerifyFromEnv(env),
    ...(token === undefined ? {} : { token }),
    ...(caFile === undefined ? {} : { caCert: await readCaCert(caFile) }),
  };
}

export async function createClient(flags: ParsedFlags, env: Env): Promise<VaultHttpClient> {
  return new VaultHttpClient(await clientSettings(flags, env));
}

async function tokenHelperToken(env: Env): Promise<string | undefined> {
  const home = nonEmpty(env['HOME']);
  if (home === undefined) return undefined;
  try {
    return nonEmpty((await readFile(join(home, '.vault-token'), 'utf8')).trim());
  } catch {
    return undefined;
  }
}

async function readCaCert(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new SealboxError('invalid_request', `cannot read the CA certificate ${path}: ${(error as Error).message}`);
  }
}

function skipVerifyFromEnv(env: Env): boolean {
  const value = nonEmpty(env['VAULT_SKIP_VERIFY']);
  if (value === undefined) return false;
  const parsed = parseGoBool(value);
  if (parsed === undefined) throw new SealboxError('invalid_request', `could not parse VAULT_SKIP_VERIFY: ${JSON.stringify(value)}`);
  return parsed;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
