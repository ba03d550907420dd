import test from 'ava';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { atMost, BatchQueue } from '../../src/lib/batch-queue.ts';

interface Recorder {
  readonly batches: number[][];
  readonly queue: BatchQueue<number, number>;
  release(): void;
}

// A queue whose batches are answered (doubling each item) only when released; `limit` items per batch.
function recorder(maxInFlight: number, limit = Infinity): Recorder {
  const batches: number[][] = [];
  let gates: Array<() => void> = [];
  const queue = new BatchQueue<number, number>({
    maxInFlight,
    newBatch: atMost(limit),
    send: async (items) => {
      batches.push([...items]);
      await new Promise<void>((resolve) => gates.push(resolve));
      return items.map((item) => item * 2);
    },
  });
  const release = (): void => {
    const open = gates;
    gates = [];
    for (const gate of open) gate();
  };
  return { batches, queue, release };
}

// A batch answered schedules the next one for the turn after its callers resume.
async function turns(count: number): Promise<void> {
  for (let turn = 0; turn < count; turn++) await nextTurn();
}

test('items submitted in one turn go out as one batch, and each caller gets its own result', async (t) => {
  const { batches, queue, release } = recorder(1);
  const results = Promise.all([1, 2, 3].map((item) => queue.run(item)));
  await nextTurn();
  release();
  t.deepEqual(await results, [2, 4, 6]);
  t.deepEqual(batches, [[1, 2, 3]]);
});

test('items that come while the batches in flight are unanswered gather into the next batch', async (t) => {
  const { batches, queue, release } = recorder(1);
  const first = queue.run(1);
  await nextTurn();
  const later = [queue.run(2), queue.run(3)];
  await nextTurn();
  const laterStill = queue.run(4);
  await nextTurn();
  t.deepEqual(batches, [[1]], 'nothing more is sent while one batch is in flight');
  release();
  t.is(await first, 2);
  await turns(2);
  release();
  t.deepEqual(await Promise.all([...later, laterStill]), [4, 6, 8]);
  t.deepEqual(batches, [[1], [2, 3, 4]]);
});

test('up to maxInFlight batches go out at once, in the order the items came', async (t) => {
  const { batches, queue, release } = recorder(2, 2);
  const results = Promise.all([1, 2, 3, 4, 5].map((item) => queue.run(item)));
  await nextTurn();
  t.deepEqual(batches, [[1, 2], [3, 4]]);
  release();
  await turns(2);
  t.deepEqual(batches, [[1, 2], [3, 4], [5]]);
  release();
  t.deepEqual(await results, [2, 4, 6, 8, 10]);
});

test('an item no batch admits still goes out, alone', async (t) => {
  const { batches, queue, release } = recorder(1, 0);
  const results = Promise.all([1, 2].map((item) => queue.run(item)));
  await nextTurn();
  release();
  await turns(2);
  release();
  t.deepEqual(await results, [2, 4]);
  t.deepEqual(batches, [[1], [2]]);
});

test('an item a batch refuses on its own goes alone, and counts for nothing in the next batch', async (t) => {
  const batches: number[][] = [];
  // Items are sizes; a batch holds at most 10, and remembers only what it admits.
  const queue = new BatchQueue<number, number>({
    maxInFlight: Infinity,
    newBatch: () => {
      let total = 0;
      return (size) => {
        if (total + size > 10) return false;
        total += size;
        return true;
      };
    },
    send: async (items) => {
      batches.push([...items]);
      return items;
    },
  });
  t.deepEqual(await Promise.all([20, 1, 2, 30, 3].map((size) => queue.run(size))), [20, 1, 2, 30, 3]);
  t.deepEqual(batches, [[20], [1, 2], [30], [3]]);
});

test('idle settles once every item submitted before it is answered', async (t) => {
  const { queue, release } = recorder(1, 1);
  t.is(await Promise.race([queue.idle().then(() => 'idle'), turns(1).then(() => 'waiting')]), 'idle', 'an empty queue is idle');
  const answered: number[] = [];
  for (const item of [1, 2]) void queue.run(item).then((result) => answered.push(result));
  let idle = false;
  void queue.idle().then(() => (idle = true));
  await turns(2);
  t.false(idle);
  release();
  await turns(2);
  t.false(idle, 'the second item is still in flight');
  release();
  await turns(2);
  t.true(idle);
  t.deepEqual(answered, [2, 4]);
});

test('a failed batch fails each of its items, and the queue goes on', async (t) => {
  let calls = 0;
  const queue = new BatchQueue<number, number>({
    maxInFlight: 1,
    newBatch: () => () => true,
    send: async (items) => {
      calls += 1;
      if (calls === 1) throw new Error('storage down');
      return items;
    },
  });
  const failed = [queue.run(1), queue.run(2)];
  for (const result of failed) await t.throwsAsync(result, { message: 'storage down' });
  t.is(await queue.run(3), 3);
});
