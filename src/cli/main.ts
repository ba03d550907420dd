#!/usr/bin/env node
import { enableCompileCache } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { errorResponse } from '../lib/http-status.ts';
import { describeError, SealboxError } from '../lib/errors.ts';
import type { CommandIo } from './command-io.ts';

const USAGE = `Usage: sealbox <command> [args]

Commands:
  server    run the Sealbox server (sealbox server -help)
  operator  the Kubernetes operator (sealbox operator run), and operator commands: init, unseal,
            seal, rekey, rotate, key-status, generate-root, step-down, migrate (sealbox operator -help)
  status    print the seal and HA status of the server at VAULT_ADDR
  audit     audit log tools: verify the tamper-evident chain of a log (sealbox audit -help)
`;

type Command = (args: readonly string[], io: CommandIo) => Promise<number>;

/** Loads a command's module when it runs: the server's modules take most of a second to load. */
function lazy(load: () => Promise<Command>): Command {
  return async (args, io) => (await load())(args, io);
}

const COMMANDS: Readonly<Record<string, Command>> = {
  server: lazy(async () => (await import('./server-command.ts')).serverCommand),
  operator: lazy(async () => (await import('./operator-command.ts')).operatorCommand),
  status: lazy(async () => (await import('./status.ts')).statusCommand),
  audit: lazy(async () => (await import('./audit-command.ts')).auditCommand),
};

async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) {
    io.stderr.write(USAGE);
    return name === undefined || name === '-h' || name === '-help' ? 0 : 1;
  }
  try {
    return await command(args, io);
  } catch (error) {
    const message = error instanceof SealboxError ? errorResponse(error).errors.join('\n') : describeError(error);
    io.stderr.write(`Error: ${message}\n`);
    return 1;
  }
}

/**
 * V8's code cache for the modules a command loads, so that a start after the first skips type
 * stripping and compiling them (the server starts in about two thirds of the time). In the user's
 * own cache directory, not a shared /tmp where another user could plant code; without a writable
 * one Node just runs without it. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
function enableCodeCache(env: NodeJS.ProcessEnv): void {
  const cacheHome = env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache');
  enableCompileCache(join(cacheHome, 'sealbox', 'compile-cache'));
}

const io: CommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  // Lazy: creating process.stdin on a terminal has effects that only prompting commands want.
  get stdin() {
    return process.stdin;
  },
  env: process.env,
  signals: process,
};
enableCodeCache(process.env);
process.exitCode = await main(process.argv.slice(2), io);
