/** Seconds as Vault's CLI writes durations: `767h59m50s`; 0 is a token that never expires. */
export function formatTtl(seconds: number): string {
  if (seconds <= 0) return 'never expires';
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  return `${hours > 0 ? `${hours}h` : ''}${hours > 0 || minutes > 0 ? `${minutes}m` : ''}${rest}s`;
}

/** An RFC 3339 time from the server in the reader's locale; empty or zero times as a dash. */
export function formatTime(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.startsWith('0001-')) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

export function yesNo(value: unknown): string {
  return value === true ? 'yes' : value === false ? 'no' : '—';
}

export function text(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
