import test from 'ava';
import { runWorkers } from '../../../src/operator/queue/run-workers.ts';
import { WorkQueue } from '../../../src/operator/queue/work-queue.ts';

test('a key added many times waits once; keys come out in order', async (t) => {
  const queue = new WorkQueue();
  for (const key of ['a', 'b', 'a', 'c', 'b']) queue.add(key);
  t.is(queue.depth, 3);
  t.deepEqual([await queue.get(), await queue.get(), await queue.get()], ['a', 'b', 'c']);
});

test('a key added while in progress is not handed out until done, then once more', async (t) => {
  const queue = new WorkQueue();
  queue.add('a');
  const first = await queue.get();
  queue.add('a');
  queue.add('a');
  t.is(queue.depth, 0, 'not available while processing');
  t.true(queue.isProcessing('a'));
  queue.done(first!);
  t.is(queue.depth, 1);
  t.is(await queue.get(), 'a');
  queue.done('a');
  t.is(queue.depth, 0);
});

test('back-off doubles per failure up to the cap and resets on forget', (t) => {
  const queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50 });
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    delays.push(queue.backoffMs('k'));
    queue.addRateLimited('k');
  }
  t.deepEqual(delays, [10, 20, 40, 50, 50]);
  queue.forget('k');
  t.is(queue.backoffMs('k'), 10);
  queue.shutDown();
});

test('addAfter delivers the key later, and the earliest of two delays wins', async (t) => {
  const queue = new WorkQueue();
  queue.addAfter('k', 10_000);
  queue.addAfter('k', 20);
  t.is(queue.depth, 0);
  t.is(await queue.get(), 'k');
  queue.shutDown();
});

test('shutDown wakes waiting getters with undefined', async (t) => {
  const queue = new WorkQueue();
  const waiting = queue.get();
  queue.shutDown();
  t.is(await waiting, undefined);
  queue.add('late');
  t.is(await queue.get(), undefined);
});

test('workers never run one key twice at once; errors retry with back-off; requeue-after comes back', async (t) => {
  const queue = new WorkQueue({ baseDelayMs: 5 });
  const running = new Set<string>();
  let overlaps = 0;
  const calls = new Map<string, number>();
  let errors = 0;
  const finished = Promise.withResolvers<void>();
  const workers = runWorkers(
    queue,
    4,
    async (key) => {
      if (running.has(key)) overlaps++;
      running.add(key);
      const count = (calls.get(key) ?? 0) + 1;
      calls.set(key, count);
      await new Promise((resolve) => setTimeout(resolve, 5));
      queue.add(key); // an event for the key while it is being reconciled
      running.delete(key);
      if (key === 'fails' && count < 3) throw new Error('boom');
      if (key === 'requeues' && count === 1) return { requeueAfterMs: 10 };
      if ((calls.get('fails') ?? 0) >= 3 && (calls.get('requeues') ?? 0) >= 2) finished.resolve();
      return {};
    },
    () => errors++,
  );
  queue.add('fails');
  queue.add('requeues');
  queue.add('plain');
  await finished.promise;
  queue.shutDown();
  await workers;
  t.is(overlaps, 0);
  t.is(errors, 2);
  t.true((calls.get('requeues') ?? 0) >= 2);
});
