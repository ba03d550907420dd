import { mkdir, open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SealboxError } from '../../../lib/errors.ts';
import type { DeviceEnvironment, LineWriter, LineWriterFactory } from '../line-writer.ts';

const DEFAULT_MODE = 0o600;
const TAIL_CHUNK = 64 * 1024;
/** Entries can be as large as a request; a longer last line is not worth continuing a chain from. */
const MAX_TAIL = 64 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Vault's `file` device: `file_path` (alias `path`; `stdout` and `discard` are special), `mode`
 * (octal, default 0600, `0000` keeps the mode of an existing file, execute bits are dropped).
 * The file is opened at once, so a path that cannot be written fails the enable.
 */
export const fileWriterFactory: LineWriterFactory = async (options, environment) => {
  const path = options['file_path'] ?? options['path'];
  if (path === undefined || path === '') throw invalid('file_path is required');
  const special = specialDestination(path, environment);
  if (special !== undefined) return special;
  const writer = new FileWriter(path, await fileMode(options['mode'], path));
  try {
    await writer.reopen();
  } catch (error) {
    throw invalid(`sanity check failed; unable to open "${path}" for writing: ${messageOf(error)}`);
  }
  return writer;
};

function specialDestination(path: string, environment: DeviceEnvironment): LineWriter | undefined {
  switch (path.toLowerCase()) {
    case 'discard':
      return { write: async () => undefined, reopen: async () => undefined, close: async () => undefined };
    case 'stdout':
      if (environment.stdout === undefined) throw invalid('file_path "stdout" is not available in this process');
      return new StreamWriter(environment.stdout);
    default:
      return undefined;
  }
}

async function fileMode(raw: string | undefined, path: string): Promise<number> {
  if (raw === undefined || raw === '') return DEFAULT_MODE;
  if (!/^[0-7]{1,4}$/.test(raw)) throw invalid(`invalid value for option "mode": expected an octal file mode, got "${raw}"`);
  const mode = Number.parseInt(raw, 8) & 0o666;
  if (Number.parseInt(raw, 8) !== 0) return mode;
  try {
    return (await stat(path)).mode & 0o666;
  } catch (error) {
    throw invalid(`mode 0000 keeps the mode of an existing file, but "${path}" cannot be read: ${messageOf(error)}`);
  }
}

/** Appends to a file; reopening after a rename is how log rotation works. */
class FileWriter implements LineWriter {
  readonly acceptsManyLines = true;
  readonly #path: string;
  readonly #mode: number;
  #handle: FileHandle | undefined;
  /** The file ended in a partial line (a crash mid-write): start on a line of our own. */
  #needsNewline = false;

  constructor(path: string, mode: number) {
    this.#path = path;
    this.#mode = mode;
  }

  async write(line: string): Promise<void> {
    try {
      await this.#append(line);
    } catch {
      // As Vault does: the descriptor may have gone bad, so open the file again and retry once.
      await this.#closeHandle();
      await this.#append(line);
    }
  }

  async reopen(): Promise<void> {
    await this.#closeHandle();
    await this.#open();
  }

  close(): Promise<void> {
    return this.#closeHandle();
  }

  lastLine(): Promise<string | undefined> {
    return readLastLine(this.#path);
  }

  async #append(line: string): Promise<void> {
    const handle = await this.#open();
    const bytes = Buffer.from(this.#needsNewline ? `\n${line}` : line, 'utf8');
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
    this.#needsNewline = false;
  }

  async #open(): Promise<FileHandle> {
    if (this.#handle !== undefined) return this.#handle;
    await mkdir(dirname(this.#path), { recursive: true, mode: 0o700 });
    // a+: appends, and can read the last byte to tell whether the file ends mid-line.
    const handle = await open(this.#path, 'a+', this.#mode);
    try {
      // The file may have existed with another mode; /dev/null cannot be changed.
      if (this.#mode !== 0 && this.#path !== '/dev/null') await handle.chmod(this.#mode);
      this.#needsNewline = await endsInPartialLine(handle);
    } catch (error) {
      await handle.close();
      throw error;
    }
    this.#handle = handle;
    return handle;
  }

  async #closeHandle(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }
}

/** Standard output; never closed, since the process owns it. */
class StreamWriter implements LineWriter {
  readonly acceptsManyLines = true;
  readonly #stream: NodeJS.WritableStream;

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
  }

  write(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#stream.write(line, (error) => (error ? reject(error) : resolve()));
    });
  }

  async reopen(): Promise<void> {}

  async close(): Promise<void> {}
}

async function endsInPartialLine(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] !== NEWLINE;
}

/** The last complete line of a file, read backwards from its end. */
async function readLastLine(path: string): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    let position = size;
    let tail = Buffer.alloc(0);
    while (position > 0 && size - position < MAX_TAIL) {
      const length = Math.min(TAIL_CHUNK, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      tail = Buffer.concat([chunk, tail]);
      const end = tail.lastIndexOf(NEWLINE);
      if (end === -1) continue;
      const start = end === 0 ? -1 : tail.lastIndexOf(NEWLINE, end - 1);
      if (start !== -1 || position === 0) return tail.subarray(start + 1, end).toString('utf8');
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

function invalid(message: string): SealboxError {
  return new SealboxError('invalid_request', message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
