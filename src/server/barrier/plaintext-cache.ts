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
 * object, even with equal bytes, is decrypted again. Above a storage cache a plaintext is kept
 * from the first read, and from the write when the cache keeps the very ciphertext written (a
 * KV v2 write reads the metadata it wrote last time). Without one every read is a new object and
 * nothing is ever reused, so a plaintext is kept only once its ciphertext was seen a second time.
 * Callers get copies (some wipe what they read); evicted and cleared plaintexts are zeroed.
 */
export class PlaintextCache {
  readonly #entries = new LRUCache<string, Sighting>({
    max: MAX_ENTRIES,
    maxSize: MAX_BYTES,
    // The ciphertext counts too: without a storage cache this is the only holder of it.
    sizeCalculation: (sighting) => sighting.ciphertext.length + (sighting.plaintext?.length ?? 0) + ENTRY_OVERHEAD_BYTES,
    dispose: (sighting) => sighting.plaintext?.fill(0),
  });

  /** Whether the storage below hands out the same ciphertext object for a key until the key changes. */
  readonly #storageCached: boolean;

  constructor(options: { readonly storageCached: boolean }) {
    this.#storageCached = options.storageCached;
  }

  /** The plaintext of `ciphertext`, read at `key`; `decrypt` runs unless this object was decrypted before. */
  open(key: string, ciphertext: Uint8Array, decrypt: () => Buffer): Buffer {
    const seen = this.#entries.get(key);
    const again = seen?.ciphertext === ciphertext;
    if (again && seen.plaintext !== undefined) return Buffer.from(seen.plaintext);
    const plaintext = decrypt();
    if (again || this.#storageCached) this.#keep(key, ciphertext, plaintext);
    else this.#entries.set(key, { ciphertext });
    return plaintext;
  }

  /**
   * `ciphertext` is about to be stored at `key`: above a storage cache, the next read gets that
   * very object. Kept at once, while the plaintext is surely the caller's; should the write fail,
   * storage never hands the object out, and the entry is only a slot that will not be matched.
   */
  sealed(key: string, ciphertext: Uint8Array, plaintext: Uint8Array): void {
    if (this.#storageCached) this.#keep(key, ciphertext, plaintext);
  }

  /** Zeroes and drops every plaintext: on seal. */
  clear(): void {
    this.#entries.clear();
  }

  #keep(key: string, ciphertext: Uint8Array, plaintext: Uint8Array): void {
    // A Uint8Array copy has a store of its own; Buffer.from would make a view of Node's shared
    // allocation slab, which the cache would then keep alive whole. The caller's bytes stay its own.
    this.#entries.set(key, { ciphertext, plaintext: new Uint8Array(plaintext) });
  }
}
