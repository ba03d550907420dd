import { parseDurationMs } from '../../../lib/duration.ts';

/** Whole seconds as Go's time.Duration.String() prints them: `0s`, `45s`, `1m30s`, `1h0m0s`, `-1s`. */
export function formatGoDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  if (seconds < 0) return `-${formatGoDuration(-seconds)}`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${rest}s`;
  if (minutes > 0) return `${minutes}m${rest}s`;
  return `${rest}s`;
}

/**
 * Whole seconds from a duration that may be negative (Vault's TypeSignedDurationSecond), or
 * undefined when `value` is no duration.
 */
export function parseSignedDurationSeconds(value: unknown): number | undefined {
  const negative = (typeof value === 'number' && value < 0) || (typeof value === 'string' && value.trim().startsWith('-'));
  const magnitude = negative ? (typeof value === 'number' ? -value : String(value).trim().slice(1)) : value;
  const ms = parseDurationMs(magnitude);
  if (ms === undefined) return undefined;
  const seconds = Math.floor(ms / 1000);
  return negative ? -seconds : seconds;
}
