import { LRUCache } from 'lru-cache';

/** Plaintexts kept; entries are small (tokens, policies, KV metadata), a secret is at most 1 MiB. */
const MAX_ENTRIES = 16_384;
const MAX_BYTES = 64 * 1024 * 1024;
/** What an entry costs besides its bytes, so that many tiny entries are bounded too. */
const ENTRY_OVERHEAD_BYTES = 64;

/** The last ciphertext read at a key, and its plaintext once that ciphertext was read twice. */
interface Sighting {
  readonly ciphertext: Uint8Array;
  readonly plaintext?: Uint8Array;
}

/**
 * Decrypted entries by storage key, each valid only for the very ciphertext object it came from.
 * The storage cache hands out the same object for a key until the key changes (its own writes,
 * the etcd watch, a watch interruption or a change of HA role drop it), so a plaintext is reused
 * exactly as long as the ciphertext cache would serve that entry, and never after: any other
 * object, even with equal bytes, is decrypted again. Without a storage cache every read is a new
 * object and nothing is ever reused, so a plaintext is kept only once its ciphertext was seen a
 * second time. Callers get copies (some wipe what they read); evicted and cleared plaintexts are
 * zeroed.
 */
export class PlaintextCache {
  readonly #entries = new LRUCache<string, Sighting>({
    max: MAX_ENTRIES,
    maxSize: MAX_BYTES,
    // The ciphertext counts too: without a storage cache this is the only holder of it.
    sizeCalculation: (sighting) => sighting.ciphertext.length + (sighting.plaintext?.length ?? 0) + ENTRY_OVERHEAD_BYTES,
    dispose: (sighting) => sighting.plaintext?.fill(0),
  });

  /** The plaintext of `ciphertext`, read at `key`; `decrypt` runs unless this object was decrypted before. */
  open(key: string, ciphertext: Uint8Array, decrypt: () => Buffer): Buffer {
    const seen = this.#entries.get(key);
    if (seen?.ciphertext !== ciphertext) {
      this.#entries.set(key, { ciphertext });
      return decrypt();
    }
    if (seen.plaintext !== undefined) return Buffer.from(seen.plaintext);
    const plaintext = decrypt();
    // A Uint8Array copy has a store of its own; Buffer.from would make a view of Node's shared
    // allocation slab, which the cache would then keep alive whole.
    this.#entries.set(key, { ciphertext, plaintext: new Uint8Array(plaintext) });
    return plaintext;
  }

  /** Zeroes and drops every plaintext: on seal. */
  clear(): void {
    this.#entries.clear();
  }
}
