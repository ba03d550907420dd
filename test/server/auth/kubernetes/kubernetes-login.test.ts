// Kubernetes login against a small HTTPS TokenReview endpoint started here on 127.0.0.1 (CA and
// certificate made by the openssl CLI), to reach the refusal paths a real API server rarely takes:
// 401 Status bodies, audiences, CA mismatches. test/e2e/kubernetes-auth.test.ts runs the login
// against a real kube-apiserver from the control-plane harness.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SealboxError } from '../../../../src/lib/errors.ts';
import type { KubernetesBackendOptions } from '../../../../src/server/auth/kubernetes/kubernetes-backend.ts';
import { kubernetesBackendFactory } from '../../../../src/server/auth/kubernetes/kubernetes-backend.ts';
import type { CallOptions } from '../auth-backend-harness.ts';
import { MountedBackend } from '../auth-backend-harness.ts';
import type { SigningKey } from './service-account-tokens.ts';
import { legacyClaims, makeSigningKey, projectedClaims, signJwt } from './service-account-tokens.ts';
import type { TestPki } from './test-ca.ts';
import { makeTestPki } from './test-ca.ts';
import type { KnownAccount } from './token-review-server.ts';
import { TokenReviewServer } from './token-review-server.ts';

const REVIEWER_JWT = `reviewer-${randomUUID()}`;
const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

let pki: TestPki;
let otherPki: TestPki;
let server: TokenReviewServer;
let esKey: SigningKey;
let rsKey: SigningKey;
let strangerKey: SigningKey;
let noServiceAccountDir: string;

test.before(async () => {
  [pki, otherPki] = await Promise.all([makeTestPki(), makeTestPki()]);
  server = await TokenReviewServer.start(pki);
  server.allowBearer(REVIEWER_JWT);
  esKey = makeSigningKey('ES256');
  rsKey = makeSigningKey('RS256');
  strangerKey = makeSigningKey('ES256');
  noServiceAccountDir = path.join(tmpdir(), `sealbox-no-sa-${randomUUID()}`);
});

test.after.always(async () => {
  await server?.close();
});

interface Scenario {
  readonly config?: Record<string, unknown>;
  readonly role?: Record<string, unknown>;
  readonly options?: KubernetesBackendOptions;
}

/** A kubernetes mount configured for the test server, with role `app` bound to prod/web. */
async function setup(t: ExecutionContext, scenario: Scenario = {}): Promise<MountedBackend> {
  const factory = kubernetesBackendFactory({ serviceAccountDir: noServiceAccountDir, reviewTimeoutMs: 5000, ...scenario.options });
  const mounted = await MountedBackend.create(factory, 'kubernetes');
  t.teardown(() => mounted.backend.cleanup?.());
  await mounted.write('config', { kubernetes_host: server.url, kubernetes_ca_cert: pki.caCert, token_reviewer_jwt: REVIEWER_JWT, ...scenario.config });
  await mounted.write('role/app', { bound_service_account_names: 'web', bound_service_account_namespaces: 'prod', token_policies: 'app', ...scenario.role });
  return mounted;
}

function newAccount(overrides: Partial<KnownAccount> = {}): KnownAccount {
  return { namespace: 'prod', name: 'web', uid: randomUUID(), audiences: [API_AUDIENCE], ...overrides };
}

function nowSeconds(mounted: MountedBackend): number {
  return Math.floor(mounted.clock.now().getTime() / 1000);
}

/** A projected token for `account`, which the API server knows unless `known` is false. */
function tokenFor(mounted: MountedBackend, account: KnownAccount, options: { key?: SigningKey; known?: boolean; claims?: Record<string, unknown> } = {}): string {
  const claims = { ...projectedClaims({ ...account, now: nowSeconds(mounted) }), ...options.claims };
  const jwt = signJwt(claims, options.key ?? esKey);
  if (options.known !== false) server.addToken(jwt, account);
  return jwt;
}

/** A login refused with a bare 403 whose reason went to the server log only. */
async function deniedFor(t: ExecutionContext, mounted: MountedBackend, jwt: string, reason: string | RegExp, options: CallOptions = {}): Promise<void> {
  const before = mounted.logger.lines.length;
  const error = await t.throwsAsync(mounted.write('login', { role: 'app', jwt }, options), { instanceOf: SealboxError, message: 'permission denied' });
  t.is(error?.code, 'permission_denied');
  const logged = mounted.logger.lines.slice(before).find((line) => line.message === 'kubernetes login denied');
  const loggedReason = String(logged?.fields['reason']);
  if (typeof reason === 'string') t.is(loggedReason, reason);
  else t.regex(loggedReason, reason);
  t.false(JSON.stringify(mounted.logger.lines).includes(jwt));
}

