import { PassThrough } from 'node:stream';
import test from 'ava';
import { progressReporter } from '../../src/cli/migrate-progress.ts';

function capture(isTTY: boolean): { stream: PassThrough & { isTTY: boolean; columns: number }; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 100 });
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

test('without a terminal: a line at the start and one every N keys', async (t) => {
  const { stream, text } = capture(false);
  const progress = progressReporter(stream, 2);
  progress.start(5);
  for (let copied = 1; copied <= 5; copied++) progress.copied({ copied, total: 5, key: `k${copied}` });
  progress.stop();
  await new Promise((resolve) => setImmediate(resolve));
  t.is(text(), 'copying 5 keys\ncopied 2 of 5 keys\ncopied 4 of 5 keys\n');
});

test('on a terminal: a bar redrawn in place that ends at the total', async (t) => {
  const { stream, text } = capture(true);
  const progress = progressReporter(stream);
  progress.start(3);
  for (let copied = 1; copied <= 3; copied++) progress.copied({ copied, total: 3, key: `k${copied}` });
  progress.stop();
  await new Promise((resolve) => setImmediate(resolve));
  t.regex(text(), /copying \[[█░]+\] 100% \| 3\/3 keys/);
  t.false(text().includes('copied 1 of'), 'no plain lines on a terminal');
});
