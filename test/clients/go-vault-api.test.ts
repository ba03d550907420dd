import test from 'ava';
import type { ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startEtcd } from '../helpers/etcd.ts';
import { startUnsealedServer, tempDir, writeServerConfig } from '../helpers/server-process.ts';

const CLIENT = fileURLToPath(new URL('../../.cache/bin/go-vault-api', import.meta.url));

/** The Go program prints check -> "ok" or the failure; every check must be ok. */
async function goClientFlows(t: ExecutionContext, storageBlock: (dir: string) => Promise<string>) {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const config = await writeServerConfig(dir.path, await storageBlock(dir.path));
  const { server, rootToken } = await startUnsealedServer(['-config', config]);
  t.teardown(() => server.stop({ kill: true }));
  const { stdout } = await promisify(execFile)(CLIENT, [], {
    env: { ...process.env, VAULT_ADDR: server.url, VAULT_TOKEN: rootToken },
    timeout: 120_000,
  });
  const checks = JSON.parse(stdout) as Record<string, string>;
  t.true(Object.keys(checks).length >= 15, 'every check ran');
  for (const [name, result] of Object.entries(checks)) t.is(result, 'ok', name);
}

test('the Go vault/api client works against file storage', goClientFlows, async (dir) => `storage "file" {\n  path = "${dir}/data"\n}`);

test('the Go vault/api client works against etcd storage', async (t) => {
  const etcd = await startEtcd();
  t.teardown(etcd.stop);
  await goClientFlows(t, async () => `storage "etcd" {\n  address = "${etcd.endpoint}"\n  path = "/go-client/"\n}`);
});
