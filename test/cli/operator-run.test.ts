import test from 'ava';
import { runCli } from './run-cli.ts';

test('`sealbox operator run -help` documents the controller; the Vault-style subcommands stay listed', async (t) => {
  const run = await runCli(['operator', 'run', '-help']);
  t.is(run.code, 0);
  t.regex(run.stdout, /^Usage: sealbox operator \[run\] \[options\]/);
  t.regex(run.stdout, /-kubeconfig FILE/);
  t.regex(run.stdout, /-namespace NS/);
  const help = await runCli(['operator', '-help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /run +Runs the Kubernetes operator \(the default\)/);
  t.regex(help.stdout, /unseal +Unseals the server/);
});

test('bad flags of the operator are refused before any connection', async (t) => {
  const workers = await runCli(['operator', '-workers', '0']);
  t.is(workers.code, 1);
  t.regex(workers.stderr, /-workers: expected a positive integer, got "0"/);
  const resync = await runCli(['operator', 'run', '-resync', 'often']);
  t.is(resync.code, 1);
  t.regex(resync.stderr, /-resync: expected a duration such as 30s, got "often"/);
});