test('a projected token of a bound service account logs in after a TokenReview', async (t) => {
  const mounted = await setup(t, { role: { token_ttl: 600, token_max_ttl: 1200 } });
  const account = newAccount();
  const jwt = tokenFor(mounted, account);
  const response = await mounted.write('login', { role: 'app', jwt });
  t.deepEqual(response, {
    login: {
      policies: ['app'],
      ttl: 600,
      maxTtl: 1200,
      explicitMaxTtl: 0,
      period: 0,
      numUses: 0,
      noDefaultPolicy: false,
      renewable: true,
      boundCidrs: [],
      metadata: {
        role: 'app',
        service_account_name: 'web',
        service_account_namespace: 'prod',
        service_account_secret_name: '',
        service_account_uid: account.uid,
      },
      displayName: 'prod-web',
      aliasName: account.uid,
    },
  });
  t.deepEqual(server.reviewsOf(jwt), [{ bearer: REVIEWER_JWT, token: jwt, audiences: undefined }]);
});

test('alias_name_source serviceaccount_name names the alias namespace/name', async (t) => {
  const mounted = await setup(t, { role: { alias_name_source: 'serviceaccount_name' } });
  const response = await mounted.write('login', { role: 'app', jwt: tokenFor(mounted, newAccount()) });
  t.is(response?.login?.aliasName, 'prod/web');
});

test('a legacy secret-based token logs in and reports its secret name', async (t) => {
  const mounted = await setup(t);
  const account = newAccount();
  const jwt = signJwt(legacyClaims({ ...account, now: nowSeconds(mounted), secretName: 'web-token-abcde' }), rsKey);
  server.addToken(jwt, account);
  const response = await mounted.write('login', { role: 'App', jwt });
  t.deepEqual(response?.login?.metadata, {
    role: 'App',
    service_account_name: 'web',
    service_account_namespace: 'prod',
    service_account_secret_name: 'web-token-abcde',
    service_account_uid: account.uid,
  });
});

test('bound names and namespaces take globs and a lone *', async (t) => {
  const mounted = await setup(t, { role: { bound_service_account_names: 'web-*,api', bound_service_account_namespaces: 'team-*' } });
  t.not(await mounted.write('login', { role: 'app', jwt: tokenFor(mounted, newAccount({ name: 'web-frontend', namespace: 'team-a' })) }), undefined);
  t.not(await mounted.write('login', { role: 'app', jwt: tokenFor(mounted, newAccount({ name: 'api', namespace: 'team-b' })) }), undefined);
  await mounted.write('role/any', { bound_service_account_names: '*', bound_service_account_namespaces: '*' });
  const anywhere = tokenFor(mounted, newAccount({ name: 'whatever', namespace: 'elsewhere' }));
  t.not(await mounted.write('login', { role: 'any', jwt: anywhere }), undefined);
});

test('a service account outside the bound names or namespaces is refused before any TokenReview', async (t) => {
  const mounted = await setup(t, { role: { bound_service_account_names: 'web-*', bound_service_account_namespaces: 'team-*' } });
  const wrongName = tokenFor(mounted, newAccount({ name: 'db', namespace: 'team-a' }));
  await deniedFor(t, mounted, wrongName, 'service account name not authorized');
  const wrongNamespace = tokenFor(mounted, newAccount({ name: 'web-x', namespace: 'prod' }));
  await deniedFor(t, mounted, wrongNamespace, 'namespace not authorized');
  t.deepEqual(server.reviewsOf(wrongName), []);
  t.deepEqual(server.reviewsOf(wrongNamespace), []);
});

test('a role audience must be in the JWT and is asked of the TokenReview', async (t) => {
  const mounted = await setup(t, { role: { audience: 'vault' } });
  const good = tokenFor(mounted, newAccount({ audiences: ['vault', API_AUDIENCE] }), { claims: { aud: ['vault', API_AUDIENCE] } });
  t.not(await mounted.write('login', { role: 'app', jwt: good }), undefined);
  t.deepEqual(server.reviewsOf(good)[0]?.audiences, ['vault']);
  const single = tokenFor(mounted, newAccount({ audiences: ['vault'] }), { claims: { aud: 'vault' } });
  t.not(await mounted.write('login', { role: 'app', jwt: single }), undefined);
  const missing = tokenFor(mounted, newAccount(), { claims: { aud: ['other'] } });
  await deniedFor(t, mounted, missing, 'invalid audience (aud) claim');
  t.deepEqual(server.reviewsOf(missing), []);
  // The JWT claims the audience, but the API server issued the token for another one.
  const forged = tokenFor(mounted, newAccount({ audiences: ['other'] }), { claims: { aud: ['vault'] } });
  await deniedFor(t, mounted, forged, 'lookup failed: [invalid bearer token, token audiences are invalid for the target audiences]');
});

