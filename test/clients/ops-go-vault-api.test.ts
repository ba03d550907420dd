import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { useEtcd } from '../helpers/etcd.ts';
import { startOpsServer } from './ops-server.ts';

const CLIENT = fileURLToPath(new URL('../../.cache/bin/go-vault-ops', import.meta.url));
const etcd = useEtcd(test);

test('the Go vault/api client rekeys, rotates and generates a root token on etcd', async (t) => {
  const server = await startOpsServer(t, etcd().endpoint);
  const { stdout } = await promisify(execFile)(CLIENT, [], {
    env: { ...process.env, VAULT_ADDR: server.url, VAULT_TOKEN: server.rootToken, UNSEAL_KEYS: server.unsealKeys.join(',') },
    timeout: 120_000,
  });
  const steps = JSON.parse(stdout) as Array<{ name: string; result: string }>;
  t.is(steps.length, 11, 'every step ran');
  for (const { name, result } of steps) t.is(result, 'ok', name);
});
