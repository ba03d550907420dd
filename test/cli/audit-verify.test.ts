import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAuditedServer } from '../server/audit/audit-harness.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sealbox(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

test('sealbox audit verify accepts a real log and finds an edited, a removed and an inserted line', async (t) => {
  const audited = await startAuditedServer();
  t.teardown(async () => {
    await audited.server.stop({ kill: true });
    await audited.dir.remove();
  });
  const { call, dir } = audited;
  const logPath = join(dir.path, 'audit.log');
  t.is((await call('PUT', 'sys/audit/file', { type: 'file', options: { file_path: logPath } })).status, 204);
  t.is((await call('PUT', 'sys/mounts/kv', { type: 'kv' })).status, 204);
  for (let n = 0; n < 4; n++) t.is((await call('PUT', `kv/item-${n}`, { n: String(n) })).status, 204);
  const chainKey = (await call('GET', 'sys/audit/file/chain-key')).body.data!['chain_key'] as string;
  const lines = (await readFile(logPath, 'utf8')).split('\n').filter((line) => line !== '');
  t.true(lines.length >= 12);
  const variant = async (name: string, texts: readonly string[]) => {
    const path = join(dir.path, name);
    await writeFile(path, `${texts.join('\n')}\n`);
    return path;
  };

  const intact = await sealbox(['audit', 'verify', '-chain-key', chainKey, logPath]);
  t.is(intact.code, 0, intact.stderr);
  t.regex(intact.stdout, /^chain intact: \d+ entries\n$/);

  const fetched = await sealbox(['audit', 'verify', '-device', 'file', logPath], { VAULT_ADDR: audited.server.url, VAULT_TOKEN: audited.rootToken });
  t.is(fetched.code, 0, fetched.stderr);

  const edited = [...lines];
  edited[5] = edited[5]!.replace('"operation":"', '"operation":"x');
  const editedRun = await sealbox(['audit', 'verify', '-chain-key', chainKey, await variant('edited.log', edited)]);
  t.is(editedRun.code, 2);
  t.regex(editedRun.stdout, /edited\.log line 6: altered \(the next entry does not chain from it\)\n/);

  const removedRun = await sealbox(['audit', 'verify', '-chain-key', chainKey, await variant('removed.log', [...lines.slice(0, 7), ...lines.slice(8)])]);
  t.is(removedRun.code, 2);
  t.regex(removedRun.stdout, /removed\.log line 8: 1 entry removed before this line\n/);

  const inserted = [...lines.slice(0, 9), lines[3]!, ...lines.slice(9)];
  const insertedRun = await sealbox(['audit', 'verify', '-chain-key', chainKey, await variant('inserted.log', inserted)]);
  t.is(insertedRun.code, 2);
  t.regex(insertedRun.stdout, /inserted\.log line 10: inserted \(not part of the device's chain\)\n/);
  t.regex(insertedRun.stdout, /chain broken: 1 problem\(s\) in \d+ entries\n$/);

  const wrongKey = await sealbox(['audit', 'verify', '-chain-key', 'ab'.repeat(32), logPath]);
  t.is(wrongKey.code, 2);
  t.regex(wrongKey.stdout, /this chain key is not the device's that wrote the log/);

  const tail = await variant('tail.log', lines.slice(4));
  t.regex((await sealbox(['audit', 'verify', '-chain-key', chainKey, tail])).stdout, /tail\.log line 1: the log starts at entry 5 of its chain/);
  t.is((await sealbox(['audit', 'verify', '-continued', '-chain-key', chainKey, tail])).code, 0);
  t.is((await sealbox(['audit', 'verify', '-chain-key', chainKey, await variant('head.log', lines.slice(0, 4)), tail])).code, 0, 'files given in order are one log');

  const missing = await sealbox(['audit', 'verify', '-chain-key', chainKey, join(dir.path, 'nope.log')]);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /Error: cannot read .*nope\.log/);
  const noKey = await sealbox(['audit', 'verify', logPath]);
  t.is(noKey.code, 1);
  t.regex(noKey.stderr, /exactly one of -chain-key or -device/);
  for (const run of [intact, fetched, editedRun, removedRun, insertedRun]) t.false(run.stdout.includes(audited.rootToken) || run.stderr.includes(audited.rootToken));
});
