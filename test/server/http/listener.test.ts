import test from 'ava';
import type { ExecutionContext } from 'ava';
import http from 'node:http';
import https from 'node:https';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import nodeVault from 'node-vault';
import { startListener } from '../../../src/server/http/listener.ts';
import type { ListenerOptions, RunningListener } from '../../../src/server/http/listener.ts';
import { collect, connect, exchange, parseResponses } from './raw-http-client.ts';
import { makeSelfSignedCert } from './self-signed-cert.ts';

const MiB = 1024 * 1024;
const ECHOED_BODY_LIMIT = MiB;

interface Echo {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  bodyBytes: number;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  encrypted: boolean;
}

/** Reports what reached the handler as JSON, after ?delayMs=N; /download streams ?bytes=N zero bytes. */
function testHandler(request: http.IncomingMessage, response: http.ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://placeholder');
  if (url.pathname === '/download') {
    void streamZeros(response, Number(url.searchParams.get('bytes')));
    return;
  }
  const chunks: Buffer[] = [];
  let bodyBytes = 0;
  request.on('data', (chunk: Buffer) => {
    bodyBytes += chunk.length;
    if (bodyBytes <= ECHOED_BODY_LIMIT) chunks.push(chunk);
  });
  request.on('end', () => {
    const socket = request.socket as Socket & { encrypted?: boolean };
    const echo: Echo = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('latin1'),
      bodyBytes,
      remoteAddress: socket.remoteAddress,
      remotePort: socket.remotePort,
      encrypted: socket.encrypted === true,
    };
    const json = JSON.stringify(echo);
    setTimeout(() => {
      response.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(json),
      });
      response.end(json);
    }, Number(url.searchParams.get('delayMs') ?? 0));
  });
}

async function streamZeros(response: http.ServerResponse, total: number): Promise<void> {
  const block = Buffer.alloc(64 * 1024);
  response.writeHead(200, { 'Content-Length': total });
  for (let sent = 0; sent < total; sent += block.length) {
    if (!response.write(block.subarray(0, Math.min(block.length, total - sent)))) {
      await once(response, 'drain');
    }
  }
  response.end();
}

async function start(
  t: ExecutionContext,
  options: Partial<ListenerOptions> = {},
): Promise<RunningListener> {
  const listener = await startListener({ host: '127.0.0.1', port: 0, handler: testHandler, ...options });
  t.teardown(() => listener.close());
  return listener;
}

interface ClientRequest {
  method?: string;
  path: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string | Buffer | AsyncIterable<Buffer>;
  agent?: http.Agent;
  ca?: Buffer;
}

interface ClientResponse {
  status: number;
  body: Buffer;
}

/** One request with Node's own client, which sends LIST as is. */
async function send(listener: RunningListener, spec: ClientRequest): Promise<ClientResponse> {
  const url = new URL(spec.path, listener.url);
  const options: https.RequestOptions = { method: spec.method ?? 'GET', headers: spec.headers ?? {} };
  if (spec.agent !== undefined) options.agent = spec.agent;
  if (spec.ca !== undefined) options.ca = spec.ca;
  const request = (url.protocol === 'https:' ? https : http).request(url, options);
  const responded = once(request, 'response') as Promise<[http.IncomingMessage]>;
  await writeBody(request, spec.body);
  const [response] = await responded;
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return { status: response.statusCode ?? 0, body: Buffer.concat(chunks) };
}

async function writeBody(request: http.ClientRequest, body: ClientRequest['body']): Promise<void> {
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
    request.end(body);
    return;
  }
  for await (const chunk of body) {
    if (!request.write(chunk)) await once(request, 'drain');
  }
  request.end();
}

async function sendForEcho(listener: RunningListener, spec: ClientRequest): Promise<Echo> {
  const response = await send(listener, spec);
  if (response.status !== 200) throw new Error(`status ${response.status}: ${response.body}`);
  return JSON.parse(response.body.toString()) as Echo;
}

async function* zeros(total: number): AsyncGenerator<Buffer> {
  const block = Buffer.alloc(64 * 1024);
  for (let sent = 0; sent < total; sent += block.length) yield block;
}

function chunkOf(data: string, extension = ''): string {
  return `${Buffer.byteLength(data, 'latin1').toString(16)}${extension}\r\n${data}\r\n`;
}

function echoOf(response: { body: string }): Echo {
  return JSON.parse(response.body) as Echo;
}

