import test from 'ava';
import type { ExecutionContext } from 'ava';
import { startServerProcess, tempDir, writeServerConfig } from '../helpers/server-process.ts';
import type { InitOutput } from './run-cli.ts';
import { parseInitOutput, runCli, tableValue } from './run-cli.ts';
import { runOnTerminal } from './terminal.ts';

interface Cluster extends InitOutput {
  cli(args: string[], options?: { token?: boolean; input?: string }): ReturnType<typeof runCli>;
  readonly url: string;
}

/** A server initialized by the CLI with 3 shares and a threshold of 2, and unsealed. */
async function unsealedServer(t: ExecutionContext): Promise<Cluster> {
  const dir = await tempDir();
  const server = await startServerProcess(['-config', await writeServerConfig(dir.path, `storage "file" {\n  path = "${dir.path}/data"\n}`)]);
  t.teardown(async () => {
    await server.stop();
    await dir.remove();
  });
  const init = await runCli(['operator', 'init', '-key-shares=3', '-key-threshold=2'], { env: { VAULT_ADDR: server.url } });
  t.is(init.code, 0, init.stderr);
  const { keys, rootToken } = parseInitOutput(init.stdout);
  const cli: Cluster['cli'] = (args, options = {}) =>
    runCli(args, {
      env: { VAULT_ADDR: server.url, ...(options.token === true ? { VAULT_TOKEN: rootToken } : {}) },
      ...(options.input === undefined ? {} : { input: options.input }),
    });
  for (const key of keys.slice(0, 2)) t.is((await cli(['operator', 'unseal', key])).code, 0);
  return { keys, rootToken, cli, url: server.url };
}

test('key-status and rotate print the keyring term; rotate moves it on', async (t) => {
  const { cli } = await unsealedServer(t);
  const before = await cli(['operator', 'key-status'], { token: true });
  t.is(before.code, 0, before.stderr);
  t.is(tableValue(before.stdout, 'Key Term'), '1');
  t.regex(tableValue(before.stdout, 'Install Time') ?? '', /^\d{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2} UTC$/);
  t.regex(tableValue(before.stdout, 'Encryption Count') ?? '', /^\d+$/);

  const rotated = await cli(['operator', 'rotate'], { token: true });
  t.is(rotated.code, 0, rotated.stderr);
  t.regex(rotated.stdout, /^Success! Rotated key\n\nKey Term {2,}2\n/);
  const json = await cli(['operator', 'key-status', '-format=json'], { token: true });
  const status = JSON.parse(json.stdout) as { term: number; install_time: string; encryptions: number };
  t.is(status.term, 2);
  t.false(Number.isNaN(Date.parse(status.install_time)));

  const denied = await cli(['operator', 'rotate']);
  t.is(denied.code, 2);
  t.regex(denied.stderr, /^Error rotating key: .*Code: 403/s);
});

test('rekey backups: nothing to retrieve without PGP keys, and deleting is idempotent', async (t) => {
  const { cli } = await unsealedServer(t);
  const retrieved = await cli(['operator', 'rekey', '-backup-retrieve'], { token: true });
  t.is(retrieved.code, 2);
  t.regex(retrieved.stderr, /^Error retrieving rekey stored keys: .*URL: GET .*\/v1\/sys\/rekey\/backup\nCode: 400\. Errors:\n\n\* no backed-up keys found\n$/s);
  const deleted = await cli(['operator', 'rekey', '-backup-delete'], { token: true });
  t.is(deleted.code, 0, deleted.stderr);
  t.is(deleted.stdout, 'Success! Delete stored keys (if they existed)\n');
  const recovery = await cli(['operator', 'rekey', '-init', '-target=recovery']);
  t.is(recovery.code, 2);
  t.regex(recovery.stderr, /recovery rekeying not supported/);
  const unknown = await cli(['operator', 'rekey', '-status', '-target=hsm2']);
  t.is(unknown.code, 1);
  t.is(unknown.stderr, 'Unknown target: hsm2\n');
});

