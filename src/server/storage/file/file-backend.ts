import { readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { atMost, BatchQueue } from '../../../lib/batch-queue.ts';
import { SealboxError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { PhysicalBackend, Transactional, TxnCondition, TxnOperation } from '../physical-backend.ts';
import { sortKeys } from '../direct-children.ts';
import { bytesEqual } from '../transaction-check.ts';
import { ensureDir, removeEmptyDirs, removeQuietly, syncDir, writeTempFile } from './durable-fs.ts';
import { assertFileKey, entryPath, folderPath, listEntry } from './file-layout.ts';
import { errnoCode, storageIoError } from './io-error.ts';
import { ReadWriteLock } from './read-write-lock.ts';
import { sweepStale } from './stale-sweep.ts';
import { readJournal, removeJournal, writeJournal } from './txn-journal.ts';
import type { JournalStep } from './txn-journal.ts';

export interface FileBackendOptions {
  readonly logger?: Logger;
}

/** A write waiting for its turn: its operations, applied only if every condition holds. */
interface PendingWrite {
  readonly operations: readonly TxnOperation[];
  readonly conditions: readonly TxnCondition[];
  /** What a failure says was being done. */
  readonly action: string;
}

// Writes applied together at most; their syncs overlap, and the journal is written once for all.
const MAX_WRITES_PER_COMMIT = 64;

/**
 * Entries as files under one directory that this process owns alone (see file-layout.ts). Reads
 * share a lock and writes take it alone, so a transaction is never seen half-applied in process;
 * the journal (txn-journal.ts) gives the same guarantee across a crash. Writes that wait while
 * others are applied are applied together (group commit): one after the other in memory, then as
 * one staged, journaled change, so that their syncs overlap instead of queueing.
 */
export class FileBackend implements PhysicalBackend, Transactional {
  readonly type = 'file';
  readonly #root: string;
  readonly #logger: Logger | undefined;
  readonly #lock = new ReadWriteLock();
  // A journal is on disk and its operations may be partly applied: nothing may be read or written
  // until it is replayed, or a later write could be rolled back by a replay after a crash.
  #journalPending = false;
  #closed = false;
  readonly #writes = new BatchQueue<PendingWrite, boolean>({
    send: (writes) => this.#writing(() => this.#applyTogether(writes)),
    newBatch: atMost(MAX_WRITES_PER_COMMIT),
    maxInFlight: 1,
  });

  private constructor(root: string, logger: Logger | undefined) {
    this.#root = root;
    this.#logger = logger;
  }

  /** Opens (creating with mode 0700 if needed) the directory, finishing any interrupted transaction. */
  static async open(path: string, options: FileBackendOptions = {}): Promise<FileBackend> {
    const backend = new FileBackend(resolve(path), options.logger);
    await backend.#lock.write(() => backend.#recover());
    return backend;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    assertFileKey(key);
    return this.#reading(() => this.#readEntry(key));
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    assertFileKey(key);
    await this.#writes.run({ operations: [{ type: 'put', key, value }], conditions: [], action: 'writing an entry' });
  }

  async delete(key: string): Promise<void> {
    assertFileKey(key);
    await this.#writes.run({ operations: [{ type: 'delete', key }], conditions: [], action: 'deleting an entry' });
  }

  async list(prefix: string): Promise<string[]> {
    const dir = folderPath(this.#root, prefix);
    return this.#reading(() => this.#listDir(dir));
  }

  async transaction(operations: readonly TxnOperation[], conditions: readonly TxnCondition[] = []): Promise<boolean> {
    for (const { key } of [...operations, ...conditions]) assertFileKey(key);
    return this.#writes.run({ operations, conditions, action: 'applying a transaction' });
  }

  /** Waits for operations in flight; later calls fail. */
  async close(): Promise<void> {
    await this.#writes.idle();
    await this.#lock.write(async () => {
      this.#closed = true;
    });
  }

  async #recover(): Promise<void> {
    try {
      await ensureDir(this.#root);
      await this.#replayJournal();
      const removed = await sweepStale(this.#root);
      if (removed > 0) this.#logger?.info('removed temp files of interrupted writes', { count: removed });
    } catch (error) {
      throw storageIoError('opening the storage directory', error);
    }
  }

  async #reading<T>(work: () => Promise<T>): Promise<T> {
    if (this.#journalPending) await this.#writing(async () => undefined);
    return this.#lock.read(async () => {
      this.#assertUsable();
      if (this.#journalPending) throw pendingJournalError();
      return work();
    });
  }

  #writing<T>(work: () => Promise<T>): Promise<T> {
    return this.#lock.write(async () => {
      this.#assertUsable();
      if (this.#journalPending) {
        await this.#replayJournal().catch(failed('completing an interrupted transaction'));
      }
      return work();
    });
  }

  #assertUsable(): void {
    if (this.#closed) throw new SealboxError('storage_unavailable', 'storage unavailable: the file backend is closed');
  }

  /**
   * Each write's conditions see the writes before it in the batch; the operations of those that
   * hold are applied as one. A failure fails them all: none of them applied.
   */
  async #applyTogether(writes: readonly PendingWrite[]): Promise<boolean[]> {
    const pending = new Map<string, TxnOperation>();
    const applied: boolean[] = [];
    for (const write of writes) {
      const holds = await this.#conditionsHold(write.conditions, pending);
      applied.push(holds);
      if (!holds) continue;
      for (const operation of write.operations) {
        // Re-inserted, so that the map keeps the order in which keys were last written.
        pending.delete(operation.key);
        pending.set(operation.key, operation);
      }
    }
    const action = writes.every((write) => write.action === writes[0]?.action) ? writes[0]!.action : 'applying a transaction';
    if (pending.size > 0) await this.#apply([...pending.values()]).catch(failed(action));
    return applied;
  }

  async #conditionsHold(conditions: readonly TxnCondition[], pending: ReadonlyMap<string, TxnOperation>): Promise<boolean> {
    for (const condition of conditions) {
      const written = pending.get(condition.key);
      const current = written === undefined ? await this.#readEntry(condition.key) : written.type === 'put' ? written.value : undefined;
      if (!bytesEqual(current, condition.value)) return false;
    }
    return true;
  }

  /**
   * Stages every new value in a temp file, then (for more than one step) records the journal, then
   * renames and deletes. A failure while staging or before the journal exists applies nothing; a
   * failure after leaves the journal for #replayJournal to finish.
   */
  async #apply(operations: readonly TxnOperation[]): Promise<void> {
    const steps = await this.#stage(operations);
    if (steps.length <= 1) {
      await this.#commit(steps, false).catch(async (error: unknown) => {
        await this.#unstage(steps);
        throw error;
      });
      return;
    }
    await writeJournal(this.#root, steps).catch(async (error: unknown) => {
      await this.#unstage(steps);
      throw error;
    });
    this.#journalPending = true;
    await this.#commit(steps, false);
    await removeJournal(this.#root);
    this.#journalPending = false;
  }

  async #replayJournal(): Promise<void> {
    const steps = await readJournal(this.#root);
    if (steps === undefined) return;
    this.#logger?.warn('completing an interrupted storage transaction', { steps: steps.length });
    this.#journalPending = true;
    await this.#commit(steps, true);
    await removeJournal(this.#root);
    this.#journalPending = false;
  }

  /** All at once: the syncs of the temp files overlap. */
  async #stage(operations: readonly TxnOperation[]): Promise<JournalStep[]> {
    const staged = await Promise.allSettled(operations.map((operation) => this.#stageOne(operation)));
    const steps = staged.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failure = staged.find((result) => result.status === 'rejected');
    if (failure === undefined) return steps;
    await this.#unstage(steps);
    throw failure.reason;
  }

  async #stageOne(operation: TxnOperation): Promise<JournalStep> {
    if (operation.type === 'delete') return operation;
    const { dir } = entryPath(this.#root, operation.key);
    await ensureDir(dir);
    try {
      return { type: 'put', key: operation.key, temp: await writeTempFile(dir, operation.value) };
    } catch (error) {
      // A failed first write into a new folder must not leave that folder visible in list().
      await removeEmptyDirs(this.#root, dir);
      throw error;
    }
  }

  async #unstage(steps: readonly JournalStep[]): Promise<void> {
    for (const step of steps) {
      if (step.type === 'delete') continue;
      const { dir } = entryPath(this.#root, step.key);
      await removeQuietly(join(dir, step.temp));
      await removeEmptyDirs(this.#root, dir);
    }
  }

  /**
   * Renames and deletes in order, then syncs each directory they touched once, so that all of them
   * are durable when this returns (a crash before that leaves the journal, or for a single step the
   * old or the new entry). On replay, a staged file already renamed before the crash is simply
   * gone: that step is done.
   */
  async #commit(steps: readonly JournalStep[], replaying: boolean): Promise<void> {
    const touched = new Set<string>();
    const emptied = new Set<string>();
    for (const step of steps) {
      const { dir, file } = entryPath(this.#root, step.key);
      touched.add(dir);
      if (step.type === 'delete') {
        await unlink(file).catch(ignoreCode('ENOENT'));
        emptied.add(dir);
        continue;
      }
      await rename(join(dir, step.temp), file).catch(replaying ? ignoreCode('ENOENT') : rethrow);
    }
    await Promise.all([...touched].map((dir) => syncDir(dir).catch(ignoreCode('ENOENT'))));
    for (const dir of emptied) await removeEmptyDirs(this.#root, dir);
  }

  async #readEntry(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(entryPath(this.#root, key).file));
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw storageIoError('reading an entry', error);
    }
  }

  async #listDir(dir: string): Promise<string[]> {
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      const names = entries.map((entry) => listEntry(entry.name, entry.isDirectory(), entry.isFile()));
      return sortKeys(names.filter((name) => name !== undefined));
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw storageIoError('listing entries', error);
    }
  }
}

function failed(action: string): (error: unknown) => never {
  return (error) => {
    throw storageIoError(action, error);
  };
}

function ignoreCode(code: string): (error: unknown) => void {
  return (error) => {
    if (errnoCode(error) !== code) throw error;
  };
}

function rethrow(error: unknown): never {
  throw error;
}

function pendingJournalError(): SealboxError {
  return new SealboxError(
    'storage_unavailable',
    'storage unavailable: an interrupted transaction could not be completed',
  );
}
