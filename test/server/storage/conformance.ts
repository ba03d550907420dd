import { randomBytes } from 'node:crypto';
import type { ExecutionContext, TestFn } from 'ava';
import { isSealboxError } from '../../../src/lib/errors.ts';
import type { PhysicalBackend, Transactional } from '../../../src/server/storage/physical-backend.ts';

export type ConformanceBackend = PhysicalBackend & Transactional;

/**
 * The behaviour every storage backend shares. A backend's test file calls this with a function
 * opening a fresh, empty backend; each test closes the backend it opened.
 */
export function registerConformanceTests<Context>(
  test: TestFn<Context>,
  name: string,
  open: () => Promise<ConformanceBackend>,
): void {
  const backendTest = (title: string, body: (t: ExecutionContext<Context>, backend: ConformanceBackend) => Promise<void>) =>
    test(`${name}: ${title}`, async (t) => {
      const backend = await open();
      t.teardown(() => backend.close());
      await body(t, backend);
    });

  backendTest('a missing key reads as undefined', async (t, backend) => {
    t.is(await backend.get('missing'), undefined);
    t.is(await backend.get('missing/nested/key'), undefined);
  });

  backendTest('put, get and delete', async (t, backend) => {
    await backend.put('alpha', bytes('one'));
    t.deepEqual(await backend.get('alpha'), bytes('one'));
    await backend.delete('alpha');
    t.is(await backend.get('alpha'), undefined);
  });

  backendTest('put overwrites', async (t, backend) => {
    await backend.put('key', bytes('first value, longer'));
    await backend.put('key', bytes('second'));
    t.deepEqual(await backend.get('key'), bytes('second'));
  });

  backendTest('values are opaque bytes: every byte value, empty, and large', async (t, backend) => {
    const everyByte = Uint8Array.from({ length: 256 }, (_, index) => index);
    const large = new Uint8Array(randomBytes(512 * 1024));
    await backend.put('bytes/every', everyByte);
    await backend.put('bytes/empty', new Uint8Array(0));
    await backend.put('bytes/large', large);
    t.deepEqual(await backend.get('bytes/every'), everyByte);
    t.deepEqual(await backend.get('bytes/empty'), new Uint8Array(0));
    t.deepEqual(await backend.get('bytes/large'), large);
  });

  backendTest('values are copied in and out', async (t, backend) => {
    const value = bytes('original');
    await backend.put('copied', value);
    value.fill(0);
    const read = await backend.get('copied');
    t.deepEqual(read, bytes('original'));
    read?.fill(0);
    t.deepEqual(await backend.get('copied'), bytes('original'));
  });

  backendTest('keys may hold any character but / and controls', async (t, backend) => {
    const keys = ['spaces in key', 'ünïcødé/ключ', 'dots.../x..y', 'percent%41/and_under_', '_leading', '%leading'];
    for (const key of keys) await backend.put(key, bytes(key));
    for (const key of keys) t.deepEqual(await backend.get(key), bytes(key));
  });

  backendTest('list returns one level: keys, and folders with a trailing slash', async (t, backend) => {
    await putAll(backend, ['a', 'b/c', 'b/d/e', 'b/d/f', 'g/h/i/j']);
    t.deepEqual(await backend.list(''), ['a', 'b/', 'g/']);
    t.deepEqual(await backend.list('b/'), ['c', 'd/']);
    t.deepEqual(await backend.list('b/d/'), ['e', 'f']);
    t.deepEqual(await backend.list('g/'), ['h/']);
    t.deepEqual(await backend.list('g/h/i/'), ['j']);
  });

  backendTest('list of a missing folder or a key is empty', async (t, backend) => {
    await putAll(backend, ['file', 'dir/x']);
    t.deepEqual(await backend.list('nothing/'), []);
    t.deepEqual(await backend.list('file/'), []);
    t.deepEqual(await backend.list('dir/x/'), []);
  });

  backendTest('a key and a folder of the same name coexist', async (t, backend) => {
    await putAll(backend, ['x', 'x/y', 'x/y/z']);
    t.deepEqual(await backend.list(''), ['x', 'x/']);
    t.deepEqual(await backend.list('x/'), ['y', 'y/']);
    t.deepEqual(await backend.get('x'), bytes('x'));
    t.deepEqual(await backend.get('x/y'), bytes('x/y'));
    await backend.delete('x');
    t.deepEqual(await backend.list(''), ['x/']);
    t.deepEqual(await backend.get('x/y/z'), bytes('x/y/z'));
  });

  backendTest('names that look like storage markup stay distinct', async (t, backend) => {
    await putAll(backend, ['c', '_c/d', '_c', '%e', '%e/f', '%5Fc/g', '%25e']);
    t.deepEqual(await backend.list(''), ['%25e', '%5Fc/', '%e', '%e/', '_c', '_c/', 'c']);
    t.deepEqual(await backend.list('_c/'), ['d']);
    t.deepEqual(await backend.list('%5Fc/'), ['g']);
    t.deepEqual(await backend.get('_c/d'), bytes('_c/d'));
    t.deepEqual(await backend.get('%5Fc/g'), bytes('%5Fc/g'));
  });

  backendTest('list output is sorted', async (t, backend) => {
    const names = ['zeta', 'Alpha', 'beta', '10', '9', 'a-b', 'a_b', 'a.b', 'beta2'];
    await putAll(backend, names.map((name) => `sorted/${name}`));
    await backend.put('sorted/m/inner', bytes('folder'));
    t.deepEqual(await backend.list('sorted/'), [...names, 'm/'].sort());
  });

  backendTest('list handles folders with many keys and a large subtree', async (t, backend) => {
    const direct = Array.from({ length: 520 }, (_, index) => `k${String(index).padStart(4, '0')}`);
    const nested = Array.from({ length: 520 }, (_, index) => `sub/n${index}`);
    await Promise.all([...direct, ...nested, 'zz', 'sub2/x'].map((name) => backend.put(`big/${name}`, bytes(name))));
    t.deepEqual(await backend.list('big/'), [...direct, 'sub/', 'sub2/', 'zz']);
    t.is((await backend.list('big/sub/')).length, 520);
  });

  backendTest('deleting the last key of a folder removes the folder from list', async (t, backend) => {
    await putAll(backend, ['keep', 'p/q/r']);
    await backend.delete('p/q/r');
    t.deepEqual(await backend.list(''), ['keep']);
    t.deepEqual(await backend.list('p/'), []);
  });

  backendTest('deleting a missing key is not an error', async (t, backend) => {
    await t.notThrowsAsync(backend.delete('never-written'));
    await t.notThrowsAsync(backend.delete('never/written/either'));
  });

  backendTest('invalid keys are rejected with invalid_request', async (t, backend) => {
    const invalid = ['', '/leading', 'trailing/', 'a//b', '.', '..', 'a/./b', 'a/../b', '../up', 'nul\0byte', 'line\nfeed',
      'del\u007f', 'x'.repeat(4097), 'lone\ud800surrogate'];
    for (const key of invalid) {
      assertInvalid(t, await rejection(backend.get(key)), key);
      assertInvalid(t, await rejection(backend.put(key, bytes('value'))), key);
      assertInvalid(t, await rejection(backend.delete(key)), key);
      assertInvalid(t, await rejection(backend.transaction([{ type: 'put', key, value: bytes('v') }])), key);
    }
  });

  backendTest('invalid list prefixes are rejected with invalid_request', async (t, backend) => {
    for (const prefix of ['no-slash', '/leading/', 'a//', './', 'a/../']) {
      assertInvalid(t, await rejection(backend.list(prefix)), prefix);
    }
  });

  backendTest('errors never carry the value', async (t, backend) => {
    const secret = 'hunter2-very-secret-value';
    const error = await rejection(backend.put('bad//key', bytes(secret)));
    t.false(String(error).includes(secret));
  });

  backendTest('a transaction applies every operation', async (t, backend) => {
    await putAll(backend, ['t/old']);
    const applied = await backend.transaction([
      { type: 'put', key: 't/a', value: bytes('A') },
      { type: 'put', key: 't/deep/b', value: bytes('B') },
      { type: 'delete', key: 't/old' },
    ]);
    t.true(applied);
    t.deepEqual(await backend.get('t/a'), bytes('A'));
    t.deepEqual(await backend.get('t/deep/b'), bytes('B'));
    t.is(await backend.get('t/old'), undefined);
    t.deepEqual(await backend.list('t/'), ['a', 'deep/']);
  });

  backendTest('a transaction applies in order: the last operation on a key wins', async (t, backend) => {
    t.true(
      await backend.transaction([
        { type: 'put', key: 'o/k', value: bytes('first') },
        { type: 'put', key: 'o/k', value: bytes('second') },
        { type: 'put', key: 'o/gone', value: bytes('x') },
        { type: 'delete', key: 'o/gone' },
        { type: 'delete', key: 'o/back' },
        { type: 'put', key: 'o/back', value: bytes('again') },
      ]),
    );
    t.deepEqual(await backend.get('o/k'), bytes('second'));
    t.is(await backend.get('o/gone'), undefined);
    t.deepEqual(await backend.get('o/back'), bytes('again'));
  });

  backendTest('a condition on a present value', async (t, backend) => {
    await backend.put('c/version', bytes('1'));
    const write = (expected: string, next: string) =>
      backend.transaction(
        [{ type: 'put', key: 'c/version', value: bytes(next) }, { type: 'put', key: 'c/data', value: bytes(next) }],
        [{ key: 'c/version', value: bytes(expected) }],
      );
    t.true(await write('1', '2'));
    t.false(await write('1', '3'));
    t.deepEqual(await backend.get('c/version'), bytes('2'));
    t.deepEqual(await backend.get('c/data'), bytes('2'));
  });

  backendTest('a condition on an absent key', async (t, backend) => {
    const create = (value: string) =>
      backend.transaction([{ type: 'put', key: 'c/once', value: bytes(value) }], [{ key: 'c/once', value: undefined }]);
    t.true(await create('first'));
    t.false(await create('second'));
    t.deepEqual(await backend.get('c/once'), bytes('first'));
  });

  backendTest('a condition on an empty value is not a condition on absence', async (t, backend) => {
    await backend.put('c/empty', new Uint8Array(0));
    t.false(await backend.transaction([{ type: 'put', key: 'c/r', value: bytes('x') }], [{ key: 'c/empty', value: undefined }]));
    t.true(await backend.transaction([{ type: 'put', key: 'c/r', value: bytes('y') }], [{ key: 'c/empty', value: new Uint8Array(0) }]));
    t.false(await backend.transaction([{ type: 'put', key: 'c/r', value: bytes('z') }], [{ key: 'c/none', value: new Uint8Array(0) }]));
    t.deepEqual(await backend.get('c/r'), bytes('y'));
  });

  backendTest('a failed condition applies nothing', async (t, backend) => {
    await putAll(backend, ['f/a', 'f/b']);
    const applied = await backend.transaction(
      [
        { type: 'put', key: 'f/a', value: bytes('changed') },
        { type: 'delete', key: 'f/b' },
        { type: 'put', key: 'f/new', value: bytes('new') },
      ],
      [
        { key: 'f/a', value: bytes('f/a') },
        { key: 'f/b', value: bytes('not what is stored') },
      ],
    );
    t.false(applied);
    t.deepEqual(await backend.get('f/a'), bytes('f/a'));
    t.deepEqual(await backend.get('f/b'), bytes('f/b'));
    t.is(await backend.get('f/new'), undefined);
    t.deepEqual(await backend.list('f/'), ['a', 'b']);
  });

  backendTest('a transaction with an invalid key applies nothing', async (t, backend) => {
    const error = await rejection(
      backend.transaction([
        { type: 'put', key: 'v/ok', value: bytes('ok') },
        { type: 'put', key: 'v//bad', value: bytes('bad') },
      ]),
    );
    assertInvalid(t, error, 'v//bad');
    t.is(await backend.get('v/ok'), undefined);
  });

  backendTest('an empty transaction succeeds', async (t, backend) => {
    t.true(await backend.transaction([]));
    await backend.put('e/x', bytes('1'));
    t.true(await backend.transaction([], [{ key: 'e/x', value: bytes('1') }]));
    t.false(await backend.transaction([], [{ key: 'e/x', value: bytes('2') }]));
  });

  backendTest('concurrent create-if-absent transactions: exactly one wins', async (t, backend) => {
    const contenders = Array.from({ length: 12 }, (_, index) => `node-${index}`);
    const results = await Promise.all(
      contenders.map((id) =>
        backend.transaction(
          [{ type: 'put', key: 'race/owner', value: bytes(id) }, { type: 'put', key: `race/by/${id}`, value: bytes(id) }],
          [{ key: 'race/owner', value: undefined }],
        ),
      ),
    );
    t.is(results.filter(Boolean).length, 1);
    const winner = contenders[results.indexOf(true)] ?? '';
    t.deepEqual(await backend.get('race/owner'), bytes(winner));
    t.deepEqual(await backend.list('race/by/'), [winner]);
  });
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

async function putAll(backend: PhysicalBackend, keys: readonly string[]): Promise<void> {
  for (const key of keys) await backend.put(key, bytes(key));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

function assertInvalid<Context>(t: ExecutionContext<Context>, error: unknown, key: string): void {
  t.true(isSealboxError(error, 'invalid_request'), `expected invalid_request for ${JSON.stringify(key)}, got ${String(error)}`);
}
