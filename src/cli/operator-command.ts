import type { Command } from './client-command.ts';
import type { CommandIo } from './command-io.ts';

// Loaded when run, so that a quick `operator unseal` does not load the storage backends.
const SUBCOMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  'delete-cluster': async () => (await import('./operator-delete-cluster.ts')).operatorDeleteClusterCommand,
  'generate-root': async () => (await import('./operator-generate-root.ts')).operatorGenerateRootCommand,
  init: async () => (await import('./operator-init.ts')).operatorInitCommand,
  'key-status': async () => (await import('./operator-key-status.ts')).operatorKeyStatusCommand,
  migrate: async () => (await import('./operator-migrate.ts')).operatorMigrateCommand,
  rekey: async () => (await import('./operator-rekey.ts')).operatorRekeyCommand,
  rotate: async () => (await import('./operator-rotate.ts')).operatorRotateCommand,
  run: async () => (await import('./operator-run.ts')).operatorRunCommand,
  seal: async () => (await import('./operator-seal.ts')).operatorSealCommand,
  'step-down': async () => (await import('./operator-step-down.ts')).operatorStepDownCommand,
  unseal: async () => (await import('./operator-unseal.ts')).operatorUnsealCommand,
};

const USAGE = `Usage: sealbox operator <subcommand> [options] [args]

  Without a subcommand (or with run), runs the Kubernetes operator that reconciles VaultCluster
  resources. The other subcommands are the vault CLI's operator commands, against the server at
  VAULT_ADDR (migrate works on storage directly). Each subcommand takes -help.

Subcommands:
    delete-cluster   Deletes VaultClusters and waits until the operator has finalized them
    generate-root    Generates a new root token
    init             Initializes a server
    key-status       Provides information about the active encryption key
    migrate          Migrates Sealbox data between storage backends
    rekey            Generates new unseal keys
    rotate           Rotates the underlying encryption key
    run              Runs the Kubernetes operator (the default)
    seal             Seals the server
    step-down        Forces the active node to resign active duty
    unseal           Unseals the server`;

/** `sealbox operator <subcommand>`. */
export async function operatorCommand(args: readonly string[], io: CommandIo): Promise<number> {
  // No subcommand, or only flags: run the Kubernetes operator.
  if (args.length === 0 || (args[0]?.startsWith('-') === true && !['-h', '-help', '--help'].includes(args[0]))) return (await SUBCOMMANDS['run']!())(args, io);
  const [name, ...rest] = args;
  const load = name === undefined ? undefined : SUBCOMMANDS[name];
  if (load === undefined) {
    const asked = name === undefined || name === '-h' || name === '-help' || name === '--help';
    (asked ? io.stdout : io.stderr).write(`${USAGE}\n`);
    return asked ? 0 : 1;
  }
  return (await load())(rest, io);
}
