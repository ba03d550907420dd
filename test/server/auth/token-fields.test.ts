import test from 'ava';
import { SealboxError } from '../../../src/lib/errors.ts';
import { FieldData } from '../../../src/server/logical/field-data.ts';
import { addressAllowed, cidrsWithin, parseCidrList } from '../../../src/lib/cidr.ts';
import {
  DEFAULT_TOKEN_SETTINGS,
  parseTokenFields,
  tokenFieldsData,
  tokenGrantParts,
} from '../../../src/server/auth/token-fields.ts';

const ALL_LEGACY = ['policies', 'ttl', 'max_ttl', 'period', 'bound_cidrs', 'num_uses'] as const;

function parse(raw: Record<string, unknown>, current = DEFAULT_TOKEN_SETTINGS, legacy: readonly (typeof ALL_LEGACY)[number][] = ALL_LEGACY) {
  return parseTokenFields(new FieldData(raw), current, legacy);
}

test('an empty write reads back as every token_ field at its zero value', (t) => {
  t.deepEqual(tokenFieldsData(parse({})), {
    token_bound_cidrs: [],
    token_explicit_max_ttl: 0,
    token_max_ttl: 0,
    token_no_default_policy: false,
    token_num_uses: 0,
    token_period: 0,
    token_policies: [],
    token_ttl: 0,
    token_type: 'default',
  });
});

test('token_ fields take Vault weak typing: csv strings, duration strings and numeric strings', (t) => {
  const settings = parse({
    token_policies: ' Admin, dev ,admin,,',
    token_ttl: '1h',
    token_max_ttl: 7200,
    token_explicit_max_ttl: '3d',
    token_period: '30m',
    token_num_uses: '5',
    token_no_default_policy: 'true',
    token_bound_cidrs: '10.0.0.0/8, 127.0.0.1/32, ::1',
    token_type: 'service',
  });
  t.deepEqual(tokenFieldsData(settings), {
    token_bound_cidrs: ['10.0.0.0/8', '127.0.0.1', '::1'],
    token_explicit_max_ttl: 259200,
    token_max_ttl: 7200,
    token_no_default_policy: true,
    token_num_uses: 5,
    token_period: 1800,
    token_policies: ['admin', 'dev'],
    token_ttl: 3600,
    token_type: 'service',
  });
});

test('fields left out of a write keep their current values', (t) => {
  const first = parse({ token_ttl: 60, token_policies: 'a' });
  const second = parse({ token_max_ttl: 120 }, first);
  t.is(second.ttl, 60);
  t.is(second.maxTtl, 120);
  t.deepEqual(second.policies, ['a']);
});

test('a legacy alias sets the token_ field and is read back beside it', (t) => {
  const settings = parse({ policies: 'a,b', ttl: '10m', max_ttl: 1200, period: 30, bound_cidrs: '10.0.0.0/8', num_uses: 3 });
  t.deepEqual(tokenFieldsData(settings), {
    token_bound_cidrs: ['10.0.0.0/8'],
    token_explicit_max_ttl: 0,
    token_max_ttl: 1200,
    token_no_default_policy: false,
    token_num_uses: 3,
    token_period: 30,
    token_policies: ['a', 'b'],
    token_ttl: 600,
    token_type: 'default',
    policies: ['a', 'b'],
    ttl: 600,
    max_ttl: 1200,
    period: 30,
    bound_cidrs: ['10.0.0.0/8'],
    num_uses: 3,
  });
});

test('writing only the token_ name drops the legacy name from reads', (t) => {
  const legacy = parse({ policies: 'a' });
  const upgraded = parse({ token_policies: 'b' }, legacy);
  const data = tokenFieldsData(upgraded);
  t.deepEqual(data['token_policies'], ['b']);
  t.false('policies' in data);
});

test('when both names are given the token_ name wins and the legacy name stays', (t) => {
  const data = tokenFieldsData(parse({ token_ttl: 100, ttl: 999 }));
  t.is(data['token_ttl'], 100);
  t.is(data['ttl'], 100);
});

test('a legacy alias the method does not accept is ignored', (t) => {
  const settings = parse({ num_uses: 4 }, DEFAULT_TOKEN_SETTINGS, ['policies']);
  t.is(settings.numUses, 0);
  t.false('num_uses' in tokenFieldsData(settings));
});

