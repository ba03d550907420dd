import test from 'ava';
import type { TokenEntry } from '../../../src/server/auth/token/token-entry.ts';
import type { EntryFormat } from '../../../src/server/audit/audit-entry.ts';
import { requestEntry, responseEntry, testProbeEntry } from '../../../src/server/audit/audit-entry.ts';
import { hmacIdentifier } from '../../../src/server/audit/audit-hash.ts';
import type { AuditInput } from '../../../src/server/audit/audit-input.ts';
import type { MountEntry } from '../../../src/server/router/mount-entry.ts';

const SALT = '5f1d7a4c-1b2e-4c3d-9e8f-0a1b2c3d4e5f';
const hash = (value: string) => hmacIdentifier(SALT, value);
const NOW = new Date('2026-01-02T03:04:05.678Z');
const HASHED: EntryFormat = { logRaw: false, hmacAccessor: true, elideListResponses: false };

const KV_MOUNT: MountEntry = {
  table: 'mounts',
  path: 'secret/',
  type: 'kv',
  description: '',
  uuid: 'c0ffee00-0000-0000-0000-000000000001',
  accessor: 'kv_1a2b3c4d',
  config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false, audit_non_hmac_request_keys: ['owner'], audit_non_hmac_response_keys: ['version_note'] },
  options: { version: '2' },
  local: false,
  sealWrap: false,
};

const CALLER: TokenEntry = {
  accessor: 'accessor-of-web',
  policies: ['default', 'web'],
  path: 'auth/token/create',
  displayName: 'token',
  meta: { user: 'armon' },
  creationTime: Date.parse('2026-01-02T02:00:00.500Z'),
  ttl: 3600,
  explicitMaxTtl: 0,
  period: 0,
  numUses: 0,
  orphan: false,
  renewable: true,
  type: 'service',
};

function input(overrides: Partial<AuditInput> = {}): AuditInput {
  return {
    request: {
      id: 'req-1',
      operation: 'update',
      path: 'secret/data/app',
      data: { data: { password: 'hunter2', port: 5432, enabled: true, nothing: null, tags: ['a', 'b'] }, owner: 'team-a' },
      clientToken: 'hvs.caller-token',
      remoteAddress: '10.1.2.3',
      remotePort: 53712,
    },
    mount: KV_MOUNT,
    caller: { token: 'hvs.caller-token', entry: CALLER },
    allowed: true,
    ...overrides,
  };
}

test('a request entry has Vault\'s shape with every secret string hashed', (t) => {
  const entry = requestEntry(input(), { format: HASHED, hash, now: NOW });
  t.deepEqual(entry, {
    time: '2026-01-02T03:04:05.678Z',
    type: 'request',
    auth: {
      client_token: hash('hvs.caller-token'),
      accessor: hash('accessor-of-web'),
      display_name: 'token',
      policies: ['default', 'web'],
      token_policies: ['default', 'web'],
      policy_results: { allowed: true },
      metadata: { user: 'armon' },
      token_type: 'service',
      token_ttl: 3600,
      token_issue_time: '2026-01-02T02:00:00Z',
    },
    request: {
      id: 'req-1',
      operation: 'update',
      mount_point: 'secret/',
      mount_type: 'kv',
      mount_accessor: 'kv_1a2b3c4d',
      mount_class: 'secret',
      client_token: hash('hvs.caller-token'),
      client_token_accessor: hash('accessor-of-web'),
      namespace: { id: 'root' },
      path: 'secret/data/app',
      // Numbers are hashed as their text (Vault's json.Number); booleans and null are kept; the
      // non-HMAC key of the mount stays readable.
      data: { data: { password: hash('hunter2'), port: hash('5432'), enabled: true, nothing: null, tags: [hash('a'), hash('b')] }, owner: 'team-a' },
      remote_address: '10.1.2.3',
      remote_port: 53712,
    },
  });
});

test('a non-HMAC key covers the values directly under it, not a nested object\'s keys, as in Vault', (t) => {
  const entry = requestEntry(input({ request: { ...input().request, data: { owner: { name: 'x' }, list: ['y'] } } }), { format: HASHED, hash, now: NOW });
  t.deepEqual((entry['request'] as { data: unknown }).data, { owner: { name: hash('x') }, list: [hash('y')] });
});

