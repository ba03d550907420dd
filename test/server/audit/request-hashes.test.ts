import test from 'ava';
import { RequestHashes } from '../../../src/server/audit/request-hashes.ts';
import type { LogicalRequest } from '../../../src/server/logical/logical-request.ts';

function request(id: string): LogicalRequest {
  return { id, operation: 'read', path: 'secret/data/a', data: {}, clientToken: 'hvs.token', remoteAddress: '127.0.0.1', remotePort: 1 };
}

test('each value is hashed once per request, for both of its entries, and never reused by another request', (t) => {
  const hashed: string[] = [];
  const hashes = new RequestHashes((value) => {
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
