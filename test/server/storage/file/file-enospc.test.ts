import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';

const CHECK = join(import.meta.dirname, 'fixtures', 'enospc-check.ts');

/*
 * A real full disk: a 256 KiB tmpfs mounted in a private mount namespace (unshare maps the caller
 * to root there, so no privileges are needed on the host and nothing leaks out of the test).
 */
async function runOnTinyFileSystem(dir: string): Promise<string> {
  const script = 'mount -t tmpfs -o size=256k,mode=0700 sealbox-test "$1" && exec "$2" "$3" "$1"';
  const { stdout } = await promisify(execFile)(
    'unshare',
    ['--mount', '--map-root-user', 'sh', '-c', script, 'sh', dir, process.execPath, CHECK],
    { timeout: 60_000 },
  );
  return stdout;
}

test('file: a full disk fails writes with storage_unavailable and corrupts nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-file-enospc-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const observed = JSON.parse(await runOnTinyFileSystem(dir));

  t.true(observed.filled > 0, 'some writes fit before the disk filled up');
  t.is(observed.fillError.code, 'storage_unavailable');
  t.is(observed.fillError.message, 'storage unavailable: writing an entry failed (ENOSPC: no space left on device)');
  t.is(observed.overwriteError.code, 'storage_unavailable');
  t.is(observed.transactionError.code, 'storage_unavailable');
  t.deepEqual(
    observed.batchErrors.map((error: { code: string }) => error.code),
    ['storage_unavailable', 'storage_unavailable'],
    'writes applied together fail together',
  );
  t.deepEqual(observed.afterFailures, {
    a: 'value a',
    b: 'value b',
    c: 'value c',
    txn: [],
    topLevel: ['fill/', 'keep/'],
  });
  t.true(observed.transactionAfterFreeing, 'writes work again once space is freed');
  t.deepEqual(observed.afterReopen, { keys: ['keep/a', 'keep/b', 'keep/c', 'txn/x'], b: 'value b2' });
  t.deepEqual(observed.leftovers, []);
});
