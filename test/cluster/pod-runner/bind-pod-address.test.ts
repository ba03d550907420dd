import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const PRELOAD = new URL('./bind-pod-address.ts', import.meta.url).href;
const LISTEN_AND_REPORT = `
const net = require('node:net');
const forms = [(s, cb) => s.listen(0, cb), (s, cb) => s.listen(0, '0.0.0.0', cb), (s, cb) => s.listen({ port: 0, host: '::' }, cb), (s, cb) => s.listen(0, '127.0.0.1', cb)];
(async () => {
  const out = [];
  for (const form of forms) {
    const server = net.createServer();
    await new Promise((resolve) => form(server, resolve));
    out.push(server.address().address);
    server.close();
  }
  console.log(JSON.stringify(out));
})();
`;

test('a listen on every address is narrowed to the pod address; an explicit address is kept', async (t) => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', PRELOAD, '-e', LISTEN_AND_REPORT], {
    env: { ...process.env, SEALBOX_POD_IP: '127.42.0.7' },
  });
  t.deepEqual(JSON.parse(stdout), ['127.42.0.7', '127.42.0.7', '127.42.0.7', '127.0.0.1']);
});
