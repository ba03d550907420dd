import test from 'ava';
import { startServerProcess, tempDir, writeServerConfig } from '../helpers/server-process.ts';
import { parseInitOutput, runCli, tableValue } from './run-cli.ts';

// One uninitialized server taken through the whole seal lifecycle by the CLI, step by step, as an
// operator without the vault CLI would: the steps depend on each other, so they are one test.
test('status, init, unseal and seal against a real server, with the vault CLI exit codes', async (t) => {
  const dir = await tempDir();
  const server = await startServerProcess(['-config', await writeServerConfig(dir.path, `storage "file" {\n  path = "${dir.path}/data"\n}`)]);
  t.teardown(async () => {
    await server.stop();
    await dir.remove();
  });
  const env = { VAULT_ADDR: server.url };
  const cli = (args: string[], extra: { env?: Record<string, string>; input?: string } = {}) =>
    runCli(args, { env: { ...env, ...extra.env }, ...(extra.input === undefined ? {} : { input: extra.input }) });

  const uninitialized = await cli(['status']);
  t.is(uninitialized.code, 2, uninitialized.stderr);
  t.regex(uninitialized.stdout, /^Key {2,}Value\n--- {2,}-----\n/);
  t.is(tableValue(uninitialized.stdout, 'Initialized'), 'false');
  t.is(tableValue(uninitialized.stdout, 'Sealed'), 'true');
  t.is(tableValue(uninitialized.stdout, 'Unseal Nonce'), 'n/a');
  t.is(tableValue(uninitialized.stdout, 'Storage Type'), 'file');
  t.is(tableValue(uninitialized.stdout, 'HA Enabled'), 'false');

  const notYet = await cli(['operator', 'init', '-status']);
  t.is(notYet.code, 2);
  t.is(notYet.stdout, 'Vault is not initialized\n');

  const init = await cli(['operator', 'init', '-key-shares=3', '-t', '2']);
  t.is(init.code, 0, init.stderr);
  const { keys, rootToken } = parseInitOutput(init.stdout);
  t.is(keys.length, 3);
  t.regex(rootToken, /^hvs\.[A-Za-z0-9]{24}$/);
  t.regex(init.stdout, /Vault initialized with 3 key shares and a key threshold of 2\./);
  t.false(init.stderr.includes(rootToken), 'the root token is never written to standard error');

  const initialized = await cli(['operator', 'init', '-status']);
  t.is(initialized.code, 0);
  t.is(initialized.stdout, 'Vault is initialized\n');
  const again = await cli(['operator', 'init']);
  t.is(again.code, 2);
  t.regex(again.stderr, /^Error initializing: Error making API request\.\n\nURL: PUT .*\/v1\/sys\/init\nCode: 400\. Errors:\n\n\* Vault is already initialized\n$/);

  const first = await cli(['operator', 'unseal', keys[0]!]);
  t.is(first.code, 0, first.stderr);
  t.is(tableValue(first.stdout, 'Sealed'), 'true');
  t.is(tableValue(first.stdout, 'Unseal Progress'), '1/2');
  t.regex(tableValue(first.stdout, 'Unseal Nonce') ?? '', /^[0-9a-f-]{36}$/);

  const reset = await cli(['operator', 'unseal', '-reset']);
  t.is(reset.code, 0, reset.stderr);
  t.is(tableValue(reset.stdout, 'Unseal Progress'), '0/2');

  // A key piped on standard input (no terminal to prompt on) keeps it out of the process list.
  t.is((await cli(['operator', 'unseal', keys[1]!])).code, 0);
  const second = await cli(['operator', 'unseal'], { input: `${keys[2]!}\n` });
  t.is(second.code, 0, second.stderr);
  t.is(tableValue(second.stdout, 'Sealed'), 'false');
  t.regex(tableValue(second.stdout, 'Cluster ID') ?? '', /^[0-9a-f-]{36}$/);

  const unsealed = await cli(['status']);
  t.is(unsealed.code, 0);
  t.is(tableValue(unsealed.stdout, 'Sealed'), 'false');
  t.is(tableValue(unsealed.stdout, 'Unseal Progress'), undefined, 'progress is shown only while sealed');
  const json = await cli(['status', '-format=json']);
  t.is(json.code, 0);
  const parsed = JSON.parse(json.stdout) as Record<string, unknown>;
  t.like(parsed, { type: 'shamir', initialized: true, sealed: false, t: 2, n: 3, ha_enabled: false });
  t.is((await cli(['status'], { env: { VAULT_FORMAT: 'json' } })).stdout, json.stdout);

  const denied = await cli(['operator', 'seal']);
  t.is(denied.code, 2);
  t.regex(denied.stderr, /^Error sealing: .*Code: 403\. Errors:\n\n\* permission denied\n$/s);
  const sealed = await cli(['operator', 'seal'], { env: { VAULT_TOKEN: rootToken } });
  t.is(sealed.code, 0, sealed.stderr);
  t.is(sealed.stdout, 'Success! Vault is sealed.\n');
  t.is((await cli(['status'])).code, 2);

  const badKey = await cli(['operator', 'unseal', 'not-a-key']);
  t.is(badKey.code, 2);
  t.regex(badKey.stderr, /\* 'key' must be a valid hex or base64 string/);
});

test('command-line mistakes exit 1 without calling a server', async (t) => {
  const unknownFlag = await runCli(['operator', 'init', '-bogus'], { env: { VAULT_ADDR: 'http://127.0.0.1:1' } });
  t.is(unknownFlag.code, 1);
  t.regex(unknownFlag.stderr, /^flag provided but not defined: -bogus\n/);
  const tooMany = await runCli(['status', 'extra'], { env: { VAULT_ADDR: 'http://127.0.0.1:1' } });
  t.is(tooMany.code, 1);
  t.regex(tooMany.stderr, /Too many arguments \(expected 0, got 1\)/);
  const badFormat = await runCli(['status', '-format=yaml'], { env: { VAULT_ADDR: 'http://127.0.0.1:1' } });
  t.is(badFormat.code, 1);
  t.regex(badFormat.stderr, /Invalid output format: yaml/);
  const unknownSubcommand = await runCli(['operator', 'frobnicate']);
  t.is(unknownSubcommand.code, 1);
  t.regex(unknownSubcommand.stderr, /Usage: sealbox operator <subcommand>/);
});

test('an unreachable server is an error: 1 for status (2 means sealed), 2 for the others', async (t) => {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  const env = { VAULT_ADDR: 'http://127.0.0.1:1' };
  const status = await runCli(['status'], { env });
  t.is(status.code, 1);
  t.regex(status.stderr, /^Error checking seal status: Get "http:\/\/127\.0\.0\.1:1\/v1\/sys\/seal-status": .*ECONNREFUSED/);
  const seal = await runCli(['operator', 'seal'], { env });
  t.is(seal.code, 2);
  t.regex(seal.stderr, /^Error sealing: Put "http:\/\/127\.0\.0\.1:1\/v1\/sys\/seal"/);
});
