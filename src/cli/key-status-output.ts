import type { ClientContext } from './client-command.ts';
import { columnOutput } from './columns.ts';
import { numberOf, objectOf, stringOf } from './json-values.ts';
import { jsonOutput } from './output-format.ts';

export interface KeyStatus {
  readonly term: number;
  readonly install_time: string;
  readonly encryptions: number;
}

/** sys/key-status's `data`, as the Go client reads it. */
export async function readKeyStatus(context: ClientContext): Promise<KeyStatus> {
  const data = objectOf((await context.client.read('sys/key-status'))['data']);
  return {
    term: numberOf(data['term']),
    install_time: stringOf(data['install_time']),
    encryptions: numberOf(data['encryptions']),
  };
}

/** The vault CLI's key status: a table, or the Go client's struct as JSON. */
export function keyStatusText(status: KeyStatus, format: ClientContext['format']): string {
  if (format === 'json') return jsonOutput(status);
  return columnOutput([
    `Key Term | ${status.term}`,
    `Install Time | ${rfc822(status.install_time)}`,
    `Encryption Count | ${status.encryptions}`,
  ]);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC822 in UTC, "02 Jan 06 15:04 UTC", as the vault CLI prints install times. */
function rfc822(time: string): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return time;
  const two = (value: number): string => String(value).padStart(2, '0');
  const year = two(date.getUTCFullYear() % 100);
  return `${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${year} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())} UTC`;
}
