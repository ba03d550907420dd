import test from 'ava';
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import { startUnsealedServer, tempDir, writeServerConfig } from '../../helpers/server-process.ts';
import { rawRequest } from '../helpers/raw-request.ts';
import type { RawRequest } from '../helpers/raw-request.ts';
import { fuzzRuns } from '../helpers/soak.ts';

/*
 * Property: whatever a client sends, the server answers (or closes the connection) without a 5xx,
 * keeps serving, logs no internal error and stays within bounded memory. The fuzzing token may do
 * everything but sudo, revoke itself, change its own policy or set quotas, so it cannot seal the
 * server or lock the fuzzer out half-way.
 */
const FUZZ_POLICY = `
path "*"                       { capabilities = ["create", "read", "update", "delete", "list", "patch"] }
path "auth/token/revoke*"      { capabilities = ["deny"] }
path "sys/policy/fuzz"         { capabilities = ["deny"] }
path "sys/policies/acl/fuzz"   { capabilities = ["deny"] }
path "sys/quotas/*"            { capabilities = ["deny"] }
path "sys/mounts/sys"          { capabilities = ["deny"] }
`;

const RSS_LIMIT_BYTES = 1024 * 1024 * 1024;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'LIST', 'OPTIONS', 'TRACE', 'CONNECT'];
const KNOWN_PATHS = [
  'sys/mounts', 'sys/mounts/kv', 'sys/mounts/fuzz', 'sys/mounts/kv/tune', 'sys/auth', 'sys/auth/userpass', 'sys/policies/acl',
  'sys/policies/acl/other', 'sys/policy', 'sys/capabilities-self', 'sys/capabilities', 'sys/internal/ui/mounts',
  'sys/internal/ui/mounts/kv', 'sys/key-status', 'sys/rotate', 'sys/rekey/init', 'sys/generate-root/attempt', 'sys/audit',
  'sys/audit-hash/x', 'sys/health', 'sys/seal-status', 'sys/leader', 'sys/init', 'sys/unseal', 'sys/metrics', 'sys/quotas/rate-limit',
  'kv/data/a', 'kv/data/dir/b', 'kv/metadata/a', 'kv/metadata/', 'kv/config', 'kv/delete/a', 'kv/undelete/a', 'kv/destroy/a',
  'kv/subkeys/a', 'kv1/x', 'cubbyhole/c', 'auth/token/create', 'auth/token/lookup-self', 'auth/token/lookup', 'auth/token/roles/r',
  'auth/token/create/r', 'auth/token/renew-self', 'auth/token/accessors', 'auth/userpass/users/u', 'auth/userpass/login/u',
  'auth/approle/role/r', 'auth/approle/role/r/secret-id', 'auth/approle/login', 'nonexistent/path',
];

const segment = fc.oneof(
  fc.constantFrom('a', 'data', 'metadata', '..', '.', '', '%2e%2e', '%00', '%ff', '%c3%28', '%', '%zz', '*', '+', 'ü', '%E2%82%AC', '~', '\u00ff'),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/),
  fc.string({ maxLength: 8 }).map(encodeURIComponent),
);

const path = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...KNOWN_PATHS) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...KNOWN_PATHS), fc.array(segment, { maxLength: 3 })).map(([known, extra]) => [known, ...extra].join('/')) },
  { weight: 1, arbitrary: fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('/')) },
);

const queryString = fc.oneof(
  fc.constant(''),
  fc.constantFrom('?list=true', '?list=maybe', '?list=true&list=false', '?version=-1', '?version=x', '?help=1', '?%ff=%ff', '?a', '?=', '?&&'),
  fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 10 })), { maxLength: 4 })
    .map((pairs) => `?${pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&')}`),
);

