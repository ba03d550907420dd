import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { parseDurationMs } from '../lib/duration.ts';
import { SealboxError } from '../lib/errors.ts';
import { createLogger } from '../lib/logger.ts';
import type { LoggerOptions } from '../lib/logger.ts';
import type { CommandIo } from './command-io.ts';
import { parseFlags } from './flags.ts';
import { loadKubeConfig } from './kube-config.ts';

const USAGE = `Usage: sealbox operator [run] [options]

  Runs the Kubernetes operator: reconciles VaultCluster resources (sealbox.dev/v1alpha1) into
  initialized, unsealed, highly available Sealbox clusters on etcd. Runs until SIGINT or SIGTERM;
  exits with status 1 when another replica takes over the leader lease.

Options:
  -kubeconfig FILE        kubeconfig to use; in-cluster config when running in a pod, else
                          KUBECONFIG or ~/.kube/config
  -namespace NS           watch only this namespace (default: all namespaces)
  -listen ADDR            address of /healthz, /readyz and /metrics (default 0.0.0.0:8080)
  -leader-elect=false     do not elect a leader (run a single replica only)
  -lease-namespace NS     namespace of the leader Lease (default: POD_NAMESPACE, -namespace, or default)
  -lease-name NAME        name of the leader Lease (default sealbox-operator)
  -workers N              clusters reconciled at once (default 2)
  -resync DURATION        periodic reconcile of settled clusters (default 30s)
  -log-level LEVEL        trace, debug, info, warn or error (default info)`;

/** `sealbox operator run`: the controller, until a signal or the loss of leadership. */
export async function operatorRunCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const flags = parseFlags(args, new Set(['help', 'h', 'leader-elect']));
  if (flags.booleans.has('help') || flags.booleans.has('h')) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const value = (name: string) => flags.values.get(name);
  const logLevel = (value('log-level') ?? 'info') as LoggerOptions['level'];
  const workers = positiveInt(value('workers') ?? '2', 'workers');
  const resyncMs = duration(value('resync') ?? '30s', 'resync');
  const logger = createLogger({ level: logLevel, name: 'sealbox-operator' });
  const kubeConfig = loadKubeConfig(value('kubeconfig'), io.env);
  const namespace = value('namespace');
  const leaderElect = !args.some((arg) => /^--?leader-elect=false$/.test(arg));
  const identity = `${io.env['POD_NAME'] ?? hostname()}-${randomBytes(4).toString('hex')}`;
  const { startOperator } = await import('../operator/main.ts');
  const operator = await startOperator({
    kubeConfig,
    ...(namespace === undefined ? {} : { namespace }),
    listen: value('listen') ?? '0.0.0.0:8080',
    leaderElection: {
      enabled: leaderElect,
      namespace: value('lease-namespace') ?? io.env['POD_NAMESPACE'] ?? namespace ?? 'default',
      name: value('lease-name') ?? 'sealbox-operator',
      identity,
    },
    workers,
    resyncMs,
    logger,
    env: io.env,
  });
  const signalled = new Promise<'signal'>((resolve) => {
    const done = () => {
      io.signals.off('SIGINT', done);
      io.signals.off('SIGTERM', done);
      resolve('signal');
    };
    io.signals.on('SIGINT', done);
    io.signals.on('SIGTERM', done);
  });
  const outcome = await Promise.race([signalled, operator.done]);
  logger.info(outcome === 'lost' ? 'leadership lost: exiting' : 'stopping');
  await operator.stop();
  return outcome === 'lost' ? 1 : 0;
}

function positiveInt(text: string, name: string): number {
  const parsed = Number(text);
  if (!Number.isInteger(parsed) || parsed < 1) throw new SealboxError('invalid_request', `-${name}: expected a positive integer, got "${text}"`);
  return parsed;
}

function duration(text: string, name: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) throw new SealboxError('invalid_request', `-${name}: expected a duration such as 30s, got "${text}"`);
  return ms;
}
