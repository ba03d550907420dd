import { createSecretKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { uuid } from '../../lib/random-id.ts';
import { SerialQueue } from '../../lib/serial-queue.ts';
import type { ChainPosition } from './audit-chain.ts';
import { chainKeyFromSalt, chainStart, lineHmac, positionAfter } from './audit-chain.ts';
import type { AuditDevice } from './audit-device.ts';
import type { AuditEntry, EntryContext, EntryFormat, SharedBlocks } from './audit-entry.ts';
import { requestEntry, responseEntry, sharedBlocks, testProbeEntry } from './audit-entry.ts';
import { hmacIdentifier } from './audit-hash.ts';
import type { AuditInput } from './audit-input.ts';
import type { LineWriter } from './line-writer.ts';
import { RequestMemo } from './request-memo.ts';

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
 * before it (audit-chain.ts). Lines are written in the order they were logged, and the chain
 * advances only when a line was written, so a failed write leaves no gap. Lines logged while a
 * write is under way go out together in the next write when the writer takes several lines: one
 * write per line, one at a time, would cap every audited request at the latency of a write.
 */
export class JsonAuditDevice implements AuditDevice {
  readonly path: string;
  readonly #options: JsonDeviceOptions;
  readonly #chainKey: Buffer;
  readonly #queue = new SerialQueue();
  /** The salt as a KeyObject, made once: Node imports a string key anew on every HMAC. */
  readonly #saltKey: KeyObject;
  readonly #memo = new RequestMemo((value) => this.hash(value));
  #position: ChainPosition;
  #pending: Array<{ readonly entry: AuditEntry; readonly done: PromiseWithResolvers<void> }> = [];

  private constructor(options: JsonDeviceOptions, position: ChainPosition, chainKey: Buffer) {
    this.path = options.path;
    this.#options = options;
    this.#chainKey = chainKey;
    this.#saltKey = createSecretKey(Buffer.from(options.salt, 'utf8'));
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
    return this.#emit(requestEntry(input, ...this.#parts(input)));
  }

  logResponse(input: AuditInput): Promise<void> {
    return this.#emit(responseEntry(input, ...this.#parts(input)));
  }

  logTestMessage(): Promise<void> {
    return this.#emit(testProbeEntry(uuid(), this.#options.now()));
  }

  hash(value: string): string {
    return hmacIdentifier(this.#saltKey, value);
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

  /** The entry's context, and the blocks both entries of a request share (built by the first). */
  #parts(input: AuditInput): [EntryContext, SharedBlocks] {
    const context: EntryContext = { format: this.#options.format, hash: this.#memo.for(input.request), now: this.#options.now() };
    return [context, this.#memo.blocks(input, () => sharedBlocks(input, context))];
  }

  #emit(entry: AuditEntry): Promise<void> {
    const done = Promise.withResolvers<void>();
    this.#pending.push({ entry, done });
    // The first entry since the last write began schedules the next write; later ones join it.
    if (this.#pending.length === 1) void this.#queue.run(() => this.#writePending());
    return done.promise;
  }

  async #writePending(): Promise<void> {
    const batch = this.#options.writer.acceptsManyLines === true ? this.#pending.splice(0) : this.#pending.splice(0, 1);
    if (this.#pending.length > 0) void this.#queue.run(() => this.#writePending());
    try {
      let position = this.#position;
      let text = '';
      for (const { entry } of batch) {
        const seq = position.seq + 1;
        const line = this.#options.prefix + JSON.stringify({ ...entry, chain: { seq, prev_hmac: position.hmac } });
        text += `${line}\n`;
        position = { seq, hmac: lineHmac(this.#chainKey, line) };
      }
      await this.#options.writer.write(text);
      this.#position = position;
      for (const { done } of batch) done.resolve();
    } catch (error) {
      for (const { done } of batch) done.reject(error);
    }
  }
}
