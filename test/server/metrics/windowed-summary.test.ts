import test from 'ava';
import { Registry } from 'prom-client';
import { WindowedSummary } from '../../../src/server/metrics/windowed-summary.ts';
import { parseMetrics, promtoolCheck, seriesValue } from '../../helpers/prometheus-text.ts';

function summaryAt(clock: { now: number }, sampleLimit?: number) {
  const registry = new Registry();
  const summary = new WindowedSummary<'op'>({
    name: 'test_timer',
    help: 'a timer',
    labelNames: ['op'],
    quantiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 10,
    ageBuckets: 5,
    registry,
    now: () => clock.now,
    ...(sampleLimit === undefined ? {} : { sampleLimit }),
  });
  return { registry, summary };
}

async function quantile(registry: Registry, op: string, q: string): Promise<number | undefined> {
  const families = await parseMetrics(await registry.metrics());
  return families.get('test_timer')?.samples.find((sample) => sample.name === 'test_timer' && sample.labels['op'] === op && sample.labels['quantile'] === q)?.value;
}

test('quantiles of the window, with _sum and _count since the start, in the text format promtool accepts', async (t) => {
  const clock = { now: 0 };
  const { registry, summary } = summaryAt(clock);
  for (let value = 1; value <= 100; value++) summary.observe({ op: 'get' }, value);
  t.is(await quantile(registry, 'get', '0.5'), 50);
  t.is(await quantile(registry, 'get', '0.9'), 90);
  t.is(await quantile(registry, 'get', '0.99'), 99);
  const families = await parseMetrics(await registry.metrics());
  t.is(families.get('test_timer')?.samples.find((sample) => sample.name === 'test_timer_sum')?.value, 5050);
  t.is(seriesValue(families, 'test_timer', { op: 'get' }), 100);
  const check = await promtoolCheck(await registry.metrics());
  t.is(check.code, 0, check.output);
});

test('values age out of the quantiles bucket by bucket; the totals stay', async (t) => {
  const clock = { now: 0 };
  const { registry, summary } = summaryAt(clock);
  summary.observe({ op: 'get' }, 1_000);
  clock.now = 9_000;
  summary.observe({ op: 'get' }, 1);
  t.is(await quantile(registry, 'get', '0.99'), 1_000, 'both within the 10 s window');
  clock.now = 10_500;
  t.is(await quantile(registry, 'get', '0.99'), 1, 'the first bucket aged out');
  clock.now = 60_000;
  t.is(await quantile(registry, 'get', '0.5'), 0, 'an empty window reads 0, as prom-client reports it');
  t.is(seriesValue(await parseMetrics(await registry.metrics()), 'test_timer', { op: 'get' }), 2);
});

test('past the sample limit a bucket keeps a uniform sample, weighted by what it stands for', async (t) => {
  const clock = { now: 0 };
  const { registry, summary } = summaryAt(clock, 64);
  // 10,000 values of 1 in one bucket, 1,000 of 1,000 in the next: the median is 1 and the 0.99 quantile 1,000.
  for (let index = 0; index < 10_000; index++) summary.observe({ op: 'get' }, 1);
  clock.now = 2_000;
  for (let index = 0; index < 1_000; index++) summary.observe({ op: 'get' }, 1_000);
  t.is(await quantile(registry, 'get', '0.5'), 1);
  t.is(await quantile(registry, 'get', '0.99'), 1_000);
});

test('remove drops one label set', async (t) => {
  const { registry, summary } = summaryAt({ now: 0 });
  summary.observe({ op: 'get' }, 1);
  summary.observe({ op: 'put' }, 2);
  summary.remove({ op: 'get' });
  const families = await parseMetrics(await registry.metrics());
  t.is(seriesValue(families, 'test_timer', { op: 'get' }), undefined);
  t.is(seriesValue(families, 'test_timer', { op: 'put' }), 1);
});
