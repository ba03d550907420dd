/** Where a device's lines go: a file, standard output, a socket. */
export interface LineWriter {
  /** Writes one line (ending in '\n'); resolves once the destination took it. */
  write(line: string): Promise<void>;
  /** Takes several lines in one write (a byte stream), so that lines logged meanwhile go out together; not datagrams. */
  readonly acceptsManyLines?: boolean;
  /** Closes and opens the destination again: log rotation for files, a new connection for sockets. */
  reopen(): Promise<void>;
  close(): Promise<void>;
  /** The last complete line already at the destination, so a chain continues across restarts. */
  lastLine?(): Promise<string | undefined>;
}

/** What the process offers devices; passed in from the composition root. */
export interface DeviceEnvironment {
  /** For `file_path=stdout`; without it that destination is refused. */
  readonly stdout?: NodeJS.WritableStream;
}

/** Checks a device type's options and opens its destination; a bad option is a 400. */
export type LineWriterFactory = (options: Readonly<Record<string, string>>, environment: DeviceEnvironment) => Promise<LineWriter>;
