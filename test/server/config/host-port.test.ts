import test from 'ava';
import { splitHostPort } from '../../../src/server/config/host-port.ts';

test('splits host and port', (t) => {
  t.deepEqual(splitHostPort('127.0.0.1:8200'), { host: '127.0.0.1', port: 8200 });
  t.deepEqual(splitHostPort('vault.example.com:443'), { host: 'vault.example.com', port: 443 });
  t.deepEqual(splitHostPort('[::1]:8200'), { host: '::1', port: 8200 });
  t.deepEqual(splitHostPort('localhost:0'), { host: 'localhost', port: 0 });
});

test('rejects what is not host:port', (t) => {
  const bad = ['', '8200', ':8200', 'host', 'host:', 'host:65536', 'host:-1', '::1:8200', '[nope]:1', 'a b:1', 'http://h:1'];
  for (const address of bad) {
    t.is(splitHostPort(address), undefined, address);
  }
});
