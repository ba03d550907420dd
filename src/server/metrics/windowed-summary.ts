import type { Registry } from 'prom-client';

/** Samples kept per age bucket and series: beyond it a bucket keeps a uniform random sample. */
const DEFAULT_SAMPLE_LIMIT = 512;

export interface WindowedSummaryOptions<Label extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly Label[];
  readonly quantiles: readonly number[];
  /** The window the quantiles cover, split into `ageBuckets` buckets that age out one at a time. */
  readonly maxAgeSeconds: number;
  readonly ageBuckets: number;
  readonly registry: Registry;
  /** Unix milliseconds; tests inject a clock. */
  readonly now?: () => number;
  readonly sampleLimit?: number;
}

type Labels<Label extends string> = Partial<Record<Label, string>>;

/** The samples of one age bucket: up to `limit` kept, `seen` observed. */
interface Bucket {
  readonly samples: Float64Array;
  seen: number;
}

interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly buckets: Bucket[];
  current: number;
  rotatedAt: number;
  count: number;
  sum: number;
}

/** One value of the exposition, as prom-client's registry reads it from `get()`. */
interface ExposedValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName?: string;
}

/**
 * A Prometheus summary with quantiles over a sliding window, like prom-client's Summary (and the
 * Go client's that go-metrics uses), exposed the same way: a `quantile` series per quantile, then
 * `_sum` and `_count`. prom-client feeds every observation into one t-digest per age bucket, five
 * tree inserts per observation, on every request's several timers; this one appends the value to
 * the current bucket's array and does the work when scraped, sorting the kept samples. Memory is
 * bounded: past `sampleLimit` values in a bucket, reservoir sampling keeps a uniform sample, and
 * each bucket's samples are weighted by how many values they stand for.
 */
export class WindowedSummary<Label extends string = never> {
  readonly name: string;
  readonly help: string;
  readonly type = 'summary';
  readonly aggregator = 'sum';
  readonly #labelNames: readonly Label[];
  readonly #quantiles: readonly number[];
  readonly #bucketMs: number;
  readonly #ageBuckets: number;
  readonly #sampleLimit: number;
  readonly #now: () => number;
  readonly #series = new Map<string, Series>();

  constructor(options: WindowedSummaryOptions<Label>) {
    this.name = options.name;
    this.help = options.help;
    this.#labelNames = options.labelNames ?? [];
    this.#quantiles = options.quantiles;
    this.#ageBuckets = options.ageBuckets;
    this.#bucketMs = (options.maxAgeSeconds * 1_000) / options.ageBuckets;
    this.#sampleLimit = options.sampleLimit ?? DEFAULT_SAMPLE_LIMIT;
    this.#now = options.now ?? Date.now;
    this.reset();
    // The registry reads only name, help, type, aggregator and get(); its types name prom-client's classes.
    options.registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  observe(labels: Labels<Label>, value: number): void;
  observe(value: number): void;
  observe(labelsOrValue: Labels<Label> | number, maybeValue?: number): void {
    const labels = typeof labelsOrValue === 'number' ? {} : labelsOrValue;
    const value = typeof labelsOrValue === 'number' ? labelsOrValue : maybeValue;
    if (value === undefined || !Number.isFinite(value)) throw new TypeError(`${this.name}: not a finite number: ${String(value)}`);
    const series = this.#seriesOf(labels);
    this.#rotate(series);
    series.count += 1;
    series.sum += value;
    const bucket = series.buckets[series.current]!;
    bucket.seen += 1;
    if (bucket.seen <= this.#sampleLimit) {
      bucket.samples[bucket.seen - 1] = value;
      return;
    }
    const slot = Math.floor(Math.random() * bucket.seen);
    if (slot < this.#sampleLimit) bucket.samples[slot] = value;
  }

  /** Drops one series, as retention does for label sets no longer seen. */
  remove(labels: Labels<Label>): void {
    this.#series.delete(this.#key(labels));
  }

  reset(): void {
    this.#series.clear();
    // As prom-client: a summary without labels is exposed, with zero counts, before its first observation.
    if (this.#labelNames.length === 0) this.#seriesOf({});
  }

  async get(): Promise<{ name: string; help: string; type: 'summary'; aggregator: 'sum'; values: ExposedValue[] }> {
    const values: ExposedValue[] = [];
    for (const series of this.#series.values()) {
      this.#rotate(series);
      const quantiles = windowQuantiles(series.buckets, this.#sampleLimit, this.#quantiles);
      this.#quantiles.forEach((quantile, index) => values.push({ labels: { quantile, ...series.labels }, value: quantiles[index]! }));
      values.push({ metricName: `${this.name}_sum`, labels: { ...series.labels }, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: { ...series.labels }, value: series.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  #seriesOf(labels: Labels<Label>): Series {
    const key = this.#key(labels);
    let series = this.#series.get(key);
    if (series === undefined) {
      const buckets = Array.from({ length: this.#ageBuckets }, () => ({ samples: new Float64Array(this.#sampleLimit), seen: 0 }));
      series = { labels: definedLabels(labels), buckets, current: 0, rotatedAt: this.#now(), count: 0, sum: 0 };
      this.#series.set(key, series);
    }
    return series;
  }

  /** Empties the buckets that aged out since the last rotation, oldest first, each becoming the current one. */
  #rotate(series: Series): void {
    const elapsed = this.#now() - series.rotatedAt;
    if (elapsed < this.#bucketMs) return;
    const steps = Math.floor(elapsed / this.#bucketMs);
    for (let step = 0; step < Math.min(steps, this.#ageBuckets); step++) {
      series.current = (series.current + 1) % this.#ageBuckets;
      series.buckets[series.current]!.seen = 0;
    }
    series.rotatedAt += steps * this.#bucketMs;
  }

  #key(labels: Labels<Label>): string {
    return this.#labelNames.map((name) => labels[name] ?? '').join('\u0000');
  }
}

function definedLabels(labels: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) if (value !== undefined) defined[name] = value;
  return defined;
}

/**
 * The quantiles of the values in the window: the smallest kept value at which the weighted rank
 * reaches q of all values seen. 0 for an empty window, as prom-client reports it.
 */
function windowQuantiles(buckets: readonly Bucket[], limit: number, quantiles: readonly number[]): number[] {
  const weighted: Array<{ value: number; weight: number }> = [];
  let total = 0;
  for (const bucket of buckets) {
    const kept = Math.min(bucket.seen, limit);
    const weight = bucket.seen / Math.max(kept, 1);
    for (let index = 0; index < kept; index++) weighted.push({ value: bucket.samples[index]!, weight });
    total += bucket.seen;
  }
  if (total === 0) return quantiles.map(() => 0);
  weighted.sort((a, b) => a.value - b.value);
  return quantiles.map((quantile) => {
    const rank = quantile * total;
    let cumulative = 0;
    for (const { value, weight } of weighted) {
      cumulative += weight;
      if (cumulative >= rank) return value;
    }
    return weighted[weighted.length - 1]!.value;
  });
}
