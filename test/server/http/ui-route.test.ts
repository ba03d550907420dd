import test from 'ava';
import type { ExecutionContext } from 'ava';
import { request } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../../../src/lib/logger.ts';
import { devConfig } from '../../../src/server/config/dev-config.ts';
import type { ServerConfig } from '../../../src/server/config/server-config.ts';
import { insideRoot } from '../../../src/server/http/ui-route.ts';
import { startServer } from '../../../src/server/main.ts';
import { tempDir } from '../../helpers/server-process.ts';

// The web UI's static route over real HTTP, with a stand-in build output in a temporary folder
// (the real build is exercised by test/e2e/ui.test.ts).

const INDEX = '<!doctype html><title>ui</title><script type="module" src="/ui/assets/app-1a2b3c.js"></script>';

interface Served {
  readonly url: string;
  readonly dist: string;
  readonly logs: () => string;
}

async function serve(t: ExecutionContext, options: { ui?: boolean; build?: boolean } = {}): Promise<Served> {
  const dir = await tempDir('sealbox-ui-route-');
  t.teardown(dir.remove);
  const dist = join(dir.path, 'dist');
  if (options.build !== false) {
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), INDEX);
    await writeFile(join(dist, 'assets', 'app-1a2b3c.js'), 'console.log(1)');
    await writeFile(join(dist, 'assets', 'style-4d5e6f.css'), 'body{}');
  }
  // A file next to the build output that no request may reach.
  await writeFile(join(dir.path, 'secret.txt'), 'not for the web');
  let logs = '';
  const logger = createLogger({
    level: 'info',
    destination: {
      write: (line: string) => {
        logs += line;
      },
    },
  });
  const config: ServerConfig = { ...devConfig('127.0.0.1:0'), ui: options.ui ?? true };
  const server = await startServer(config, logger, { uiDistDir: dist });
  t.teardown(server.stop);
  return { url: server.listeners[0]!.url, dist, logs: () => logs };
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** node:http sends the path as given: no normalization of `..` as fetch would do. */
function get(url: string, path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('/ and /ui redirect to /ui/ with 307, as Vault does', async (t) => {
  const { url } = await serve(t);
  for (const path of ['/', '/ui']) {
    const answer = await get(url, path);
    t.is(answer.status, 307, path);
    t.is(answer.headers['location'], '/ui/', path);
  }
});

test('index.html at /ui/ with the strict security headers and no caching', async (t) => {
  const { url } = await serve(t);
  const answer = await get(url, '/ui/');
  t.is(answer.status, 200);
  t.is(answer.body, INDEX);
  t.is(answer.headers['content-type'], 'text/html; charset=utf-8');
  t.is(answer.headers['cache-control'], 'no-store');
  const csp = String(answer.headers['content-security-policy']);
  for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"]) {
    t.true(csp.split('; ').includes(directive), directive);
  }
  t.false(csp.includes('unsafe'));
  t.is(answer.headers['x-content-type-options'], 'nosniff');
  t.is(answer.headers['x-frame-options'], 'DENY');
  t.is(answer.headers['referrer-policy'], 'no-referrer');
});

test('hashed assets with their content types, cacheable for good', async (t) => {
  const { url } = await serve(t);
  const script = await get(url, '/ui/assets/app-1a2b3c.js');
  t.is(script.status, 200);
  t.is(script.body, 'console.log(1)');
  t.is(script.headers['content-type'], 'text/javascript; charset=utf-8');
  t.is(script.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.is(script.headers['x-content-type-options'], 'nosniff');
  const style = await get(url, '/ui/assets/style-4d5e6f.css');
  t.is(style.headers['content-type'], 'text/css; charset=utf-8');
  const head = await get(url, '/ui/assets/app-1a2b3c.js', 'HEAD');
  t.is(head.status, 200);
  t.is(head.body, '');
});

test('client-side routes get index.html; a missing file gets 404 in the errors envelope', async (t) => {
  const { url } = await serve(t);
  for (const path of ['/ui/secrets/kv/list/app/', '/ui/policies/default', '/ui/index.html']) {
    const answer = await get(url, path);
    t.is(answer.status, 200, path);
    t.is(answer.body, INDEX, path);
    t.is(answer.headers['cache-control'], 'no-store', path);
  }
  const missing = await get(url, '/ui/assets/gone-123.js');
  t.is(missing.status, 404);
  t.is(missing.headers['content-type'], 'application/json');
  t.deepEqual(JSON.parse(missing.body), { errors: [] });
});

test('only GET and HEAD under /ui/; the API is untouched', async (t) => {
  const { url } = await serve(t);
  const post = await get(url, '/ui/', 'POST');
  t.is(post.status, 405);
  t.deepEqual(JSON.parse(post.body), { errors: [] });
  const health = await get(url, '/v1/sys/health');
  t.is(health.headers['content-type'], 'application/json');
  t.is(health.headers['content-security-policy'], undefined);
});

test('paths that leave the build output are refused', async (t) => {
  const { url } = await serve(t);
  for (const path of ['/ui/../secret.txt', '/ui/assets/../../secret.txt', '/ui/%2e%2e/secret.txt', '/ui/..%2fsecret.txt', '/ui/%2e%2e%2fsecret.txt', '/ui/..%5csecret.txt']) {
    const answer = await get(url, path);
    t.false(answer.body.includes('not for the web'), path);
    t.true(answer.status === 400 || answer.status === 404, `${path}: ${answer.status}`);
    t.is(answer.headers['content-type'], 'application/json', path);
  }
});

test('with ui = false, / and /ui are unknown paths like any other', async (t) => {
  const { url, logs } = await serve(t, { ui: false });
  for (const path of ['/', '/ui', '/ui/', '/ui/assets/app-1a2b3c.js']) {
    const answer = await get(url, path);
    t.is(answer.status, 404, path);
    t.deepEqual(JSON.parse(answer.body), { errors: [] }, path);
  }
  t.false(logs().includes('web UI'));
});

test('a server whose UI was never built starts, warns once, and /ui/ says how to build it', async (t) => {
  const { url, logs } = await serve(t, { build: false });
  t.is(logs().split('\n').filter((line) => line.includes('the web UI is not built')).length, 1);
  const answer = await get(url, '/ui/');
  t.is(answer.status, 404);
  t.deepEqual(JSON.parse(answer.body), { errors: ['the web UI is not built: run `npm run build:ui` and restart the server'] });
  t.is((await get(url, '/v1/sys/health')).status, 501);
});

test('the route resolves a request only to files below its root, whatever the app in front checks', (t) => {
  t.is(insideRoot('/srv/ui', 'assets/app.js'), '/srv/ui/assets/app.js');
  t.is(insideRoot('/srv/ui', 'a/%2e%2e/index.html'), '/srv/ui/index.html');
  for (const escape of ['..', '../secret', '%2e%2e/secret', 'assets/../../secret', '..%2fsecret', '/etc/passwd', '%2fetc%2fpasswd', 'a\\..\\..\\x', 'index.html%00.js', '%zz']) {
    t.is(insideRoot('/srv/ui', escape), undefined, escape);
  }
});