test('a response entry hashes response data, the new token and its accessor, and keeps numbers', (t) => {
  const entry = responseEntry(
    input({
      response: {
        data: { data: { password: 'hunter2' }, version: 3, version_note: 'readable' },
        auth: {
          client_token: 'hvs.new-token',
          accessor: 'new-accessor',
          policies: ['default'],
          token_policies: ['default'],
          metadata: null,
          lease_duration: 600,
          renewable: true,
          entity_id: '',
          token_type: 'service',
          orphan: true,
          mfa_requirement: null,
          num_uses: 0,
        },
        warnings: ['careful'],
      },
    }),
    { format: HASHED, hash, now: NOW },
  );
  t.is(entry['type'], 'response');
  t.deepEqual(entry['response'], {
    mount_point: 'secret/',
    mount_type: 'kv',
    mount_accessor: 'kv_1a2b3c4d',
    mount_class: 'secret',
    auth: { client_token: hash('hvs.new-token'), accessor: hash('new-accessor'), policies: ['default'], token_policies: ['default'], token_type: 'service', token_ttl: 600 },
    data: { data: { password: hash('hunter2') }, version: 3, version_note: 'readable' },
    warnings: ['careful'],
  });
});

test('hmac_accessor=false, log_raw and elide_list_responses change what is shown', (t) => {
  const noAccessor = requestEntry(input(), { format: { ...HASHED, hmacAccessor: false }, hash, now: NOW });
  t.is((noAccessor['auth'] as Record<string, unknown>)['accessor'], 'accessor-of-web');
  t.is((noAccessor['request'] as Record<string, unknown>)['client_token_accessor'], 'accessor-of-web');
  t.is((noAccessor['auth'] as Record<string, unknown>)['client_token'], hash('hvs.caller-token'));

  const raw = requestEntry(input(), { format: { ...HASHED, logRaw: true }, hash, now: NOW });
  t.is((raw['auth'] as Record<string, unknown>)['client_token'], 'hvs.caller-token');
  t.deepEqual((raw['request'] as { data: unknown }).data, input().request.data);

  const list = input({ request: { ...input().request, operation: 'list', data: {} }, response: { data: { keys: ['a', 'b', 'c'], key_info: { a: {}, b: {} } } } });
  const elided = responseEntry(list, { format: { ...HASHED, elideListResponses: true }, hash, now: NOW });
  t.deepEqual((elided['response'] as { data: unknown }).data, { keys: 3, key_info: 2 });
  const shown = responseEntry(list, { format: HASHED, hash, now: NOW });
  t.deepEqual((shown['response'] as { data: unknown }).data, { keys: [hash('a'), hash('b'), hash('c')], key_info: { a: {}, b: {} } });
});

test('a refused request carries its error and the ACL verdict; a login has no caller', (t) => {
  const refused = requestEntry(input({ allowed: false, error: 'permission denied' }), { format: HASHED, hash, now: NOW });
  t.is(refused['error'], 'permission denied');
  t.deepEqual((refused['auth'] as Record<string, unknown>)['policy_results'], { allowed: false });
  const { caller: _caller, allowed: _allowed, ...anonymous } = input();
  const login = requestEntry({ ...anonymous, request: { ...anonymous.request, clientToken: '' } }, { format: HASHED, hash, now: NOW });
  t.deepEqual(login['auth'], { token_type: 'default' });
  t.false('client_token' in (login['request'] as Record<string, unknown>));
});

test('the test probe is a request for sys/audit/test', (t) => {
  t.deepEqual(testProbeEntry('probe-id', NOW), {
    time: '2026-01-02T03:04:05.678Z',
    type: 'request',
    auth: { token_type: 'default' },
    request: { id: 'probe-id', operation: 'update', namespace: { id: 'root' }, path: 'sys/audit/test' },
  });
});

test('hashes are HMAC-SHA256 keyed with the salt string, lower-case hex, as Vault computes them', (t) => {
  // echo -n foo | openssl dgst -sha256 -hmac salt
  t.is(hmacIdentifier('salt', 'foo'), 'hmac-sha256:6a9534d88e984dfcea835f190147b72b3f647fdcc2409e5b8be8b331ec7fe8a5');
});
