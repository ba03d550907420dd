import test from 'ava';
import { mkdir } from 'node:fs/promises';
import { tempDir, writeServerConfig } from '../../helpers/server-process.ts';
import type { ServerProcess } from '../../helpers/server-process.ts';
import { callApi } from '../helpers/api-server.ts';
import { startServerOnTinyDisk } from '../helpers/tiny-disk-server.ts';

const MAX_WRITES = 2000;
const VALUE = 'v'.repeat(8 * 1024);

test('file storage on a full disk: writes fail with a clear 503, reads and the server go on, space freed means writes work', async (t) => {
  const dir = await tempDir();
  t.teardown(dir.remove);
  const dataDir = `${dir.path}/data`;
  await mkdir(dataDir);
  const config = await writeServerConfig(dir.path, `storage "file" {\n  path = "${dataDir}"\n}`);
  const server = await startServerOnTinyDisk(dataDir, '1m', config);
  t.teardown(server.stop);
  // callApi only needs the URL.
  const node = { url: server.url } as ServerProcess;
  const init = await callApi(node, 'PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 }, '');
  t.is((await callApi(node, 'PUT', 'sys/unseal', { key: init.json['keys'][0] }, '')).json['sealed'], false);
  const call = (method: string, path: string, body?: unknown) => callApi(node, method, path, body, init.json['root_token']);
  t.is((await call('POST', 'sys/mounts/kv', { type: 'kv' })).status, 204);

  const written: string[] = [];
  let refusal: { status: number; errors: string[] } | undefined;
  for (let i = 0; i < MAX_WRITES && refusal === undefined; i++) {
    const answer = await call('PUT', `kv/fill-${i}`, { value: `${i}:${VALUE}` });
    if (answer.status === 204) written.push(`fill-${i}`);
    else refusal = { status: answer.status, errors: answer.json['errors'] };
  }
  t.true(written.length > 10, 'the disk held some writes');
  t.deepEqual(refusal, { status: 503, errors: ['storage unavailable: writing an entry failed (ENOSPC: no space left on device)'] });
  const failedKey = `fill-${written.length}`;
  t.is((await call('GET', `kv/${failedKey}`)).status, 404, 'the failed write left nothing behind');
  t.is((await call('PUT', `kv/${written[0]}`, { value: `overwrite:${VALUE}` })).status, 503, 'an overwrite fails too');
  for (const key of written) {
    const read = await call('GET', `kv/${key}`);
    t.is(read.json['data']?.value, `${key.slice('fill-'.length)}:${VALUE}`, `${key} reads back whole`);
  }
  t.true(server.alive());

  for (const key of written.slice(-20)) t.is((await call('DELETE', `kv/${key}`)).status, 204);
  t.is((await call('PUT', 'kv/after-freeing', { value: 'fits again' })).status, 204);
  t.is((await call('GET', 'kv/after-freeing')).json['data']?.value, 'fits again');
  const logged = server.output().split('\n').filter((line) => line.includes('"msg":"request failed"'));
  t.true(logged.every((line) => line.includes('storage unavailable: writing an entry failed (ENOSPC')), 'only the full disk was logged');
});