test('GET and POST pass through unchanged', async (t) => {
  const listener = await start(t);
  const get = await sendForEcho(listener, { path: '/v1/sys/health?standby=1', headers: { 'X-Vault-Token': 't' } });
  t.like(get, { method: 'GET', url: '/v1/sys/health?standby=1', body: '', remoteAddress: '127.0.0.1' });
  t.is(get.headers['x-vault-token'], 't');
  t.false(get.encrypted);
  const post = await sendForEcho(listener, {
    method: 'POST',
    path: '/v1/secret/foo',
    headers: { 'Content-Type': 'application/json' },
    body: '{"LIST /x HTTP/1.1":1}',
  });
  t.like(post, { method: 'POST', url: '/v1/secret/foo', body: '{"LIST /x HTTP/1.1":1}' });
});

test('LIST reaches the handler as GET with list=true', async (t) => {
  const listener = await start(t);
  const plain = await sendForEcho(listener, { method: 'LIST', path: '/v1/secret/foo' });
  t.like(plain, { method: 'GET', url: '/v1/secret/foo?list=true' });
  const withQuery = await sendForEcho(listener, { method: 'LIST', path: '/v1/secret/foo?a=b' });
  t.like(withQuery, { method: 'GET', url: '/v1/secret/foo?a=b&list=true' });
});

