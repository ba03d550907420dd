import type { LogLevel } from '../server/config/server-config.ts';
import { loadMigrateConfigFile } from '../server/config/migrate-config.ts';
import type { MigrateConfig } from '../server/config/migrate-config.ts';
import { createStorage } from '../server/storage/create-storage.ts';
import type { Storage } from '../server/storage/create-storage.ts';
import { DEFAULT_MAX_PARALLEL, migrateStorage, resetMigration } from '../server/storage/migrate.ts';
import type { MigrationResult } from '../server/storage/migrate.ts';
import { SealboxError } from '../lib/errors.ts';
import { createLogger } from '../lib/logger.ts';
import { messageOf } from './client-command.ts';
import { intFlag, parseCommandFlags } from './command-flags.ts';
import type { CommandIo } from './command-io.ts';
import type { ParsedFlags } from './flags.ts';
import { progressReporter } from './migrate-progress.ts';

const LOG_LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error'];

const USAGE = `Usage: sealbox operator migrate -config FILE [options]

  Copies every entry from one storage to another, offline: stop every server first. Entries are
  copied as stored (encrypted), so the destination unseals with the same key shares and serves the
  same data. The config file names the two storages, with the settings of a server's storage block:

      storage_source "file" {
        path = "/var/lib/sealbox"
      }
      storage_destination "etcd" {
        address = "https://etcd-0:2379"
        path    = "sealbox/"
      }

  Servers refuse to start on the source while the copy runs. The destination must be empty, unless
  -start resumes an interrupted migration.

  -config FILE        the migration config (HCL or JSON)
  -start KEY          copy only keys at or after KEY (lexicographically), to resume
  -reset              remove the source's migration lock left by a killed migration, and exit
  -max-parallel N     copies in flight at once (default ${DEFAULT_MAX_PARALLEL})
  -log-level LEVEL    trace, debug, info, warn or error (default info)`;

/** `sealbox operator migrate`, as `vault operator migrate`. Exit 1 for usage and config, 2 for the migration. */
export async function operatorMigrateCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const err = (text: string): void => void io.stderr.write(`${text}\n`);
  if (args.includes('-h') || args.includes('-help') || args.includes('--help')) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let options: MigrateFlags;
  try {
    options = migrateFlags(parseCommandFlags(args, MIGRATE_FLAGS, false));
  } catch (error) {
    err(messageOf(error));
    err(`\n${USAGE}`);
    return 1;
  }
  let config: MigrateConfig;
  try {
    const loaded = await loadMigrateConfigFile(options.configPath);
    for (const warning of loaded.warnings) err(`warning: ${warning}`);
    config = loaded.config;
  } catch (error) {
    err(`Error loading configuration: ${messageOf(error)}`);
    return 1;
  }
  try {
    return await migrate(config, options, io);
  } catch (error) {
    err(`Error migrating: ${messageOf(error)}`);
    return 2;
  }
}

const MIGRATE_FLAGS = { values: ['config', 'start', 'max-parallel', 'log-level'], booleans: ['reset'] };

interface MigrateFlags {
  readonly configPath: string;
  readonly startKey?: string;
  readonly reset: boolean;
  readonly maxParallel: number;
  readonly logLevel: LogLevel;
}

function migrateFlags(flags: ParsedFlags): MigrateFlags {
  if (flags.positional.length > 0) throw usageError(`Too many arguments (expected 0, got ${flags.positional.length})`);
  const configPath = flags.values.get('config');
  if (configPath === undefined || configPath === '') throw usageError('Must specify exactly one config path using -config');
  const maxParallel = intFlag(flags, 'max-parallel', DEFAULT_MAX_PARALLEL);
  if (maxParallel < 1) throw usageError('Argument to flag -max-parallel must be positive');
  const logLevel = flags.values.get('log-level') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw usageError(`Invalid log level ${JSON.stringify(logLevel)}: expected ${LOG_LEVELS.join(', ')}`);
  const startKey = flags.values.get('start');
  return {
    configPath,
    reset: flags.booleans.has('reset'),
    maxParallel,
    logLevel: logLevel as LogLevel,
    ...(startKey === undefined || startKey === '' ? {} : { startKey }),
  };
}

async function migrate(config: MigrateConfig, options: MigrateFlags, io: CommandIo): Promise<number> {
  const logger = createLogger({ level: options.logLevel, name: 'sealbox-migrate' });
  const source = await createStorage(config.source, logger.child({ side: 'source' }));
  let destination: Storage | undefined;
  try {
    if (options.reset) {
      await resetMigration(source);
      io.stdout.write('Success! Migration lock reset (if it was set).\n');
      return 0;
    }
    destination = await createStorage(config.destination, logger.child({ side: 'destination' }));
    const result = await copyWithProgress(source, destination, options, io);
    if (result.resumeFrom !== undefined) {
      io.stderr.write(
        `Migration interrupted after ${result.copied} of ${result.total} keys; ` +
          `resume with -start ${JSON.stringify(result.resumeFrom)}\n`,
      );
      return 2;
    }
    io.stdout.write(
      `Success! All of the keys have been migrated: ${result.copied} keys copied from ${source.type} to ${destination.type}.\n`,
    );
    return 0;
  } finally {
    await Promise.allSettled([source.close(), destination?.close()]);
  }
}

/** Ctrl-C stops between keys, so the source's migration lock is removed and the resume key known. */
async function copyWithProgress(source: Storage, destination: Storage, options: MigrateFlags, io: CommandIo): Promise<MigrationResult> {
  const interrupt = new AbortController();
  const stop = (): void => interrupt.abort();
  io.signals.on('SIGINT', stop);
  io.signals.on('SIGTERM', stop);
  const progress = progressReporter(io.stderr);
  try {
    return await migrateStorage({
      source,
      destination,
      maxParallel: options.maxParallel,
      signal: interrupt.signal,
      onStart: (total) => progress.start(total),
      onCopied: (copied) => progress.copied(copied),
      ...(options.startKey === undefined ? {} : { startKey: options.startKey }),
    });
  } finally {
    progress.stop();
    io.signals.off('SIGINT', stop);
    io.signals.off('SIGTERM', stop);
  }
}

function usageError(message: string): SealboxError {
  return new SealboxError('invalid_request', message);
}