test('a token the API server does not authenticate is refused', async (t) => {
  const mounted = await setup(t);
  const unknown = tokenFor(mounted, newAccount(), { known: false });
  await deniedFor(t, mounted, unknown, 'lookup failed: service account jwt not valid');
  t.is(server.reviewsOf(unknown).length, 1);
});

test('the reviewed service account must be the one the JWT names', async (t) => {
  const mounted = await setup(t, { role: { bound_service_account_names: '*', bound_service_account_namespaces: '*' } });
  const claimed = newAccount();
  const renamed = signJwt(projectedClaims({ ...claimed, now: nowSeconds(mounted) }), esKey);
  server.addToken(renamed, { ...claimed, name: 'other' });
  await deniedFor(t, mounted, renamed, 'JWT names did not match');
  const recreated = signJwt(projectedClaims({ ...claimed, now: nowSeconds(mounted) + 1 }), esKey);
  server.addToken(recreated, { ...claimed, uid: randomUUID() });
  await deniedFor(t, mounted, recreated, 'JWT UIDs did not match');
  const moved = signJwt(projectedClaims({ ...claimed, now: nowSeconds(mounted) + 2 }), esKey);
  server.addToken(moved, { ...claimed, namespace: 'dev' });
  await deniedFor(t, mounted, moved, 'JWT namespaces did not match');
});

test('a reviewer the API server rejects with a 401 Status refuses every login', async (t) => {
  const mounted = await setup(t, { config: { token_reviewer_jwt: 'revoked-reviewer' } });
  const jwt = tokenFor(mounted, newAccount());
  await deniedFor(t, mounted, jwt, 'lookup failed: service account unauthorized; this could mean it has been deleted or recreated with a new token');
  t.is(server.reviewsOf(jwt)[0]?.bearer, 'revoked-reviewer');
});

test('an API server whose certificate the configured CA did not sign is not trusted', async (t) => {
  const mounted = await setup(t, { config: { kubernetes_ca_cert: otherPki.caCert } });
  const jwt = tokenFor(mounted, newAccount());
  await deniedFor(t, mounted, jwt, /^lookup failed: .*certificate/);
  t.deepEqual(server.reviewsOf(jwt), []);
});

test('with pem_keys the JWT signature must verify with one of them', async (t) => {
  const mounted = await setup(t, { config: { pem_keys: [esKey.publicPem, rsKey.publicPem] } });
  t.not(await mounted.write('login', { role: 'app', jwt: tokenFor(mounted, newAccount(), { key: esKey }) }), undefined);
  t.not(await mounted.write('login', { role: 'app', jwt: tokenFor(mounted, newAccount(), { key: rsKey }) }), undefined);
  const stranger = tokenFor(mounted, newAccount(), { key: strangerKey });
  await deniedFor(t, mounted, stranger, 'error verifying token signature');
  t.deepEqual(server.reviewsOf(stranger), []);
  const [header, , signature] = tokenFor(mounted, newAccount()).split('.');
  const otherClaims = Buffer.from(JSON.stringify(projectedClaims({ ...newAccount({ name: 'web' }), now: nowSeconds(mounted) }))).toString('base64url');
  await deniedFor(t, mounted, `${header}.${otherClaims}.${signature}`, 'error verifying token signature');
});

test('without a reviewer JWT the login JWT reviews itself', async (t) => {
  const mounted = await setup(t, { config: { token_reviewer_jwt: '' } });
  const jwt = tokenFor(mounted, newAccount());
  server.allowBearer(jwt);
  t.not(await mounted.write('login', { role: 'app', jwt }), undefined);
  t.is(server.reviewsOf(jwt)[0]?.bearer, jwt);
});

test('in a pod the mounted service account CA and token are used unless disabled', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sealbox-sa-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'ca.crt'), pki.caCert);
  await writeFile(path.join(dir, 'token'), `${REVIEWER_JWT}\n`);
  const local = await setup(t, { options: { serviceAccountDir: dir }, config: { kubernetes_ca_cert: '', token_reviewer_jwt: '' } });
  const jwt = tokenFor(local, newAccount());
  t.not(await local.write('login', { role: 'app', jwt }), undefined);
  t.is(server.reviewsOf(jwt)[0]?.bearer, REVIEWER_JWT);
  const disabled = await setup(t, { options: { serviceAccountDir: dir }, config: { kubernetes_ca_cert: '', token_reviewer_jwt: '', disable_local_ca_jwt: true } });
  await deniedFor(t, disabled, tokenFor(disabled, newAccount()), /^lookup failed: .*certificate/);
});

