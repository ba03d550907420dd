import { createHmac, createSecretKey, hkdfSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/**
 * Sealbox's tamper-evident chain. Every line a device writes carries
 * `"chain":{"seq":N,"prev_hmac":"<hex>"}`: its number in the device's sequence and the
 * HMAC-SHA256, under the device's chain key, of the exact text of the line before it (the first
 * line of a chain takes the HMAC of a fixed genesis string). Changing, removing or inserting a
 * line breaks the link of the line after it, and only the chain key can mend it.
 */
export interface ChainField {
  readonly seq: number;
  readonly prev_hmac: string;
}

/** The last line a device wrote: what the next line chains from. */
export interface ChainPosition {
  readonly seq: number;
  readonly hmac: string;
}

const GENESIS = 'sealbox-audit-chain-genesis';
const KEY_INFO = 'sealbox audit chain key v1';

/**
 * The chain key is derived from the device's salt with HKDF, not with the salt's HMAC: anyone
 * allowed to call sys/audit-hash can compute HMAC(salt, x) for any x, and must not be able to
 * forge links.
 */
export function chainKeyFromSalt(salt: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(salt, 'utf8'), Buffer.alloc(0), KEY_INFO, 32));
}

// Node imports a Buffer key anew on every createHmac, which costs more than the HMAC of a line.
const keyObjects = new WeakMap<Buffer, KeyObject>();

export function lineHmac(key: Buffer, line: string): string {
  let keyObject = keyObjects.get(key);
  if (keyObject === undefined) {
    keyObject = createSecretKey(key);
    keyObjects.set(key, keyObject);
  }
  return createHmac('sha256', keyObject).update(line, 'utf8').digest('hex');
}

export function genesisHmac(key: Buffer): string {
  return lineHmac(key, GENESIS);
}

export function chainStart(key: Buffer): ChainPosition {
  return { seq: 0, hmac: genesisHmac(key) };
}

/** The position after `line`, or undefined when the line carries no chain field. */
export function positionAfter(key: Buffer, line: string): ChainPosition | undefined {
  const field = chainFieldOf(line);
  return field === undefined ? undefined : { seq: field.seq, hmac: lineHmac(key, line) };
}

/** The chain field of a line, which may start with the device's prefix. */
export function chainFieldOf(line: string): ChainField | undefined {
  const start = line.indexOf('{');
  if (start === -1) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.slice(start));
  } catch {
    return undefined;
  }
  const chain = (parsed as { chain?: unknown } | null)?.chain as Partial<ChainField> | undefined;
  if (typeof chain !== 'object' || chain === null) return undefined;
  const { seq, prev_hmac: prev } = chain;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || typeof prev !== 'string') return undefined;
  return { seq, prev_hmac: prev };
}