test('a legacy alias with a zero value is not read back', (t) => {
  const data = tokenFieldsData(parse({ ttl: 0 }));
  t.false('ttl' in data);
});

test('invalid token settings are 400s with tokenutil messages', (t) => {
  const cases: [Record<string, unknown>, string][] = [
    [{ token_ttl: 100, token_max_ttl: 50 }, "'token_ttl' cannot be greater than 'token_max_ttl'"],
    [{ ttl: 100, max_ttl: 50 }, "'token_ttl' cannot be greater than 'token_max_ttl'"],
    [{ token_num_uses: -1 }, "'token_num_uses' cannot be negative"],
    [{ token_type: 'weird' }, 'invalid \'token_type\' value "weird"'],
    [{ token_type: 'batch' }, '\'token_type\' "batch" is not supported: only service tokens are issued'],
    [{ token_ttl: 'soon' }, 'invalid value for field "token_ttl": expected a duration'],
    [{ token_bound_cidrs: '10.0.0.0/33' }, 'invalid value for field "token_bound_cidrs": "10.0.0.0/33" is not an IP address or CIDR block'],
    [{ bound_cidrs: 'nope' }, 'invalid value for field "bound_cidrs": "nope" is not an IP address or CIDR block'],
  ];
  for (const [raw, message] of cases) {
    const error = t.throws(() => parse(raw), { instanceOf: SealboxError, message });
    t.is(error?.code, 'invalid_request');
  }
});

test('token_type default and empty both mean the mount default', (t) => {
  t.is(parse({ token_type: '' }).type, 'default');
  t.is(parse({ token_type: 'default' }).type, 'default');
});

test('the grant parts carry every token setting and are renewable', (t) => {
  const settings = parse({ token_policies: 'p', token_ttl: 10, token_max_ttl: 20, token_explicit_max_ttl: 30, token_period: 5, token_num_uses: 2, token_no_default_policy: true, token_bound_cidrs: '10.1.0.0/16' });
  t.deepEqual(tokenGrantParts(settings), {
    policies: ['p'],
    ttl: 10,
    maxTtl: 20,
    explicitMaxTtl: 30,
    period: 5,
    numUses: 2,
    noDefaultPolicy: true,
    renewable: true,
    boundCidrs: ['10.1.0.0/16'],
  });
});

test('parseCidrList keeps host bits and bare addresses, and names the field on error', (t) => {
  t.deepEqual(parseCidrList(['10.1.2.3/8', '192.168.0.1', 'fe80::/10', '::1/128'], 'x'), ['10.1.2.3/8', '192.168.0.1', 'fe80::/10', '::1']);
  t.throws(() => parseCidrList(['10.0.0.0/8/1'], 'cidr_list'), { message: 'invalid value for field "cidr_list": "10.0.0.0/8/1" is not an IP address or CIDR block' });
  t.throws(() => parseCidrList(['10.0.0.0/x'], 'cidr_list'), { instanceOf: SealboxError });
});

test('addressAllowed matches IPv4, IPv4-mapped IPv6 and IPv6 remote addresses', (t) => {
  t.true(addressAllowed('10.9.8.7', []));
  t.true(addressAllowed('10.9.8.7', ['10.0.0.0/8']));
  t.false(addressAllowed('11.0.0.1', ['10.0.0.0/8']));
  t.true(addressAllowed('::ffff:127.0.0.1', ['127.0.0.1']));
  t.false(addressAllowed('127.0.0.2', ['127.0.0.1']));
  t.true(addressAllowed('::1', ['::1']));
  t.false(addressAllowed('::1', ['127.0.0.0/8']));
  t.false(addressAllowed('not-an-ip', ['0.0.0.0/0']));
});

test('cidrsWithin tells whether every inner block lies inside an outer one', (t) => {
  t.true(cidrsWithin(['10.1.0.0/16'], []));
  t.true(cidrsWithin(['10.1.0.0/16', '10.2.3.4'], ['10.0.0.0/8']));
  t.false(cidrsWithin(['10.0.0.0/7'], ['10.0.0.0/8']));
  t.false(cidrsWithin(['11.0.0.0/16'], ['10.0.0.0/8']));
  t.false(cidrsWithin(['::1'], ['0.0.0.0/0']));
  t.true(cidrsWithin([], ['10.0.0.0/8']));
});
