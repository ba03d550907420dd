import test from 'ava';
import { RequestMemo } from '../../../src/server/audit/request-memo.ts';
import type { LogicalRequest } from '../../../src/server/logical/logical-request.ts';

function request(id: string): LogicalRequest {
  return { id, operation: 'read', path: 'secret/data/a', data: {}, clientToken: 'hvs.token', remoteAddress: '127.0.0.1', remotePort: 1 };
}

test('each value is hashed once per request, for both of its entries, and never reused by another request', (t) => {
  const hashed: string[] = [];
  const hashes = new RequestMemo((value) => {
    hashed.push(value);
    return `h(${value})`;
  });
  const first = request('1');
  t.is(hashes.for(first)('hvs.token'), 'h(hvs.token)');
  t.is(hashes.for(first)('hvs.token'), 'h(hvs.token)', 'the response entry of the same request');
  t.is(hashes.for(first)('accessor'), 'h(accessor)');
  t.deepEqual(hashed, ['hvs.token', 'accessor']);
  t.is(hashes.for(request('2'))('hvs.token'), 'h(hvs.token)');
  t.deepEqual(hashed, ['hvs.token', 'accessor', 'hvs.token']);
});

test('the shared blocks are made once per request, and again when the mount, caller or verdict differ', (t) => {
  const hashes = new RequestMemo((value) => value);
  const first = request('1');
  let made = 0;
  const make = () => {
    made += 1;
    return { auth: { n: made }, request: {} };
  };
  const input = { request: first, allowed: true };
  const blocks = hashes.blocks(input, make);
  t.is(hashes.blocks({ ...input, response: { data: {} } }, make), blocks, 'the response entry of the same request');
  t.not(hashes.blocks({ ...input, allowed: false }, make), blocks);
  t.is(hashes.blocks({ request: request('2'), allowed: true }, make).auth['n'], 3);
});
