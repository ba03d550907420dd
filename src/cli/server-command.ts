import { devConfig } from '../server/config/dev-config.ts';
import { loadConfigFile } from '../server/config/load-config.ts';
import type { ServerConfig } from '../server/config/server-config.ts';
import type { RunningServer } from '../server/main.ts';
import { startServer } from '../server/main.ts';
import { createLogger } from '../lib/logger.ts';
import { uuid } from '../lib/random-id.ts';
import { parseFlags } from './flags.ts';
import type { CommandIo } from './command-io.ts';

const DEFAULT_DATA_DIR = 'sealbox-data';

const USAGE = `Usage: sealbox server [-config FILE] [-dev] [-dev-listen-address ADDR] [-log-level LEVEL]

  -config FILE              HCL or JSON server config, as Vault's
  -dev                      in-memory, initialized and unsealed, root token printed
  -dev-listen-address ADDR  listen address in dev mode (default 127.0.0.1:8200)
  -log-level LEVEL          trace, debug, info, warn or error

Without -config or -dev the server keeps its data in ./${DEFAULT_DATA_DIR} and listens on
127.0.0.1:8200 without TLS.`;

/** `sealbox server`: runs until SIGINT or SIGTERM. Returns the process exit code. */
export async function serverCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const flags = parseFlags(args, new Set(['dev', 'help', 'h']));
  if (flags.booleans.has('help') || flags.booleans.has('h')) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dev = flags.booleans.has('dev');
  const config = await chooseConfig(flags.values.get('config'), dev, flags.values.get('dev-listen-address'), io);
  const logLevel = (flags.values.get('log-level') ?? config.logLevel) as ServerConfig['logLevel'];
  const server = await startServer(config, createLogger({ level: logLevel, name: 'sealbox' }), { signals: io.signals, stdout: io.stdout });
  if (dev) await becomeDevServer(server, io);
  await waitForSignal(io);
  await server.stop();
  return 0;
}

async function chooseConfig(path: string | undefined, dev: boolean, devAddress: string | undefined, io: CommandIo): Promise<ServerConfig> {
  if (dev) return devConfig(devAddress);
  if (path === undefined) return embeddedDefaultConfig();
  const { config, warnings } = await loadConfigFile(path, io.env);
  for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
  return config;
}

/** The embedded default: file storage in the working directory, plain HTTP on loopback. */
function embeddedDefaultConfig(): ServerConfig {
  const base = devConfig();
  return Object.freeze({ ...base, storage: Object.freeze({ type: 'file', path: DEFAULT_DATA_DIR }) });
}

async function becomeDevServer(server: RunningServer, io: CommandIo): Promise<void> {
  const { core, listeners } = server;
  const init = await core.initialize({ secretShares: 1, secretThreshold: 1 });
  const [unsealKey] = init.keys_base64;
  await core.submitUnsealKey(unsealKey, false);
  await core.handleRequest({
    id: uuid(),
    operation: 'update',
    path: 'sys/mounts/secret',
    data: { type: 'kv', options: { version: '2' }, description: 'key/value secret storage' },
    clientToken: init.root_token,
    remoteAddress: '127.0.0.1',
    remotePort: 0,
  });
  const address = listeners[0]?.url ?? '';
  io.stdout.write(`WARNING! dev mode is enabled! In this mode, Sealbox runs entirely in-memory
and starts unsealed with a single unseal key. Never use it in production.

You may need to set the following environment variables:

    $ export VAULT_ADDR='${address}'

The unseal key and root token are displayed below in case you want to
seal/unseal the server or re-authenticate.

Unseal Key: ${unsealKey ?? ''}
Root Token: ${init.root_token}

Development mode should NOT be used in production installations!
`);
}

function waitForSignal(io: CommandIo): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      io.signals.off('SIGINT', done);
      io.signals.off('SIGTERM', done);
      resolve();
    };
    io.signals.on('SIGINT', done);
    io.signals.on('SIGTERM', done);
  });
}
