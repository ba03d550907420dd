import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startEtcd } from '../helpers/etcd.ts';
import { startServerProcess, startUnsealedServer, tempDir, writeServerConfig } from '../helpers/server-process.ts';

const PYTHON = fileURLToPath(new URL('../../.cache/venv/bin/python', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./hvac_seal_lifecycle.py', import.meta.url));
const FLOWS = fileURLToPath(new URL('./hvac_flows.py', import.meta.url));

test('hvac initializes, unseals, checks health and seals a file-backed server', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const config = await writeServerConfig(dir.path, `storage "file" {\n  path = "${dir.path}/data"\n}`);
  const server = await startServerProcess(['-config', config]);
  t.teardown(() => server.stop({ kill: true }));

  const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT], {
    env: { ...process.env, VAULT_ADDR: server.url },
    timeout: 60_000,
  });
  const seen = JSON.parse(stdout) as Record<string, unknown>;
  t.like(seen, {
    initialized_before: false,
    initialized_after: true,
    sealed_after_init: true,
    init_twice: 'Vault is already initialized, on put http://' + server.url.slice('http://'.length) + '/v1/sys/init',
    progress_after_one: 1,
    progress_after_reset: 0,
    sealed_after_unseal: false,
    health_head: 200,
    health_get: false,
    leader_ha: false,
    unknown_path: 'InvalidRequest',
    seal_status_code: 204,
    sealed_at_end: true,
  });
  t.regex(seen['bad_key'] as string, /'key' must be a valid hex or base64 string/);
  t.regex(seen['sealed_request'] as string, /Vault is sealed/);
});

test('hvac runs the day-to-day flows against etcd storage', async (t) => {
  const etcd = await startEtcd();
  const dir = await tempDir();
  t.teardown(async () => {
    await etcd.stop();
    await dir.remove();
  });
  const config = await writeServerConfig(dir.path, `storage "etcd" {\n  address = "${etcd.endpoint}"\n  path = "/hvac/"\n}`);
  const { server, rootToken } = await startUnsealedServer(['-config', config]);
  t.teardown(() => server.stop({ kill: true }));
  const { stdout } = await promisify(execFile)(PYTHON, [FLOWS], {
    env: { ...process.env, VAULT_ADDR: server.url, VAULT_TOKEN: rootToken },
    timeout: 120_000,
  });
  const checks = JSON.parse(stdout) as Record<string, string>;
  t.true(Object.keys(checks).length >= 9, 'every check ran');
  for (const [name, result] of Object.entries(checks)) t.is(result, 'ok', name);
});
