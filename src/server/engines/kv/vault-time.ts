/**
 * A time as Vault prints it (Go's RFC3339Nano in UTC). JavaScript clocks stop at milliseconds, so
 * the fraction is padded to nine digits: every client parses it, and all times look alike.
 */
export function formatVaultTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}000000Z`;
}
