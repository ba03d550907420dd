import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SealboxError } from '../../lib/errors.ts';
import type { RandomBytes } from '../../lib/random-pool.ts';

/**
 * Vault's barrier ciphertext: term (uint32 BE) | version | 12-byte nonce | AES-256-GCM ciphertext
 * and 16-byte tag. Version 2 binds the ciphertext to its storage path as associated data, so an
 * entry copied to another key does not decrypt; version 1 (no AAD) is still read.
 */
const VERSION_NO_AAD = 1;
const VERSION_PATH_AAD = 2;
const HEADER_LENGTH = 5;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
export const KEY_LENGTH = 32;

/**
 * The ciphertext has a store of its own (not a view of Node's shared allocation slab), so that a
 * storage cache can keep it as it is.
 */
export function encrypt(key: Uint8Array | KeyObject, term: number, path: string, plaintext: Uint8Array, random: RandomBytes = randomBytes): Buffer {
  const nonce = random(NONCE_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(path, 'utf8'));
  const out = Buffer.from(new ArrayBuffer(HEADER_LENGTH + NONCE_LENGTH + plaintext.byteLength + TAG_LENGTH));
  out.writeUInt32BE(term, 0);
  out.writeUInt8(VERSION_PATH_AAD, 4);
  nonce.copy(out, HEADER_LENGTH);
  let at = HEADER_LENGTH + NONCE_LENGTH;
  at += cipher.update(plaintext).copy(out, at);
  at += cipher.final().copy(out, at);
  cipher.getAuthTag().copy(out, at);
  return out;
}

/** The term an entry was written under, read before choosing the key. */
export function termOf(ciphertext: Uint8Array): number {
  if (ciphertext.length < HEADER_LENGTH + NONCE_LENGTH + TAG_LENGTH) {
    throw new SealboxError('internal', 'invalid ciphertext: too short');
  }
  return Buffer.from(ciphertext.buffer, ciphertext.byteOffset, 4).readUInt32BE(0);
}

/** Throws SealboxError('internal') when the key is wrong or the entry was altered or moved. */
export function decrypt(key: Uint8Array | KeyObject, path: string, ciphertext: Uint8Array): Buffer {
  termOf(ciphertext);
  const data = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  const version = data.readUInt8(4);
  if (version !== VERSION_NO_AAD && version !== VERSION_PATH_AAD) {
    throw new SealboxError('internal', `invalid ciphertext: unknown version ${version}`);
  }
  const nonce = data.subarray(HEADER_LENGTH, HEADER_LENGTH + NONCE_LENGTH);
  const tag = data.subarray(data.length - TAG_LENGTH);
  const body = data.subarray(HEADER_LENGTH + NONCE_LENGTH, data.length - TAG_LENGTH);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  if (version === VERSION_PATH_AAD) decipher.setAAD(Buffer.from(path, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new SealboxError('internal', 'cipher: message authentication failed');
  }
}

export function generateKey(): Buffer {
  return randomBytes(KEY_LENGTH);
}
