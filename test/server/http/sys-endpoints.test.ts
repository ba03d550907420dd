import test from 'ava';
import { request } from 'node:http';
import { createLogger } from '../../../src/lib/logger.ts';
import { devConfig } from '../../../src/server/config/dev-config.ts';
import type { RunningServer } from '../../../src/server/main.ts';
import { startServer } from '../../../src/server/main.ts';

async function inmemServer(t: { teardown(fn: () => Promise<void>): void }): Promise<{ server: RunningServer; url: string }> {
  const server = await startServer(devConfig('127.0.0.1:0'), createLogger({ level: 'silent' }));
  t.teardown(server.stop);
  return { server, url: server.listeners[0]!.url };
}

async function send(url: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  const init = body === undefined ? {} : { body: typeof body === 'string' ? body : new Uint8Array(body) };
  const response = await fetch(`${url}${path}`, { method, headers, ...init });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text === '' ? undefined : JSON.parse(text) };
}

test('health answers each state with its default or requested code, and HEAD without a body', async (t) => {
  const { server, url } = await inmemServer(t);
  t.is((await send(url, 'GET', '/v1/sys/health')).status, 501);
  t.is((await send(url, 'GET', '/v1/sys/health?uninitcode=299')).status, 299);
  const init = await server.core.initialize({ secretShares: 1, secretThreshold: 1 });
  t.is((await send(url, 'GET', '/v1/sys/health?sealedcode=298')).status, 298);
  await server.core.submitUnsealKey(init.keys[0], false);
  const active = await send(url, 'GET', '/v1/sys/health');
  t.is(active.status, 200);
  t.like(active.json, { initialized: true, sealed: false, standby: false, performance_standby: false, enterprise: false });
  t.is(typeof active.json.server_time_utc, 'number');
  t.is((await send(url, 'GET', '/v1/sys/health?activecode=204&standbyok=true')).status, 204);
  const head = await send(url, 'HEAD', '/v1/sys/health');
  t.is(head.status, 200);
  t.is(head.text, '');
  t.is(head.headers.get('content-type'), 'application/json');
});

test('health refuses malformed parameters with 400 whatever the state', async (t) => {
  const { url } = await inmemServer(t);
  for (const query of ['standbycode=abc', 'activecode=12', 'standbyok=maybe', 'standbyok=', 'sealedcode=5000']) {
    const response = await send(url, 'GET', `/v1/sys/health?${query}`);
    t.is(response.status, 400, query);
    t.is(response.json.errors.length, 1, query);
  }
});

test('health answered before the Koa app has its headers and is counted like any request', async (t) => {
  const config = devConfig('127.0.0.1:0');
  const telemetry = { ...config.telemetry, metricsAddress: '127.0.0.1:0', prometheusRetentionSeconds: 60 };
  const server = await startServer({ ...config, telemetry }, createLogger({ level: 'silent' }));
  t.teardown(server.stop);
  const url = server.listeners[0]!.url;
  const fast = await send(url, 'GET', '/v1/sys/health?uninitcode=299');
  // A malformed parameter goes on to the Koa route, which answers with the error envelope.
  const refused = await send(url, 'GET', '/v1/sys/health?uninitcode=299&standbyok=maybe');
  for (const response of [fast, refused]) {
    t.is(response.headers.get('cache-control'), 'no-store');
    t.is(response.headers.get('content-type'), 'application/json');
    t.is(response.headers.get('content-length'), String(Buffer.byteLength(response.text)));
  }
  t.is(fast.status, 299);
  t.like(fast.json, { initialized: false, sealed: true });
  t.is(refused.status, 400);
  await send(url, 'HEAD', '/v1/sys/health?uninitcode=299');
  const scrape = await (await fetch(`${server.metricsListener!.url}/metrics`)).text();
  t.regex(scrape, /^vault_core_response_status_code\{code="299",type="2xx"\} 2$/m);
  t.regex(scrape, /^vault_core_response_status_code\{code="400",type="4xx"\} 1$/m);
});

