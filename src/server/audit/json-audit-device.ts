import { uuid } from '../../lib/random-id.ts';
import { SerialQueue } from '../../lib/serial-queue.ts';
import type { ChainPosition } from './audit-chain.ts';
import { chainKeyFromSalt, chainStart, lineHmac, positionAfter } from './audit-chain.ts';
import type { AuditDevice } from './audit-device.ts';
import type { AuditEntry, EntryContext, EntryFormat } from './audit-entry.ts';
import { requestEntry, responseEntry, testProbeEntry } from './audit-entry.ts';
import { hmacIdentifier } from './audit-hash.ts';
import type { AuditInput } from './audit-input.ts';
import type { LineWriter } from './line-writer.ts';

export interface JsonDeviceOptions {
  readonly path: string;
  /** The device's salt: the HMAC key of hashed values and the source of the chain key. */
  readonly salt: string;
  readonly format: EntryFormat;
  readonly prefix: string;
  readonly writer: LineWriter;
  readonly now: () => Date;
}

/**
 * Formats entries as Vault's `json` format, one object per line, each line linked to the one
 * before it (audit-chain.ts). Lines are written one at a time in the order they were logged, and
 * the chain advances only when a line was written, so a failed write leaves no gap.
 */
export class JsonAuditDevice implements AuditDevice {
  readonly path: string;
  readonly #options: JsonDeviceOptions;
  readonly #chainKey: Buffer;
  readonly #queue = new SerialQueue();
  #position: ChainPosition;

  private constructor(options: JsonDeviceOptions, position: ChainPosition, chainKey: Buffer) {
    this.path = options.path;
    this.#options = options;
    this.#chainKey = chainKey;
    this.#position = position;
  }

  /** Continues the chain of the line already at the destination, when the writer can tell. */
  static async open(options: JsonDeviceOptions): Promise<JsonAuditDevice> {
    const key = chainKeyFromSalt(options.salt);
    const last = await options.writer.lastLine?.();
    const position = (last === undefined ? undefined : positionAfter(key, last)) ?? chainStart(key);
    return new JsonAuditDevice(options, position, key);
  }

  logRequest(input: AuditInput): Promise<void> {
    return this.#emit(requestEntry(input, this.#context()));
  }

  logResponse(input: AuditInput): Promise<void> {
    return this.#emit(responseEntry(input, this.#context()));
  }

  logTestMessage(): Promise<void> {
    return this.#emit(testProbeEntry(uuid(), this.#options.now()));
  }

  hash(value: string): string {
    return hmacIdentifier(this.#options.salt, value);
  }

  chainKey(): string {
    return this.#chainKey.toString('hex');
  }

  reopen(): Promise<void> {
    return this.#queue.run(() => this.#options.writer.reopen());
  }

  close(): Promise<void> {
    return this.#queue.run(() => this.#options.writer.close());
  }

  #context(): EntryContext {
    return { format: this.#options.format, hash: (value: string) => this.hash(value), now: this.#options.now() };
  }

  #emit(entry: AuditEntry): Promise<void> {
    return this.#queue.run(async () => {
      const seq = this.#position.seq + 1;
      const line = this.#options.prefix + JSON.stringify({ ...entry, chain: { seq, prev_hmac: this.#position.hmac } });
      await this.#options.writer.write(`${line}\n`);
      this.#position = { seq, hmac: lineHmac(this.#chainKey, line) };
    });
  }
}
