import test from 'ava';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { startApiServer } from '../helpers/api-server.ts';

const TRICKLE_MS = 200;
// A hang guard, not a speed requirement: the server must cut the client off long before this.
const MAX_TRICKLES = 150;

interface Trickled {
  /** Whether the server closed the connection while the client was still sending. */
  readonly closedByServer: boolean;
  readonly received: string;
}

/** Sends `head` then `drip` one byte at a time, forever (bounded), until the server hangs up. */
function trickle(url: string, head: string, drip: string): Promise<Trickled> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    let received = '';
    let closed = false;
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
    });
    socket.on('connect', async () => {
      socket.write(head);
      for (let i = 0; i < MAX_TRICKLES && !closed; i++) {
        await delay(TRICKLE_MS);
        if (!closed) socket.write(drip[i % drip.length]!);
      }
      const closedByServer = closed;
      socket.destroy();
      resolve({ closedByServer, received });
    });
  });
}

test('slowloris: clients trickling headers are cut off by http_read_header_timeout while others are served', async (t) => {
  t.timeout(120_000);
  const { server, call } = await startApiServer(t, 'listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n  http_read_header_timeout = "1s"\n}\n');
  // The config above adds a second listener; the first (from the helper) has the default timeout.
  const slowUrl = listenerUrls(server.output())[1]!;
  const attackers = Array.from({ length: 20 }, () => trickle(slowUrl, 'GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n', 'X-Slow: aaaaaaaa\r\n'));
  await delay(500);
  t.is((await call('GET', 'sys/health')).status, 200, 'the server answers others during the attack');
  const results = await Promise.all(attackers);
  for (const result of results) {
    t.true(result.closedByServer, 'the server hung up on the slow client');
    t.regex(result.received, /^(HTTP\/1\.1 408|$)/, 'with 408 or nothing');
  }
});

test('a body that stops arriving is cut off by max_request_duration with 408, and nothing is written', async (t) => {
  t.timeout(120_000);
  const { server, call, rootToken } = await startApiServer(t, 'listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n  max_request_duration = "2s"\n}\n');
  t.is((await call('POST', 'sys/mounts/kv', { type: 'kv' })).status, 204);
  const slowUrl = listenerUrls(server.output())[1]!;
  const head = `PUT /v1/kv/slow HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${rootToken}\r\nContent-Length: 100000\r\n\r\n{"value":"`;
  const result = await trickle(slowUrl, head, 'a');
  t.true(result.closedByServer);
  t.regex(result.received, /^(HTTP\/1\.1 408|$)/);
  t.is((await call('GET', 'kv/slow')).status, 404);
});

test('JSON bodies past the listener limits are 400 with the limit named; within them they are stored', async (t) => {
  const limits = 'max_json_depth = 4\n  max_json_string_value_length = 16\n  max_json_object_entry_count = 3\n  max_json_array_element_count = 2';
  const { server, call, rootToken } = await startApiServer(t, `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n  ${limits}\n}\n`);
  t.is((await call('POST', 'sys/mounts/kv', { type: 'kv' })).status, 204);
  const limitedUrl = listenerUrls(server.output())[1]!;
  const put = async (body: unknown) => {
    const response = await fetch(`${limitedUrl}/v1/kv/x`, { method: 'PUT', headers: { 'X-Vault-Token': rootToken }, body: JSON.stringify(body) });
    return { status: response.status, text: await response.text() };
  };
  t.is((await put({ a: { b: { c: { d: 1 } } } })).status, 204, 'four nested objects fit');
  t.is((await put({ a: 'x'.repeat(16), b: [1, 2], c: {} })).status, 204);
  const refused: Array<[unknown, string]> = [
    [{ a: { b: { c: { d: { e: 1 } } } } }, 'nesting depth exceeds the maximum of 4'],
    [{ a: 'x'.repeat(17) }, 'string value exceeds the maximum length of 16'],
    [{ a: 1, b: 2, c: 3, d: 4 }, 'object exceeds the maximum of 3 entries'],
    [{ a: [1, 2, 3] }, 'array exceeds the maximum of 2 elements'],
  ];
  for (const [body, reason] of refused) {
    t.deepEqual(await put(body), { status: 400, text: JSON.stringify({ errors: [`failed to parse JSON input: ${reason}`] }) });
  }
  const deep = await call('PUT', 'kv/deep', JSON.parse(`{"a":${'['.repeat(501)}${']'.repeat(501)}}`));
  t.deepEqual(deep.json, { errors: ['failed to parse JSON input: nesting depth exceeds the maximum of 500'] }, "Vault's default depth on the other listener");
});

function listenerUrls(output: string): string[] {
  return [...output.matchAll(/"msg":"listening".*?"address":"([^"]+)"|"address":"([^"]+)".*?"msg":"listening"/g)].map((match) => match[1] ?? match[2]!);
}
