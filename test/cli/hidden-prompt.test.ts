import test from 'ava';
import { startServerProcess, tempDir, writeServerConfig } from '../helpers/server-process.ts';
import { tableValue } from './run-cli.ts';
import { runOnTerminal } from './terminal.ts';

test('operator unseal without KEY prompts on the terminal and never shows the key', async (t) => {
  const dir = await tempDir();
  const server = await startServerProcess(['-config', await writeServerConfig(dir.path, 'storage "inmem" {}')]);
  t.teardown(async () => {
    await server.stop();
    await dir.remove();
  });
  const init = await fetch(`${server.url}/v1/sys/init`, { method: 'PUT', body: JSON.stringify({ secret_shares: 1, secret_threshold: 1 }) });
  const [key = ''] = ((await init.json()) as { keys: string[] }).keys;

  const session = runOnTerminal(['operator', 'unseal'], { VAULT_ADDR: server.url });
  await session.waitFor('Unseal Key (will be hidden): ');
  session.type(`${key}\r`);
  const { code, screen } = await session.finished;
  t.is(code, 0, screen);
  t.false(screen.includes(key), 'the typed key is not echoed');
  t.is(tableValue(screen.replace(/\r/g, ''), 'Sealed'), 'false');
});
