import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { SealboxError } from '../../../src/lib/errors.ts';
import { configFormatOf, loadConfigFile } from '../../../src/server/config/load-config.ts';

const HCL = 'listener "tcp" {\n  tls_disable = true\n}\nstorage "file" {\n  path = "data"\n}\n';
const JSON_TEXT = '{"listener": {"tcp": {"tls_disable": true}}, "storage": {"file": {"path": "data"}}}';

test('loads HCL and JSON files, by extension or by sniffing the text', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const files: ReadonlyArray<readonly [string, string]> = [
    ['server.hcl', HCL],
    ['server.json', JSON_TEXT],
    ['server.conf', HCL],
    ['server', JSON_TEXT],
  ];
  for (const [name, text] of files) {
    const path = join(dir, name);
    await writeFile(path, text);
    const { config } = await loadConfigFile(path);
    t.deepEqual(config.storage, { type: 'file', path: 'data' }, name);
  }
});

test('passes the environment through', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'server.hcl');
  await writeFile(path, HCL);
  const { config } = await loadConfigFile(path, { VAULT_LOG_LEVEL: 'trace' });
  t.is(config.logLevel, 'trace');
});

test('a syntax error names the file it is in', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'broken.hcl');
  await writeFile(path, 'listener "tcp" {\n');
  const error = await t.throwsAsync(loadConfigFile(path), { instanceOf: SealboxError });
  t.true(error?.message.includes(`${path}:`), error?.message);
});

test('a missing file is a config_invalid error', async (t) => {
  const error = await t.throwsAsync(loadConfigFile('/nonexistent/sealbox.hcl'), { instanceOf: SealboxError });
  t.is(error?.code, 'config_invalid');
  t.regex(error?.message ?? '', /^cannot read configuration file \/nonexistent\/sealbox\.hcl: ENOENT/);
});

test('format detection', (t) => {
  t.is(configFormatOf('a.HCL', '{'), 'hcl');
  t.is(configFormatOf('a.json', 'x = 1'), 'json');
  t.is(configFormatOf('a.conf', '\n  {"ui": true}'), 'json');
  t.is(configFormatOf('a', 'ui = true'), 'hcl');
});
