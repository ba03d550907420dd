/**
 * Durations as Vault reads them (go-secure-stdlib's ParseDurationSecond), so configs and API
 * fields written for Vault mean the same here.
 */

// Go counts in whole nanoseconds; summing in ns and rounding once keeps "1.1s" at exactly 1100 ms.
const NS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu: Go accepts both spellings
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

// Go's grammar: one or more <number><unit> parts, where a number may have a fraction or be a
// bare fraction (".5s"). Anchored copy to validate the whole string, global copy to sum the parts.
const GO_PART = String.raw`(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)`;
const GO_DURATION = new RegExp(`^(?:${GO_PART})+$`);
const GO_PARTS = new RegExp(GO_PART, 'g');

/**
 * Milliseconds for a Vault duration, or undefined when the value is not one. Accepts integer
 * seconds (number or digit string), `<int>d` days, Go duration strings (`1h30m`, `1.5h`, `500ms`)
 * and the empty string (0, as Vault treats it). The result may be fractional (`500us` is 0.5).
 * Negative durations are rejected: no setting that takes a duration means anything by one.
 */
export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? value * 1_000 : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return 0;
  if (/^\d+$/.test(text)) return finite(Number(text) * 1_000);
  const days = /^(\d+)d$/.exec(text);
  if (days) return finite(Number(days[1]) * 86_400_000);
  return parseGoDurationMs(text);
}

function parseGoDurationMs(text: string): number | undefined {
  if (!GO_DURATION.test(text)) return undefined;
  let totalNs = 0;
  for (const [, amount = '', unit = ''] of text.matchAll(GO_PARTS)) {
    totalNs += Number(amount) * (NS_PER_UNIT[unit] ?? Number.NaN);
  }
  return finite(Math.round(totalNs) / 1e6);
}

function finite(ms: number): number | undefined {
  return Number.isFinite(ms) ? ms : undefined;
}
