import { isIPv6 } from 'node:net';

export interface HostPort {
  /** Without brackets for IPv6 (`::1`), ready for net.Server.listen. */
  readonly host: string;
  readonly port: number;
}

/**
 * Splits a Vault listen address (`127.0.0.1:8200`, `[::1]:8200`, `vault.local:8200`) or returns
 * undefined. Port 0 is allowed so tests can ask the OS for a free port.
 */
export function splitHostPort(address: string): HostPort | undefined {
  const match = /^(?:\[([^\]]+)\]|([^\s:/[\]]+)):(\d{1,5})$/.exec(address);
  if (!match) return undefined;
  const [, bracketed, plain, portText = ''] = match;
  const port = Number(portText);
  if (port > 65_535) return undefined;
  if (bracketed !== undefined) return isIPv6(bracketed) ? { host: bracketed, port } : undefined;
  return plain === undefined ? undefined : { host: plain, port };
}
