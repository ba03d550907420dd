import test from 'ava';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../helpers/server-process.ts';
import { callApi, eventually, startLineListener } from './audit-harness.ts';

const CLI = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('server logs are JSON lines at the level the config sets, and carry no secret when audit devices fail', async (t) => {
  const dir = await tempDir();
  const collector = await startLineListener();
  const port = await freePort();
  const config = join(dir.path, 'server.hcl');
  await writeFile(config, `listener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = true\n}\nstorage "file" {\n  path = "${dir.path}/data"\n}\ndisable_mlock = true\nlog_level = "error"\n`);
  const child = spawn(process.execPath, [CLI, 'server', '-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    child.kill('SIGKILL');
    await exited;
    await collector.close();
    await dir.remove();
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually('the server to listen', async () => ((await fetch(`${url}/v1/sys/health`).catch(() => undefined))?.status === 501 ? true : undefined));
  const init = await callApi(url, 'PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 }, '');
  const rootToken = init.body['root_token'] as string;
  const unsealKey = (init.body['keys'] as string[])[0]!;
  await callApi(url, 'PUT', 'sys/unseal', { key: unsealKey }, '');
  const call = (method: string, path: string, body?: unknown) => callApi(url, method, path, body, rootToken);
  t.is((await call('PUT', 'sys/audit/sock', { type: 'socket', options: { address: collector.address } })).status, 204);
  t.is((await call('PUT', 'sys/mounts/kv', { type: 'kv' })).status, 204);
  await collector.close();
  const secret = 'value-that-must-not-be-logged-7f3a';
  t.is((await call('PUT', 'kv/app', { password: secret })).status, 500);
  await eventually('the error lines', () => (stderr.includes('request failed') ? true : undefined));

  const lines = stderr.split('\n').filter((line) => line !== '');
  const parsed = lines.map((line) => JSON.parse(line) as { level: string; msg: string; time: string });
  t.true(parsed.every((entry) => entry.level === 'error' && typeof entry.msg === 'string' && typeof entry.time === 'string'), stderr);
  t.true(parsed.some((entry) => entry.msg === 'audit device failed to log the request'));
  t.false(stderr.includes('"msg":"unsealed"'), 'info lines are left out at level error');
  for (const value of [rootToken, unsealKey, secret]) t.false(stderr.includes(value));
});
