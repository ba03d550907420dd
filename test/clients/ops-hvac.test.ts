import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { useEtcd } from '../helpers/etcd.ts';
import { startOpsServer } from './ops-server.ts';

const PYTHON = fileURLToPath(new URL('../../.cache/venv/bin/python', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./hvac_ops.py', import.meta.url));
const etcd = useEtcd(test);

test('hvac rekeys, rotates and generates a root token on etcd', async (t) => {
  const server = await startOpsServer(t, etcd().endpoint);
  const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT], {
    env: { ...process.env, VAULT_ADDR: server.url, VAULT_TOKEN: server.rootToken, UNSEAL_KEYS: server.unsealKeys.join(',') },
    timeout: 120_000,
  });
  const steps = JSON.parse(stdout) as Array<[string, string]>;
  t.is(steps.length, 7, 'every step ran');
  for (const [name, result] of steps) t.is(result, 'ok', name);
});
