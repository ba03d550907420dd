/** A labelled metric whose series can be dropped one label set at a time. */
interface RemovableMetric {
  remove(labels: Record<string, string>): void;
}

interface SeenSeries {
  readonly metric: RemovableMetric;
  readonly labels: Record<string, string>;
  at: number;
}

/**
 * Vault's prometheus_retention_time: a series not updated for that long leaves the output, so
 * label sets that stopped occurring (an unmounted mount, a status code seen once) do not linger.
 */
export class SeriesRetention {
  readonly #retentionMs: number;
  readonly #now: () => number;
  readonly #seen = new Map<string, SeenSeries>();

  /** A retention of 0 keeps every series. */
  constructor(retentionMs: number, now: () => number) {
    this.#retentionMs = retentionMs;
    this.#now = now;
  }

  /** Records an update of the series `labels` of the metric called `name`. */
  touch(name: string, metric: RemovableMetric, labels: Record<string, string>): void {
    if (this.#retentionMs === 0) return;
    const key = `${name}${JSON.stringify(labels)}`;
    const seen = this.#seen.get(key);
    if (seen === undefined) this.#seen.set(key, { metric, labels, at: this.#now() });
    else seen.at = this.#now();
  }

  /** Drops the series not touched within the retention time. */
  sweep(): void {
    const oldest = this.#now() - this.#retentionMs;
    for (const [key, series] of this.#seen) {
      if (series.at >= oldest) continue;
      series.metric.remove(series.labels);
      this.#seen.delete(key);
    }
  }
}
