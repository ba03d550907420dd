import test from 'ava';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/server-process.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

test('a config file with several errors stops the server with every problem and its path, no stack trace', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const path = join(dir.path, 'bad.hcl');
  await writeFile(path, [
    'listener "tcp" {',
    '  address = "nowhere"',
    '  tls_disable = "perhaps"',
    '}',
    'storage "etcd" {',
    '  address = "127.0.0.1:2379"',
    '  password = "hunter2-very-secret"',
    '  request_timeout = "5 parsecs"',
    '}',
    'log_level = "loud"',
  ].join('\n'));
  const error = await t.throwsAsync(promisify(execFile)(process.execPath, [CLI, 'server', '-config', path], { timeout: 30_000 }));
  const { code, stderr } = error as Error & { code: number; stderr: string };
  t.is(code, 1);
  for (const fragment of ['listener.tcp[0].address', 'listener.tcp[0].tls_disable', 'storage.etcd.address', 'storage.etcd.request_timeout', 'log_level']) {
    t.true(stderr.includes(fragment), `${fragment} in:\n${stderr}`);
  }
  t.false(stderr.includes('hunter2-very-secret'));
  t.notRegex(stderr, /\n\s+at /, 'no stack trace');
});

test('a config file that does not parse names the line', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const path = join(dir.path, 'broken.hcl');
  await writeFile(path, 'storage "file" {\n  path = \n');
  const error = await t.throwsAsync(promisify(execFile)(process.execPath, [CLI, 'server', '-config', path], { timeout: 30_000 }));
  const { code, stderr } = error as Error & { code: number; stderr: string };
  t.is(code, 1);
  t.regex(stderr, /broken\.hcl:\d+/);
});