// Depths around the limit and far past what recursive code survives.
const deepJson = fc.constantFrom(10, 499, 500, 501, 5_000, 50_000, 300_000).chain((depth) =>
  fc.constantFrom(
    `{"data":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`,
    `{"data":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
    `{"policy":"x","meta":${'['.repeat(depth)}`,
    '['.repeat(depth),
  ),
);

const wideJson = fc.constantFrom(9_999, 10_001, 200_000).chain((count) =>
  fc.constantFrom(
    JSON.stringify({ data: Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i])) }),
    JSON.stringify({ data: { list: Array.from({ length: count }, (_, i) => i) } }),
    JSON.stringify({ data: { long: 'y'.repeat(count * 100) } }),
  ),
);

const hostileBody = fc.oneof(
  { weight: 3, arbitrary: deepJson.map((text) => Buffer.from(text)) },
  { weight: 2, arbitrary: wideJson.map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.constantFrom('{"data":{"__proto__":{"polluted":true}}}', '{"__proto__":{"polluted":true},"policy":"path \\"a\\" {}"}', '{"data":{"constructor":{"prototype":{"x":1}}}}').map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from([0x7b, 0x22, 0x64, 0x61, 0x74, 0x61, 0x22, 0x3a, 0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x7d])) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 6 }).map((value) => Buffer.from(JSON.stringify({ data: value, policy: value, password: value, options: value, config: value }))) },
);

const body = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => Buffer.from(JSON.stringify(value))) },
  { weight: 3, arbitrary: fc.dictionary(fc.constantFrom('data', 'type', 'policy', 'password', 'options', 'config', 'ttl', 'policies', 'versions', 'cas', 'max_versions', 'path', 'rate', 'key', 'secret_shares', 'num_uses', 'role_id', 'secret_id'), fc.jsonValue({ maxDepth: 3 })).map((value) => Buffer.from(JSON.stringify(value))) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.constantFrom('{"data": ', 'null', '[]', '"string"', '1e999', '{"data":{"a":"\\ud800"}}', 'a=b&a=c', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"x":1}}}').map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), Buffer.from([0xc3, 0x28]), Buffer.from('{"data":{"k":"\u0000"}}')) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }).map((mib) => Buffer.from(JSON.stringify({ data: { blob: 'x'.repeat(mib * 1024 * 1024) } }))) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 100_000 }).map((keys) => Buffer.from(JSON.stringify({ data: Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i])) }))) },
);

const headerValue = fc.oneof(fc.stringMatching(/^[\x20-\x7e]{0,40}$/), fc.constantFrom('\u00ff\u00fe', 'a'.repeat(4000)));

const WRITE_PATHS = [
  'kv/data/w', 'kv/metadata/w', 'kv/config', 'kv1/w', 'cubbyhole/w', 'sys/policies/acl/w', 'sys/mounts/w', 'sys/auth/w',
  'auth/token/create', 'auth/token/roles/w', 'auth/userpass/users/w', 'auth/userpass/login/u', 'auth/approle/role/w',
  'auth/approle/login', 'sys/capabilities-self', 'sys/audit-hash/w', 'sys/unseal', 'sys/init', 'sys/rekey/init',
];

/** Hostile bodies aimed at handlers that read them, where they do the most harm. */
function hostileWriteArbitrary(tokens: { readonly fuzz: string }): fc.Arbitrary<RawRequest> {
  return fc
    .record({ method: fc.constantFrom('POST', 'PUT', 'PATCH'), path: fc.constantFrom(...WRITE_PATHS), body: hostileBody, patch: fc.boolean() })
    .map(({ method, path: target, body: payload, patch }) => ({
      method,
      target: `/v1/${target}`,
      headers: [['X-Vault-Token', tokens.fuzz], ['Content-Type', patch ? 'application/merge-patch+json' : 'application/json']] as Array<[string, string]>,
      ...(payload === undefined ? {} : { body: payload }),
    }));
}

function requestArbitrary(tokens: { readonly fuzz: string }): fc.Arbitrary<RawRequest> {
  return fc
    .record({
      method: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,10}$/) }),
      path,
      query: queryString,
      token: fc.constantFrom(tokens.fuzz, tokens.fuzz, tokens.fuzz, '', 'hvs.invalid', 's.' + 'A'.repeat(24), 'x'.repeat(3000), '\u00ff'),
      authorization: fc.boolean(),
      contentType: fc.constantFrom(undefined, 'application/json', 'application/x-www-form-urlencoded', 'application/merge-patch+json', 'text/plain', 'multipart/form-data; boundary=x', '\u00ff/\u00fe'),
      extraHeaders: fc.array(fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/), headerValue), { maxLength: 4 }),
      body,
    })
    .map(({ method, path: target, query, token, authorization, contentType, extraHeaders, body: payload }) => {
      const headers: Array<[string, string]> = [];
      if (token !== '') headers.push(authorization ? ['Authorization', `Bearer ${token}`] : ['X-Vault-Token', token]);
      if (contentType !== undefined) headers.push(['Content-Type', contentType]);
      for (const [name, value] of extraHeaders) {
        if (/^(host|connection|content-length|transfer-encoding|expect|upgrade)$/i.test(name)) continue;
        headers.push([name, value]);
      }
      return { method, target: `/v1/${target}${query}`, headers, ...(payload === undefined ? {} : { body: payload }) };
    });
}

async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
  return kib * 1024;
}

test('fuzzed requests never get a 5xx, crash the server, log an internal error or grow memory without bound', async (t) => {
  t.timeout(20 * 60_000);
  const dir = await tempDir();
  t.teardown(dir.remove);
  const config = await writeServerConfig(dir.path, `storage "file" {\n  path = "${dir.path}/data"\n}`);
  const { server, rootToken } = await startUnsealedServer(['-config', config]);
  t.teardown(() => server.stop({ kill: true }));
  const root = async (method: string, target: string, payload: unknown) => {
    const answer = await rawRequest(server.url, { method, target: `/v1/${target}`, headers: [['X-Vault-Token', rootToken]], body: Buffer.from(JSON.stringify(payload)) });
    t.true(answer.status < 300, `${method} ${target}: ${answer.status} ${answer.body.toString()}`);
    return answer.body.length === 0 ? {} : JSON.parse(answer.body.toString());
  };
  await root('POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } });
  await root('POST', 'sys/mounts/kv1', { type: 'kv' });
  await root('POST', 'sys/auth/userpass', { type: 'userpass' });
  await root('POST', 'sys/auth/approle', { type: 'approle' });
  await root('POST', 'auth/userpass/users/u', { password: 'fuzz-password' });
  await root('POST', 'sys/policies/acl/fuzz', { policy: FUZZ_POLICY });
  const created = await root('POST', 'auth/token/create', { policies: ['fuzz'], ttl: '24h' });
  const fuzz = created.auth.client_token as string;

  const failures: string[] = [];
  const statuses = new Map<number, number>();
  const result = await fc.check(
    fc.asyncProperty(fc.oneof(requestArbitrary({ fuzz }), hostileWriteArbitrary({ fuzz })), async (request) => {
      const answer = await rawRequest(server.url, request);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status >= 500) failures.push(`${request.method} ${request.target.slice(0, 120)} (${request.body?.length ?? 0} bytes) -> ${answer.status} ${answer.body.toString('utf8').slice(0, 200)}`);
      return answer.status < 500 && server.child.exitCode === null && server.child.signalCode === null;
    }),
    { numRuns: fuzzRuns(400), endOnFailure: true },
  );
  // The counterexample itself can be megabytes; the seed replays it.
  t.false(result.failed, `seed ${result.seed}: ${failures.join('\n')}`);
  t.log('answers by status:', JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b))));
  t.is(server.child.exitCode, null, 'the server is still running');
  const health = await rawRequest(server.url, { method: 'GET', target: '/v1/sys/health' });
  t.is(health.status, 200, 'the server is still unsealed and active');
  const logged = server.output();
  t.false(/"msg":"request failed"/.test(logged), 'no internal error was logged');
  t.false(/unhandled|uncaught/i.test(logged), 'no unhandled rejection or exception');
  const rss = await residentBytes(server.child.pid!);
  t.true(rss < RSS_LIMIT_BYTES, `resident memory ${Math.round(rss / 1024 / 1024)} MiB`);
});
