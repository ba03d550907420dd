import { BlockList, isIP } from 'node:net';
import { SealboxError } from './errors.ts';

/**
 * IP addresses and CIDR blocks, checked and kept as written except that a full-length block reads
 * back as a bare address, as Vault's sockaddr does. Throws a 400 naming `field`.
 */
export function parseCidrList(values: readonly string[], field: string): string[] {
  return values.map((value) => {
    const block = parseBlock(value);
    if (block === undefined) {
      throw new SealboxError('invalid_request', `invalid value for field "${field}": "${value}" is not an IP address or CIDR block`);
    }
    return block.prefix === fullLength(block.family) ? block.address : `${block.address}/${block.prefix}`;
  });
}

/** Whether `address` (a client's remote address) lies in one of `cidrs`; true for an empty list. */
export function addressAllowed(address: string, cidrs: readonly string[]): boolean {
  if (cidrs.length === 0) return true;
  const remote = unmapIpv4(address);
  const family = familyOf(remote);
  if (family === undefined) return false;
  return cidrs.some((cidr) => {
    const block = parseBlock(cidr);
    return block !== undefined && block.family === family && blockList(block).check(remote, family);
  });
}

/** Whether every block of `inner` lies inside some block of `outer`; true when `outer` is empty. */
export function cidrsWithin(inner: readonly string[], outer: readonly string[]): boolean {
  if (outer.length === 0) return true;
  const outerBlocks = outer.map(parseBlock).filter((block) => block !== undefined);
  return inner.every((cidr) => {
    const block = parseBlock(cidr);
    return block !== undefined && outerBlocks.some((candidate) =>
      candidate.family === block.family && candidate.prefix <= block.prefix && blockList(candidate).check(block.address, block.family));
  });
}

interface Block {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

function parseBlock(text: string): Block | undefined {
  const [rawAddress = '', rawPrefix, ...rest] = text.trim().split('/');
  if (rest.length > 0) return undefined;
  const address = unmapIpv4(rawAddress);
  const family = familyOf(address);
  if (family === undefined) return undefined;
  if (rawPrefix === undefined) return { address, prefix: fullLength(family), family };
  if (!/^\d{1,3}$/.test(rawPrefix)) return undefined;
  const prefix = Number(rawPrefix);
  return prefix <= fullLength(family) ? { address, prefix, family } : undefined;
}

function blockList(block: Block): BlockList {
  const list = new BlockList();
  list.addSubnet(block.address, block.prefix, block.family);
  return list;
}

function familyOf(address: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(address);
  if (version === 4) return 'ipv4';
  if (version === 6) return 'ipv6';
  return undefined;
}

function fullLength(family: 'ipv4' | 'ipv6'): number {
  return family === 'ipv4' ? 32 : 128;
}

/** Dual-stack listeners report IPv4 clients as `::ffff:a.b.c.d`; CIDR lists name them as IPv4. */
function unmapIpv4(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match?.[1] ?? address;
}