test('GET bodies are ignored, as old hvac sends JSON on GET sys/health', async (t) => {
  const { url } = await inmemServer(t);
  const response = await new Promise<number>((resolve, reject) => {
    const body = '{"not": "used"';
    const headers = { 'Content-Type': 'application/json', 'Content-Length': String(body.length) };
    const req = request(`${url}/v1/sys/health`, { method: 'GET', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
  t.is(response, 501);
});

test('raw handlers answer other methods with 405 and an empty errors list', async (t) => {
  const { url } = await inmemServer(t);
  for (const [method, path] of [['DELETE', '/v1/sys/init'], ['PUT', '/v1/sys/seal-status'], ['GET', '/v1/sys/unseal'], ['GET', '/v1/sys/seal']]) {
    const response = await send(url, method!, path!);
    t.is(response.status, 405, `${method} ${path}`);
    t.deepEqual(response.json, { errors: [] });
  }
});

test('init validates the seal configuration with Vault messages', async (t) => {
  const { url } = await inmemServer(t);
  const cases: Array<[unknown, string]> = [
    [{ secret_shares: 0, secret_threshold: 0 }, 'invalid seal configuration: shares must be at least one'],
    [{ secret_shares: 3, secret_threshold: 1 }, 'invalid seal configuration: threshold must be greater than one for multiple shares'],
    [{ secret_shares: 3, secret_threshold: 4 }, 'invalid seal configuration: threshold cannot be larger than shares'],
    [{ secret_shares: 256, secret_threshold: 2 }, 'invalid seal configuration: shares must be less than 256'],
    [{ secret_shares: 'five', secret_threshold: 3 }, 'failed to parse JSON input: field "secret_shares" must be an integer'],
    [{ secret_shares: 1, secret_threshold: 1, recovery_shares: 2 }, 'parameters specific to auto unseal seals present'],
  ];
  for (const [body, message] of cases) {
    const response = await send(url, 'PUT', '/v1/sys/init', JSON.stringify(body));
    t.is(response.status, 400);
    t.deepEqual(response.json, { errors: [message] });
  }
  t.deepEqual((await send(url, 'GET', '/v1/sys/init')).json, { initialized: false }, 'nothing was initialized');
  const ok = await send(url, 'POST', '/v1/sys/init', JSON.stringify({ SECRET_SHARES: 1, Secret_Threshold: 1, stored_shares: 1 }));
  t.is(ok.status, 200, 'field names match case-insensitively and unknown fields are ignored');
  t.is(ok.json.keys.length, 1);
  t.is(Buffer.from(ok.json.keys[0], 'hex').length, 32, 'a single share is the raw 32-byte unseal key');
});

test('bodies that are not JSON objects are refused with 400, too large ones with 413', async (t) => {
  const { url } = await inmemServer(t);
  const notJson = await send(url, 'PUT', '/v1/sys/init', '{"secret_shares": 1,');
  t.is(notJson.status, 400);
  t.regex(notJson.json.errors[0], /^failed to parse JSON input: /);
  const array = await send(url, 'PUT', '/v1/sys/init', '[1,2]');
  t.is(array.status, 400);
  const huge = await send(url, 'PUT', '/v1/sys/init', Buffer.alloc(40 * 1024 * 1024, 0x20));
  t.is(huge.status, 413);
  t.deepEqual(huge.json, { errors: ['http: request body too large'] });
  t.deepEqual((await send(url, 'GET', '/v1/sys/init')).json, { initialized: false });
});

test('unseal refuses malformed keys and a missing key with Vault messages', async (t) => {
  const { server, url } = await inmemServer(t);
  await server.core.initialize({ secretShares: 3, secretThreshold: 2 });
  const cases: Array<[unknown, string]> = [
    [{}, "'key' must be specified in request body as JSON, or 'reset' set to true"],
    [{ key: 'zz-not-a-key' }, "'key' must be a valid hex or base64 string"],
    [{ key: 'abcd' }, 'key is shorter than minimum 16 bytes'],
    [{ key: 'ab'.repeat(40) }, 'key is longer than maximum 33 bytes'],
    [{ key: 42 }, 'failed to parse JSON input: field "key" must be a string'],
    [{ migrate: true, key: 'ab'.repeat(33) }, 'seal migration is not supported by this server'],
  ];
  for (const [body, message] of cases) {
    const response = await send(url, 'PUT', '/v1/sys/unseal', JSON.stringify(body));
    t.is(response.status, 400, JSON.stringify(body));
    t.deepEqual(response.json, { errors: [message] });
  }
  const status = await send(url, 'GET', '/v1/sys/seal-status');
  t.like(status.json, { sealed: true, progress: 0 });
});

test('the unseal of an unsealed node returns its status; reset then is refused', async (t) => {
  const { server, url } = await inmemServer(t);
  const init = await server.core.initialize({ secretShares: 1, secretThreshold: 1 });
  await server.core.submitUnsealKey(init.keys[0], false);
  const again = await send(url, 'PUT', '/v1/sys/unseal', JSON.stringify({ key: init.keys[0] }));
  t.is(again.status, 200);
  t.like(again.json, { sealed: false });
  const reset = await send(url, 'PUT', '/v1/sys/unseal', JSON.stringify({ reset: true }));
  t.deepEqual(reset.json, { errors: ['vault is unsealed'] });
});

test('seal takes the token from X-Vault-Token or Authorization: Bearer', async (t) => {
  const { server, url } = await inmemServer(t);
  const init = await server.core.initialize({ secretShares: 1, secretThreshold: 1 });
  await server.core.submitUnsealKey(init.keys[0], false);
  t.is((await send(url, 'PUT', '/v1/sys/seal', undefined, { Authorization: `Basic ${init.root_token}` })).status, 403);
  t.is((await send(url, 'PUT', '/v1/sys/seal', undefined, { Authorization: `Bearer ${init.root_token}` })).status, 204);
  t.true(server.core.sealed);
});

test('paths with parent references or control characters are refused before routing', async (t) => {
  const { url } = await inmemServer(t);
  // A URL would normalize the dots away before sending; a raw path is sent as written.
  const parent = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request({ hostname, port, path: '/v1/secret/%2e%2e/sys/init' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
  t.is(parent.status, 400);
  t.deepEqual(JSON.parse(parent.body), { errors: ['path cannot contain parent references'] });
  const control = await send(url, 'GET', '/v1/secret/a%00b');
  t.is(control.status, 400);
  const badEncoding = await send(url, 'GET', '/v1/secret/%E0%A4%A');
  t.is(badEncoding.status, 400);
});

test('unknown methods get 405, unknown paths 404, sealed logical paths 503', async (t) => {
  const { server, url } = await inmemServer(t);
  const propfind = await send(url, 'PROPFIND', '/v1/secret/foo');
  t.is(propfind.status, 405);
  t.deepEqual(propfind.json, { errors: [] });
  t.deepEqual((await send(url, 'GET', '/nothing-here')).json, { errors: [] });
  const init = await server.core.initialize({ secretShares: 1, secretThreshold: 1 });
  const sealed = await send(url, 'GET', '/v1/secret/foo');
  t.is(sealed.status, 503);
  t.deepEqual(sealed.json, { errors: ['Vault is sealed'] });
  await server.core.submitUnsealKey(init.keys[0], false);
  const missing = await send(url, 'GET', '/v1/nope/foo');
  t.is(missing.status, 404);
  t.deepEqual(missing.json, { errors: ['no handler for route "nope/foo". route entry not found.'] });
});

test('every response carries Cache-Control: no-store and exactly application/json', async (t) => {
  const { url } = await inmemServer(t);
  for (const path of ['/v1/sys/seal-status', '/v1/sys/leader', '/v1/nope', '/v1/sys/init']) {
    const response = await send(url, 'GET', path);
    t.is(response.headers.get('cache-control'), 'no-store', path);
    t.is(response.headers.get('content-type'), 'application/json', path);
  }
});
