import { SealboxError } from './errors.ts';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Splits `host:port` or `[v6]:port`. */
export function parseHostPort(address: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) {
    throw new SealboxError('config_invalid', `invalid address "${address}": expected host:port`);
  }
  return { host: match[1] ?? match[2] ?? '', port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