test('rekey: init, one share at a time with the nonce, new shares printed once and then the only ones that unseal', async (t) => {
  const { cli, keys, rootToken } = await unsealedServer(t);
  const idle = await cli(['operator', 'rekey', '-status']);
  t.is(idle.code, 0, idle.stderr);
  t.is(tableValue(idle.stdout, 'Started'), 'false');

  const notStarted = await cli(['operator', 'rekey', keys[0]!]);
  t.is(notStarted.code, 1);
  t.regex(notStarted.stderr, /^No rekey is in progress\. Start a rekey process by running "sealbox operator\srekey -init"\./);

  const init = await cli(['operator', 'rekey', '-init', '-key-shares=2', '-key-threshold=2']);
  t.is(init.code, 0, init.stderr);
  t.regex(init.stderr, /^WARNING! If you lose the keys after they are returned, there is no recovery/);
  const nonce = tableValue(init.stdout, 'Nonce') ?? '';
  t.regex(nonce, /^[0-9a-f-]{36}$/);
  t.is(tableValue(init.stdout, 'Rekey Progress'), '0/2');
  t.is(tableValue(init.stdout, 'New Shares'), '2');
  t.is(tableValue(init.stdout, 'New Threshold'), '2');

  const noNonce = await cli(['operator', 'rekey', keys[0]!]);
  t.is(noNonce.code, 1);
  t.is(noNonce.stderr, 'Missing nonce value: specify it via the -nonce flag\n');

  const first = await cli(['operator', 'rekey', '-nonce', nonce, keys[0]!]);
  t.is(first.code, 0, first.stderr);
  t.is(tableValue(first.stdout, 'Rekey Progress'), '1/2');
  // The last share comes on standard input ("-"), as a script would pass it.
  const done = await cli(['operator', 'rekey', `-nonce=${nonce}`, '-'], { input: `${keys[1]!}\n` });
  t.is(done.code, 0, done.stderr);
  const newKeys = [...done.stdout.matchAll(/^Key \d: (\S+)$/gm)].map((match) => match[1]!);
  t.is(newKeys.length, 2);
  t.regex(done.stdout, new RegExp(`^Operation nonce: ${nonce}$`, 'm'));
  t.regex(done.stdout, /Vault unseal keys rekeyed with 2 key shares and a key threshold of 2\./);
  for (const key of newKeys) t.false(done.stderr.includes(key));

  t.is((await cli(['operator', 'seal'], { token: true })).code, 0);
  t.is((await cli(['operator', 'unseal', keys[0]!])).code, 0);
  const old = await cli(['operator', 'unseal', keys[2]!]);
  t.is(old.code, 2, 'the old shares no longer unseal');
  t.regex(old.stderr, /^Error unsealing: /);
  for (const key of newKeys) t.is((await cli(['operator', 'unseal', key])).code, 0);
  const status = await cli(['status']);
  t.is(status.code, 0, 'the new shares unseal');
  t.is(tableValue(status.stdout, 'Total Shares'), '2');
  t.is(rootToken.length, 28);
});

test('rekey: cancel, and a share typed at the terminal prompt with the nonce shown', async (t) => {
  const { cli, keys, url } = await unsealedServer(t);
  t.is((await cli(['operator', 'rekey', '-init', '-n', '3', '-t', '2'])).code, 0);
  const cancelled = await cli(['operator', 'rekey', '-cancel']);
  t.is(cancelled.code, 0, cancelled.stderr);
  t.is(cancelled.stdout, 'Success! Canceled rekeying (if it was started)\n');
  t.is(tableValue((await cli(['operator', 'rekey', '-status'])).stdout, 'Started'), 'false');

  const init = await cli(['operator', 'rekey', '-init', '-key-shares=3', '-key-threshold=2']);
  const nonce = tableValue(init.stdout, 'Nonce') ?? '';
  const session = runOnTerminal(['operator', 'rekey'], { VAULT_ADDR: url });
  await session.waitFor('Unseal Key (will be hidden): ');
  session.type(`${keys[0]!}\r`);
  const { code, screen } = await session.finished;
  t.is(code, 0, screen);
  t.true(screen.includes(`Rekey operation nonce: ${nonce}`));
  t.false(screen.includes(keys[0]!), 'the typed key is not echoed');
  t.is(tableValue(screen.replace(/\r/g, ''), 'Rekey Progress'), '1/2');
});