test('LIST inside a keep-alive body is left alone, the next LIST is rewritten', async (t) => {
  const listener = await start(t);
  const body = '\r\n\r\nLIST /x HTTP/1.1\r\n';
  const stream = await exchange(listener.address.port, [
    `POST /v1/a HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    'LIST /v1/b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
  ], { pauseMs: 20 });
  const [post, list, ...rest] = parseResponses(stream).map(echoOf);
  t.like(post, { method: 'POST', url: '/v1/a', body });
  t.like(list, { method: 'GET', url: '/v1/b?list=true' });
  t.deepEqual(rest, []);
});

test('a chunked body followed by LIST', async (t) => {
  const listener = await start(t);
  const stream = await exchange(listener.address.port, [
    'POST /v1/a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n',
    chunkOf('LIST '),
    chunkOf('/x HTTP/1.1\r\n\r\n', ';ext=1'),
    '0\r\nX-Trailer: LIST /y HTTP/1.1\r\n\r\n',
    'LIST /v1/b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
  ], { pauseMs: 20 });
  const [post, list] = parseResponses(stream).map(echoOf);
  t.like(post, { method: 'POST', body: 'LIST /x HTTP/1.1\r\n\r\n' });
  t.like(list, { method: 'GET', url: '/v1/b?list=true' });
});

test('a request line split byte by byte across writes', async (t) => {
  const listener = await start(t);
  const request = 'LIST /v1/secret/foo?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n';
  const stream = await exchange(listener.address.port, [...request], { pauseMs: 2 });
  const [list] = parseResponses(stream).map(echoOf);
  t.like(list, { method: 'GET', url: '/v1/secret/foo?x=1&list=true' });
});

test('pipelined requests in one write', async (t) => {
  const listener = await start(t);
  const putBody = 'LIST /v1/d HTTP/1.1\r\n\r\n';
  const stream = await exchange(listener.address.port, [
    'GET /v1/a HTTP/1.1\r\nHost: h\r\n\r\n' +
      'LIST /v1/b HTTP/1.1\r\nHost: h\r\n\r\n' +
      `PUT /v1/c HTTP/1.1\r\nHost: h\r\nContent-Length: ${putBody.length}\r\n\r\n${putBody}` +
      'LIST /v1/e/ HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
  ]);
  const echoes = parseResponses(stream).map(echoOf);
  t.deepEqual(
    echoes.map((echo) => `${echo.method} ${echo.url}`),
    ['GET /v1/a', 'GET /v1/b?list=true', 'PUT /v1/c', 'GET /v1/e/?list=true'],
  );
  t.is(echoes[2]?.body, putBody);
});

test('a LIST pipelined behind a slow request is answered after it, in order', async (t) => {
  const listener = await start(t);
  const stream = await exchange(listener.address.port, [
    'GET /v1/slow?delayMs=300 HTTP/1.1\r\nHost: h\r\n\r\n' +
      'GET /v1/slower?delayMs=200 HTTP/1.1\r\nHost: h\r\n\r\n' +
      'LIST /v1/b HTTP/1.1\r\nHost: h\r\n\r\n' +
      'LIST /v1/c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
  ]);
  t.deepEqual(
    parseResponses(stream).map(echoOf).map((echo) => echo.url),
    ['/v1/slow?delayMs=300', '/v1/slower?delayMs=200', '/v1/b?list=true', '/v1/c?list=true'],
  );
});

test('a slow LIST after an idle keep-alive wait is not cut off by the keep-alive timer', async (t) => {
  // Node arms the idle timer at keepAliveTimeout + 1 s after each response.
  const listener = await start(t, { keepAliveTimeoutMs: 100 });
  const socket = await connect(listener.address.port);
  const received = collect(socket);
  socket.write('GET /v1/a HTTP/1.1\r\nHost: h\r\n\r\n');
  await once(socket, 'data');
  socket.write('LIST /v1/b?delayMs=1600 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
  t.deepEqual(parseResponses(await received).map((response) => response.status), [200, 200]);
});

test('methods that only start like LIST get 400, also after a LIST on the connection', async (t) => {
  const listener = await start(t);
  for (const method of ['LISTEN', 'LIS', 'LOST', 'UNLIST']) {
    const stream = await exchange(listener.address.port, [`${method} /v1/a HTTP/1.1\r\nHost: h\r\n\r\n`]);
    t.regex(stream, /^HTTP\/1\.1 400 Bad Request\r\n/, method);
  }
  const socket = await connect(listener.address.port);
  const received = collect(socket);
  socket.write('LIST /v1/a HTTP/1.1\r\nHost: h\r\n\r\n');
  await once(socket, 'data');
  socket.write('LISTEN /v1/b HTTP/1.1\r\nHost: h\r\n\r\n');
  t.regex(await received, /^HTTP\/1\.1 200 OK\r\n[^]*HTTP\/1\.1 400 Bad Request\r\n/);
});

test('LIST over TLS, also split across TLS records', async (t) => {
  const { cert, key } = await makeSelfSignedCert();
  const listener = await start(t, { tls: { cert, key } });
  t.regex(listener.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const list = await sendForEcho(listener, { method: 'LIST', path: '/v1/secret/foo', ca: cert });
  t.like(list, { method: 'GET', url: '/v1/secret/foo?list=true', encrypted: true, remoteAddress: '127.0.0.1' });
  const request = 'LIST /v1/k HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n';
  const stream = await exchange(listener.address.port, [...request], { pauseMs: 2, ca: cert });
  t.like(parseResponses(stream).map(echoOf)[0], { method: 'GET', url: '/v1/k?list=true' });
});

test('40 MiB bodies stream both ways, and the connection still frames LIST after', async (t) => {
  const listener = await start(t);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const size = 40 * MiB;
  const upload = await sendForEcho(listener, {
    method: 'PUT',
    path: '/v1/big',
    headers: { 'Content-Length': size },
    body: zeros(size),
    agent,
  });
  t.is(upload.bodyBytes, size);
  const list = await sendForEcho(listener, { method: 'LIST', path: '/v1/after', agent });
  t.like(list, { method: 'GET', url: '/v1/after?list=true', remotePort: upload.remotePort });
  const chunked = await sendForEcho(listener, { method: 'PUT', path: '/v1/chunked', body: zeros(size), agent });
  t.is(chunked.headers['transfer-encoding'], 'chunked');
  t.is(chunked.bodyBytes, size);
  const download = await send(listener, { path: `/download?bytes=${size}`, agent });
  t.is(download.body.length, size);
});

test('garbage gets Node\'s 400 and the listener keeps serving', async (t) => {
  const listener = await start(t);
  const stream = await exchange(listener.address.port, ['\x16\x03\x01\x00\xa5garbage\r\n\r\n']);
  t.regex(stream, /^HTTP\/1\.1 400 Bad Request\r\n/);
  const badList = await exchange(listener.address.port, ['LIST /a HTTP/9.9\r\n\r\n']);
  t.regex(badList, /^HTTP\/1\.1 400 Bad Request\r\n/);
  t.like(await sendForEcho(listener, { method: 'LIST', path: '/v1/ok' }), { url: '/v1/ok?list=true' });
});

test('headers over the limit get 431', async (t) => {
  const listener = await start(t, { maxHeaderSize: 2048 });
  const oneLongHeader = `LIST /a HTTP/1.1\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`;
  const manyHeaders = `GET /a HTTP/1.1\r\n${'X-A: b\r\n'.repeat(600)}\r\n`;
  for (const request of [oneLongHeader, manyHeaders]) {
    const stream = await exchange(listener.address.port, [request]);
    t.regex(stream, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  }
});

test('remote address and port are the client\'s', async (t) => {
  const listener = await start(t);
  const socket = await connect(listener.address.port);
  const clientPort = socket.localPort;
  const received = collect(socket);
  socket.end('LIST /v1/a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
  const [list] = parseResponses(await received).map(echoOf);
  t.like(list, { remoteAddress: '127.0.0.1', remotePort: clientPort });
});

test('close() ends idle keep-alive and active connections', async (t) => {
  const hanging = Promise.withResolvers<void>();
  const listener = await start(t, {
    handler: (request, response) => {
      if (request.url !== '/hang') testHandler(request, response);
      else hanging.resolve();
    },
  });
  const idle = await connect(listener.address.port);
  const idleClosed = once(idle, 'close');
  idle.write('GET /v1/a HTTP/1.1\r\nHost: h\r\n\r\n');
  await once(idle, 'data');
  const active = await connect(listener.address.port);
  active.on('error', () => {});
  const activeClosed = once(active, 'close');
  active.write('GET /hang HTTP/1.1\r\nHost: h\r\n\r\n');
  await hanging.promise;
  await listener.close();
  await Promise.all([idleClosed, activeClosed]);
  t.pass();
});

test('a slow request line is cut off by the headers timeout', async (t) => {
  const listener = await start(t, { headersTimeoutMs: 300, requestTimeoutMs: 600 });
  const socket = await connect(listener.address.port);
  const received = collect(socket);
  socket.write('LIST /v1/sl');
  const started = Date.now();
  t.regex(await received, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  t.true(Date.now() - started < 3_000);
});

test('an idle keep-alive connection is closed after the keep-alive timeout', async (t) => {
  const listener = await start(t, { keepAliveTimeoutMs: 100 });
  const socket = await connect(listener.address.port);
  const received = collect(socket);
  socket.write('LIST /v1/a HTTP/1.1\r\nHost: h\r\n\r\n');
  const [list] = parseResponses(await received).map(echoOf);
  t.like(list, { url: '/v1/a?list=true' });
});

test('closing either end closes the other', async (t) => {
  let arrived = Promise.withResolvers<Socket>();
  const listener = await start(t, { handler: (request) => arrived.resolve(request.socket) });
  const client = await connect(listener.address.port);
  client.on('error', () => {});
  client.write('GET /v1/a HTTP/1.1\r\nHost: h\r\n\r\n');
  const serverSide = once(await arrived.promise, 'close');
  client.destroy();
  await serverSide;

  arrived = Promise.withResolvers<Socket>();
  const second = await connect(listener.address.port);
  const clientSide = once(second, 'close');
  second.write('GET /v1/a HTTP/1.1\r\nHost: h\r\n\r\n');
  (await arrived.promise).destroy();
  await clientSide;
  t.pass();
});

test('node-vault lists with the LIST verb', async (t) => {
  const listener = await start(t);
  const vault = nodeVault({ endpoint: listener.url, token: 'root' });
  const echo = (await vault.list('secret/foo')) as Echo;
  t.like(echo, { method: 'GET', url: '/v1/secret/foo?list=true' });
  t.is(echo.headers['x-vault-token'], 'root');
});

test('a port in use rejects start', async (t) => {
  const listener = await start(t);
  await t.throwsAsync(startListener({ ...listener.address, handler: testHandler }), { code: 'EADDRINUSE' });
});


test('curl --request LIST, over http and https', async (t) => {
  const { cert, key } = await makeSelfSignedCert();
  const plain = await start(t);
  const secure = await start(t, { tls: { cert, key } });
  const certFile = path.join(await mkdtemp(path.join(tmpdir(), 'sealbox-curl-')), 'ca.pem');
  await writeFile(certFile, cert);
  t.teardown(() => rm(path.dirname(certFile), { recursive: true, force: true }));
  for (const listener of [plain, secure]) {
    const { stdout } = await promisify(execFile)('curl', [
      '--silent', '--show-error', '--cacert', certFile, '--request', 'LIST',
      `${listener.url}/v1/secret/foo`,
    ]);
    t.like(JSON.parse(stdout) as Echo, { method: 'GET', url: '/v1/secret/foo?list=true' });
  }
});
