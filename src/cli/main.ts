#!/usr/bin/env node
import { errorResponse } from '../lib/http-status.ts';
import { describeError, SealboxError } from '../lib/errors.ts';
import type { CommandIo } from './command-io.ts';
import { serverCommand } from './server-command.ts';

const USAGE = `Usage: sealbox <command> [args]

Commands:
  server    run the Sealbox server (sealbox server -help)
`;

type Command = (args: readonly string[], io: CommandIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = { server: serverCommand };

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

const io: CommandIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, signals: process };
process.exitCode = await main(process.argv.slice(2), io);