test('generate-root: OTP, shares with the nonce, and a decoded token that works as root', async (t) => {
  const { cli, keys, url } = await unsealedServer(t);
  const idle = await cli(['operator', 'generate-root', '-status']);
  t.is(idle.code, 0, idle.stderr);
  t.is(tableValue(idle.stdout, 'Started'), 'false');
  t.is(tableValue(idle.stdout, 'OTP Length'), '28');

  const otp = await cli(['operator', 'generate-root', '-generate-otp']);
  t.is(otp.code, 0, otp.stderr);
  t.regex(otp.stdout, /^[0-9A-Za-z]{28}$/, 'piped, the OTP comes without a newline');

  const init = await cli(['operator', 'generate-root', '-init', `-otp=${otp.stdout}`]);
  t.is(init.code, 0, init.stderr);
  t.regex(init.stdout, /^Nonce {2,}[0-9a-f-]{36}\nStarted {2,}true\nProgress {2,}0\/2\nComplete {2,}false\nOTP Length {2,}28$/m);
  const nonce = tableValue(init.stdout, 'Nonce') ?? '';
  t.is((await cli(['operator', 'generate-root', '-nonce', nonce, keys[1]!])).code, 0);
  const done = await cli(['operator', 'generate-root', '-nonce', nonce, keys[2]!]);
  t.is(done.code, 0, done.stderr);
  t.is(tableValue(done.stdout, 'Complete'), 'true');
  const encoded = tableValue(done.stdout, 'Encoded Token') ?? '';
  t.not(encoded, '');

  const decoded = await cli(['operator', 'generate-root', `-decode=${encoded}`, '-otp', otp.stdout]);
  t.is(decoded.code, 0, decoded.stderr);
  t.regex(decoded.stdout, /^hvs\.[A-Za-z0-9]{24}$/);
  const lookup = await fetch(`${url}/v1/auth/token/lookup-self`, { headers: { 'X-Vault-Token': decoded.stdout } });
  t.is(lookup.status, 200);
  t.deepEqual(((await lookup.json()) as { data: { policies: string[] } }).data.policies, ['root']);

  const fromStdin = await cli(['operator', 'generate-root', '-decode=-', `-otp=${otp.stdout}`, '-format=json'], { input: encoded });
  t.deepEqual(JSON.parse(fromStdin.stdout), { token: decoded.stdout });
});

test('generate-root: a server-made OTP is shown once with a warning; cancel ends the attempt', async (t) => {
  const { cli } = await unsealedServer(t);
  const init = await cli(['operator', 'generate-root', '-init']);
  t.is(init.code, 0, init.stderr);
  t.regex(tableValue(init.stdout, 'OTP') ?? '', /^[0-9A-Za-z]{28}$/);
  t.regex(init.stderr, /A One-Time-Password has been generated for you/);
  const again = await cli(['operator', 'generate-root', '-init']);
  t.is(again.code, 2);
  t.regex(again.stderr, /root generation already in progress/);
  const cancelled = await cli(['operator', 'generate-root', '-cancel']);
  t.is(cancelled.stdout, 'Success! Root token generation canceled (if it was started)\n');
  t.is(tableValue((await cli(['operator', 'generate-root', '-status'])).stdout, 'Started'), 'false');
});

test('step-down needs sudo; on a node without HA it is a no-op that succeeds', async (t) => {
  const { cli, url } = await unsealedServer(t);
  const stepped = await cli(['operator', 'step-down'], { token: true });
  t.is(stepped.code, 0, stepped.stderr);
  t.is(stepped.stdout, `Success! Stepped down: ${url}\n`);
  t.is((await cli(['status'])).code, 0, 'still unsealed and serving');
});
