import { SealboxError } from '../../lib/errors.ts';
import { generateKey, KEY_LENGTH } from './aes-gcm.ts';

export interface TermKey {
  readonly term: number;
  readonly value: Buffer;
  readonly installTime: Date;
}

/** Vault's default: rotate before 0.9 * 2^32 random-nonce GCM encryptions (NIST SP 800-38D). */
export const DEFAULT_MAX_OPERATIONS = 3_865_470_566;

export interface RotationConfig {
  readonly disabled: boolean;
  readonly maxOperations: number;
  /** Milliseconds; 0 means no time-based rotation. */
  readonly intervalMs: number;
}

/**
 * The root key and every term key. Immutable: rotation returns a new keyring, so a reader never
 * sees a half-installed term. Old terms are kept so that old entries stay readable.
 */
export class Keyring {
  readonly rootKey: Buffer;
  readonly activeTerm: number;
  readonly rotation: RotationConfig;
  /** Encryptions under the active term as last persisted, so the rotation limit survives restarts. */
  readonly encryptions: number;
  readonly #keys: ReadonlyMap<number, TermKey>;

  private constructor(
    rootKey: Buffer,
    keys: ReadonlyMap<number, TermKey>,
    activeTerm: number,
    rotation: RotationConfig,
    encryptions = 0,
  ) {
    this.rootKey = rootKey;
    this.#keys = keys;
    this.activeTerm = activeTerm;
    this.rotation = rotation;
    this.encryptions = encryptions;
  }

  static create(rootKey: Buffer, now: Date): Keyring {
    const first: TermKey = { term: 1, value: generateKey(), installTime: now };
    return new Keyring(rootKey, new Map([[1, first]]), 1, {
      disabled: false,
      maxOperations: DEFAULT_MAX_OPERATIONS,
      intervalMs: 0,
    });
  }

  activeKey(): TermKey {
    return this.#mustGet(this.activeTerm);
  }

  key(term: number): TermKey | undefined {
    return this.#keys.get(term);
  }

  terms(): number[] {
    return [...this.#keys.keys()].sort((a, b) => a - b);
  }

  rotated(now: Date): Keyring {
    const term = this.activeTerm + 1;
    const keys = new Map(this.#keys);
    keys.set(term, { term, value: generateKey(), installTime: now });
    return new Keyring(this.rootKey, keys, term, this.rotation);
  }

  withRootKey(rootKey: Buffer): Keyring {
    return new Keyring(rootKey, this.#keys, this.activeTerm, this.rotation, this.encryptions);
  }

  withRotation(rotation: RotationConfig): Keyring {
    return new Keyring(this.rootKey, this.#keys, this.activeTerm, rotation, this.encryptions);
  }

  withEncryptions(encryptions: number): Keyring {
    return new Keyring(this.rootKey, this.#keys, this.activeTerm, this.rotation, encryptions);
  }

  /** Overwrites key material in memory on seal; the object is unusable afterwards. */
  zero(): void {
    this.rootKey.fill(0);
    for (const key of this.#keys.values()) key.value.fill(0);
  }

  /** Vault's keyring JSON field names, so the layout reads familiar to Vault operators. */
  serialize(): Buffer {
    const keys = this.terms().map((term) => {
      const key = this.#mustGet(term);
      const entry = { Term: key.term, Version: 1, Value: key.value.toString('base64'), InstallTime: key.installTime.toISOString() };
      return term === this.activeTerm ? { ...entry, encryptions: this.encryptions } : entry;
    });
    const json = {
      MasterKey: this.rootKey.toString('base64'),
      Keys: keys,
      RotationConfig: {
        Disabled: this.rotation.disabled,
        MaxOperations: this.rotation.maxOperations,
        Interval: this.rotation.intervalMs * 1e6,
      },
    };
    return Buffer.from(JSON.stringify(json), 'utf8');
  }

  static deserialize(bytes: Uint8Array): Keyring {
    const json = JSON.parse(Buffer.from(bytes).toString('utf8')) as SerializedKeyring;
    const keys = new Map<number, TermKey>();
    for (const key of json.Keys) {
      keys.set(key.Term, { term: key.Term, value: decodeKey(key.Value), installTime: new Date(key.InstallTime) });
    }
    const activeTerm = Math.max(...keys.keys());
    if (!Number.isFinite(activeTerm)) throw new SealboxError('internal', 'keyring holds no keys');
    const rotation = json.RotationConfig;
    const active = json.Keys.find((key) => key.Term === activeTerm);
    const config: RotationConfig = {
      disabled: rotation?.Disabled ?? false,
      maxOperations: rotation?.MaxOperations || DEFAULT_MAX_OPERATIONS,
      intervalMs: (rotation?.Interval ?? 0) / 1e6,
    };
    return new Keyring(decodeKey(json.MasterKey), keys, activeTerm, config, active?.encryptions ?? 0);
  }

  #mustGet(term: number): TermKey {
    const key = this.#keys.get(term);
    if (key === undefined) throw new SealboxError('internal', `no decryption key available for term ${term}`);
    return key;
  }
}

interface SerializedKeyring {
  readonly MasterKey: string;
  readonly Keys: ReadonlyArray<{ Term: number; Value: string; InstallTime: string; encryptions?: number }>;
  readonly RotationConfig?: { Disabled?: boolean; MaxOperations?: number; Interval?: number };
}

function decodeKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== KEY_LENGTH) throw new SealboxError('internal', 'keyring holds a key of the wrong length');
  return key;
}
