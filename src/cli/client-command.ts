import { describeError, isSealboxError } from '../lib/errors.ts';
import { createClient } from './client-settings.ts';
import type { FlagSpec } from './command-flags.ts';
import { assertArgumentCount, parseCommandFlags } from './command-flags.ts';
import type { CommandIo } from './command-io.ts';
import type { ParsedFlags } from './flags.ts';
import type { OutputFormat } from './output-format.ts';
import { outputFormat } from './output-format.ts';
import type { VaultHttpClient } from './vault-http-client.ts';

/** The HTTP and output options every client command takes, for usage texts. */
export const CLIENT_OPTIONS = `HTTP and output options:

  -address ADDR       server address (default VAULT_ADDR, then https://127.0.0.1:8200)
  -ca-cert FILE       CA certificate to trust (default VAULT_CACERT)
  -tls-skip-verify    do not verify the server's certificate (default VAULT_SKIP_VERIFY)
  -format FORMAT      table or json (default VAULT_FORMAT, then table)

  The token is VAULT_TOKEN, or else the one in ~/.vault-token.`;

export type Command = (args: readonly string[], io: CommandIo) => Promise<number>;

/** What a command that talks to a server gets: its flags, the output format and a client. */
export interface ClientContext {
  readonly flags: ParsedFlags;
  readonly format: OutputFormat;
  readonly client: VaultHttpClient;
  readonly io: CommandIo;
  /** A line to standard output: results, and the keys or tokens a command exists to show. */
  out(text: string): void;
  /** A line to standard error: errors and warnings, never a key or a token. */
  err(text: string): void;
  /** Reports `error` after `doing` ("Error unsealing") and returns `exitCode`. */
  fail(doing: string, error: unknown, exitCode?: number): number;
}

export interface ClientCommandSpec extends FlagSpec {
  readonly usage: string;
  /** Most positional arguments the command takes. */
  readonly maxArgs: number;
}

/**
 * The vault CLI's exit codes: 1 for a mistake on the command line (flags, arguments, format),
 * 2 for anything the server or the connection answered. Commands with their own meaning for 2
 * (status, init -status) return 1 for errors themselves.
 */
export function clientCommand(spec: ClientCommandSpec, run: (context: ClientContext) => Promise<number>): Command {
  return async (args, io) => {
    const err = (text: string): void => void io.stderr.write(`${text}\n`);
    if (args.includes('-h') || args.includes('-help') || args.includes('--help')) {
      io.stdout.write(`${spec.usage}\n`);
      return 0;
    }
    let flags: ParsedFlags;
    let format: OutputFormat;
    try {
      flags = parseCommandFlags(args, spec);
      assertArgumentCount(flags, spec.maxArgs);
      format = outputFormat(flags, io.env);
    } catch (error) {
      err(messageOf(error));
      err(`\n${spec.usage}`);
      return 1;
    }
    let client: VaultHttpClient;
    try {
      client = await createClient(flags, io.env);
    } catch (error) {
      err(messageOf(error));
      return 2;
    }
    const context: ClientContext = {
      flags,
      format,
      client,
      io,
      out: (text) => void io.stdout.write(`${text}\n`),
      err,
      fail: (doing, error, exitCode = 2) => {
        err(`${doing}: ${messageOf(error)}`);
        return exitCode;
      },
    };
    return run(context);
  };
}

export function messageOf(error: unknown): string {
  return isSealboxError(error) ? error.message : describeError(error);
}
