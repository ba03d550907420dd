import test from 'ava';
import { ReadWriteLock } from '../../../../src/server/storage/file/read-write-lock.ts';

/** A task that records its start and end, and finishes only when told. */
function task(log: string[], name: string) {
  const { promise, resolve } = Promise.withResolvers<void>();
  return {
    finish: resolve,
    work: async () => {
      log.push(`${name} start`);
      await promise;
      log.push(`${name} end`);
    },
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('readers share, a writer waits for them and excludes everyone, in arrival order', async (t) => {
  const lock = new ReadWriteLock();
  const log: string[] = [];
  const [read1, read2, write, read3] = [task(log, 'r1'), task(log, 'r2'), task(log, 'w'), task(log, 'r3')];
  const done = [lock.read(read1.work), lock.read(read2.work), lock.write(write.work), lock.read(read3.work)];
  await turn();
  t.deepEqual(log, ['r1 start', 'r2 start'], 'readers run together; the writer waits');
  read1.finish();
  await turn();
  t.deepEqual(log.slice(2), ['r1 end'], 'the writer still waits for the second reader, and the later reader waits behind it');
  read2.finish();
  await turn();
  t.deepEqual(log.slice(3), ['r2 end', 'w start']);
  write.finish();
  await turn();
  t.deepEqual(log.slice(5), ['w end', 'r3 start']);
  read3.finish();
  await Promise.all(done);
});

test('a failing task releases the lock', async (t) => {
  const lock = new ReadWriteLock();
  await t.throwsAsync(lock.write(async () => Promise.reject(new Error('boom'))), { message: 'boom' });
  t.is(await lock.write(async () => 'next'), 'next');
});