test('missing fields, unknown roles and a missing config are told apart from refusals', async (t) => {
  const mounted = await setup(t);
  const jwt = tokenFor(mounted, newAccount());
  const cases: [Record<string, unknown>, string][] = [
    [{ jwt }, 'missing role'],
    [{ role: 'app' }, 'missing jwt'],
    [{ role: 'ghost', jwt }, 'invalid role name "ghost"'],
  ];
  for (const [data, message] of cases) {
    const error = await t.throwsAsync(mounted.write('login', data), { instanceOf: SealboxError, message });
    t.is(error?.code, 'invalid_request');
  }
  const unconfigured = await MountedBackend.create(kubernetesBackendFactory({ serviceAccountDir: noServiceAccountDir }), 'kubernetes');
  await unconfigured.write('role/app', { bound_service_account_names: 'web', bound_service_account_namespaces: 'prod' });
  const error = await t.throwsAsync(unconfigured.write('login', { role: 'app', jwt }), { instanceOf: SealboxError, message: 'could not load backend configuration' });
  t.is(error?.code, 'internal');
  t.true(error?.expose);
});

test('token_bound_cidrs are checked against the client address', async (t) => {
  const mounted = await setup(t, { role: { token_bound_cidrs: '10.0.0.0/8' } });
  const jwt = tokenFor(mounted, newAccount());
  await deniedFor(t, mounted, jwt, 'source address not in token_bound_cidrs', { remoteAddress: '192.168.0.9' });
  const login = await mounted.write('login', { role: 'app', jwt }, { remoteAddress: '10.0.0.9' });
  t.deepEqual(login?.login?.boundCidrs, ['10.0.0.0/8']);
});

test('malformed, unsigned, expired and mis-issued JWTs are refused locally', async (t) => {
  const mounted = await setup(t, { config: { issuer: 'https://issuer.example', disable_iss_validation: false } });
  const issued = { iss: 'https://issuer.example' };
  await deniedFor(t, mounted, 'not-a-jwt', 'JWT is not a signed JWT with three parts');
  await deniedFor(t, mounted, 'e30.e30.', 'unsupported JWT signing algorithm');
  const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(projectedClaims({ ...newAccount(), now: nowSeconds(mounted) }))).toString('base64url')}.`;
  await deniedFor(t, mounted, unsigned, 'unsupported JWT signing algorithm');
  await deniedFor(t, mounted, `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.bm9wZQ.sig`, 'malformed JWT claims');
  const expired = tokenFor(mounted, newAccount(), { claims: { ...issued, exp: nowSeconds(mounted) - 151 } });
  await deniedFor(t, mounted, expired, 'token is expired (exp)');
  const early = tokenFor(mounted, newAccount(), { claims: { ...issued, nbf: nowSeconds(mounted) + 151 } });
  await deniedFor(t, mounted, early, 'token not valid yet (nbf)');
  const future = tokenFor(mounted, newAccount(), { claims: { ...issued, iat: nowSeconds(mounted) + 151 } });
  await deniedFor(t, mounted, future, 'token issued in the future (iat)');
  const foreign = tokenFor(mounted, newAccount(), { claims: { iss: 'https://elsewhere' } });
  await deniedFor(t, mounted, foreign, 'invalid issuer (iss) claim');
  const noUid = tokenFor(mounted, newAccount(), { claims: { ...issued, 'kubernetes.io': { namespace: 'prod', serviceaccount: { name: 'web' } } } });
  await deniedFor(t, mounted, noUid, 'could not parse UID from claims');
  const skewed = tokenFor(mounted, newAccount(), { claims: { ...issued, exp: nowSeconds(mounted) - 149 } });
  t.not(await mounted.write('login', { role: 'app', jwt: skewed }), undefined);
  for (const refused of [expired, early, future, foreign, noUid]) t.deepEqual(server.reviewsOf(refused), []);
});

test('neither the reviewer JWT nor a login JWT reaches the log or storage keys', async (t) => {
  const mounted = await setup(t);
  const good = tokenFor(mounted, newAccount());
  await mounted.write('login', { role: 'app', jwt: good });
  const bad = tokenFor(mounted, newAccount({ name: 'intruder' }));
  await deniedFor(t, mounted, bad, 'service account name not authorized');
  const log = JSON.stringify(mounted.logger.lines);
  for (const secret of [REVIEWER_JWT, good, bad]) t.false(log.includes(secret));
  const raw = await mounted.rawDump();
  for (const secret of [REVIEWER_JWT, good, bad]) t.false(raw.includes(secret));
});
