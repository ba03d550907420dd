/** One metric family as prom-client's registry reports it (getMetricsAsJSON). */
export interface MetricSnapshot {
  readonly name: string;
  /** 'counter', 'gauge', 'histogram' or 'summary' at run time, whatever prom-client's types say. */
  readonly type: unknown;
  readonly values: ReadonlyArray<{
    readonly value: number;
    readonly labels: Readonly<Record<string, string | number | undefined>>;
    readonly metricName?: string;
  }>;
}

type Labels = Record<string, string>;

interface GaugeValue {
  readonly Name: string;
  readonly Value: number;
  readonly Labels: Labels;
}

interface SampledValue {
  readonly Name: string;
  readonly Count: number;
  readonly Rate: number;
  readonly Sum: number;
  readonly Min: number;
  readonly Max: number;
  readonly Mean: number;
  readonly Stddev: number;
  readonly Labels: Labels;
}

/** The JSON of Vault's in-memory sink (go-metrics MetricsSummary), sys/metrics without a format. */
export interface InmemSummary {
  readonly Timestamp: string;
  readonly Gauges: GaugeValue[];
  readonly Points: never[];
  readonly Counters: SampledValue[];
  readonly Samples: SampledValue[];
}

export interface InmemSummaryOptions {
  /** Prometheus name -> Vault's dotted key; names not in it are shown as they are. */
  readonly keys: ReadonlyMap<string, string>;
  readonly now: Date;
  /** Rates are per second over this. */
  readonly uptimeSeconds: number;
}

/**
 * Renders the registry in the shape of Vault's in-memory sink. Vault aggregates 10 s intervals;
 * these values are cumulative since the server started, and rates are averages over that time.
 * prom-client keeps totals, not each sample, so Min, Max and Stddev read 0, and a counter's
 * Count is its total, as if every increment were 1.
 */
export function inmemSummary(metrics: readonly MetricSnapshot[], options: InmemSummaryOptions): InmemSummary {
  const summary: InmemSummary = { Timestamp: goTimestamp(options.now), Gauges: [], Points: [], Counters: [], Samples: [] };
  for (const metric of metrics) {
    const name = options.keys.get(metric.name) ?? metric.name;
    switch (metric.type) {
      case 'gauge':
        for (const { value, labels } of metric.values) summary.Gauges.push({ Name: name, Value: value, Labels: display(labels) });
        break;
      case 'counter':
        for (const { value, labels } of metric.values) summary.Counters.push(sampled(name, display(labels), value, value, options.uptimeSeconds));
        break;
      case 'summary':
      case 'histogram':
        summary.Samples.push(...sampledValues(name, metric, options.uptimeSeconds));
        break;
    }
  }
  return summary;
}

/** One value per label set, from the `_count` and `_sum` series of a summary or histogram. */
function sampledValues(name: string, metric: MetricSnapshot, uptimeSeconds: number): SampledValue[] {
  const series = new Map<string, { labels: Labels; count: number; sum: number }>();
  for (const { value, labels, metricName } of metric.values) {
    const isCount = metricName === `${metric.name}_count`;
    if (!isCount && metricName !== `${metric.name}_sum`) continue;
    const shown = display(labels);
    const key = JSON.stringify(shown);
    const entry = series.get(key) ?? { labels: shown, count: 0, sum: 0 };
    if (isCount) entry.count = value;
    else entry.sum = value;
    series.set(key, entry);
  }
  return [...series.values()].map(({ labels, count, sum }) => sampled(name, labels, count, sum, uptimeSeconds));
}

function sampled(name: string, labels: Labels, count: number, sum: number, uptimeSeconds: number): SampledValue {
  const mean = count === 0 ? 0 : sum / count;
  return { Name: name, Count: count, Rate: sum / uptimeSeconds, Sum: sum, Min: 0, Max: 0, Mean: mean, Stddev: 0, Labels: labels };
}

function display(labels: MetricSnapshot['values'][number]['labels']): Labels {
  const shown: Labels = {};
  for (const [name, value] of Object.entries(labels)) {
    if (value !== undefined && name !== 'quantile' && name !== 'le') shown[name] = String(value);
  }
  return shown;
}

/** Go's time.Time.String() in UTC, rounded to the second, as Vault writes the Timestamp. */
function goTimestamp(date: Date): string {
  const rounded = new Date(Math.round(date.getTime() / 1_000) * 1_000);
  return `${rounded.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}
