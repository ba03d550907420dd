import { createSocket } from 'node:dgram';
import type { Socket as DatagramSocket } from 'node:dgram';
import { createConnection, isIPv6 } from 'node:net';
import type { NetConnectOpts, Socket } from 'node:net';
import { parseDurationMs } from '../../../lib/duration.ts';
import { SealboxError } from '../../../lib/errors.ts';
import { splitHostPort } from '../../config/host-port.ts';
import type { LineWriter, LineWriterFactory } from '../line-writer.ts';

const DEFAULT_WRITE_TIMEOUT = '2s';

/**
 * Vault's `socket` device: `address` (required), `socket_type` (`tcp` by default, `udp`, `unix`),
 * `write_timeout` (default 2s, also bounds connecting). Nothing connects until the first line,
 * and a failed write reconnects and retries once, as Vault's does.
 */
export const socketWriterFactory: LineWriterFactory = async (options) => {
  const address = options['address'];
  if (address === undefined || address === '') throw invalid('address is required');
  const timeoutMs = writeTimeout(options['write_timeout'] ?? DEFAULT_WRITE_TIMEOUT);
  const socketType = options['socket_type'] ?? 'tcp';
  switch (socketType) {
    case 'tcp':
    case 'tcp4':
    case 'tcp6': {
      const { host, port } = hostPort(address);
      return new StreamSocketWriter({ host, port }, address, timeoutMs);
    }
    case 'unix':
      return new StreamSocketWriter({ path: address }, address, timeoutMs);
    case 'udp':
    case 'udp4':
    case 'udp6': {
      const { host, port } = hostPort(address);
      return new DatagramWriter(host, port, socketType === 'udp6' || isIPv6(host) ? 'udp6' : 'udp4', timeoutMs);
    }
    default:
      throw invalid(`unsupported socket_type "${socketType}": expected tcp, udp or unix`);
  }
};

/** TCP or a unix socket: one connection, replaced whenever it breaks or the peer closes it. */
class StreamSocketWriter implements LineWriter {
  readonly acceptsManyLines = true;
  readonly #target: NetConnectOpts;
  readonly #label: string;
  readonly #timeoutMs: number;
  #socket: Socket | undefined;

  constructor(target: NetConnectOpts, label: string, timeoutMs: number) {
    this.#target = target;
    this.#label = label;
    this.#timeoutMs = timeoutMs;
  }

  async write(line: string): Promise<void> {
    try {
      await this.#send(line);
    } catch {
      this.#drop();
      await this.#send(line);
    }
  }

  /** The next line connects afresh. */
  async reopen(): Promise<void> {
    this.#drop();
  }

  async close(): Promise<void> {
    this.#drop();
  }

  async #send(line: string): Promise<void> {
    const socket = this.#live() ?? (await this.#connect());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`writing to ${this.#label} timed out`));
      }, this.#timeoutMs);
      socket.write(line, (error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      });
    });
  }

  /** The open connection, unless the peer has closed its end (a listener that went away). */
  #live(): Socket | undefined {
    const socket = this.#socket;
    if (socket === undefined || socket.destroyed || !socket.writable || socket.readableEnded) return undefined;
    return socket;
  }

  #connect(): Promise<Socket> {
    this.#drop();
    return new Promise((resolve, reject) => {
      const socket = createConnection(this.#target);
      const timer = setTimeout(() => socket.destroy(new Error(`connecting to ${this.#label} timed out`)), this.#timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        // Write callbacks report failures; the listener only keeps an error from crashing the process.
        socket.on('error', () => undefined);
        socket.on('close', () => {
          if (this.#socket === socket) this.#socket = undefined;
        });
        // Reading is what notices the peer's FIN, so a closed listener fails the next write.
        socket.resume();
        socket.setNoDelay(true);
        this.#socket = socket;
        resolve(socket);
      });
    });
  }

  #drop(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }
}

/** UDP: one datagram per line; delivery is not confirmed, as with Vault's. */
class DatagramWriter implements LineWriter {
  readonly #host: string;
  readonly #port: number;
  readonly #type: 'udp4' | 'udp6';
  readonly #timeoutMs: number;
  #socket: DatagramSocket | undefined;

  constructor(host: string, port: number, type: 'udp4' | 'udp6', timeoutMs: number) {
    this.#host = host;
    this.#port = port;
    this.#type = type;
    this.#timeoutMs = timeoutMs;
  }

  async write(line: string): Promise<void> {
    try {
      await this.#send(line);
    } catch {
      this.#drop();
      await this.#send(line);
    }
  }

  async reopen(): Promise<void> {
    this.#drop();
  }

  async close(): Promise<void> {
    this.#drop();
  }

  async #send(line: string): Promise<void> {
    const socket = this.#socket ?? (await this.#connect());
    await new Promise<void>((resolve, reject) => {
      socket.send(Buffer.from(line, 'utf8'), (error) => (error ? reject(error) : resolve()));
    });
  }

  #connect(): Promise<DatagramSocket> {
    return new Promise((resolve, reject) => {
      const socket = createSocket(this.#type);
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error(`connecting to ${this.#host}:${this.#port} timed out`));
      }, this.#timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.connect(this.#port, this.#host, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.on('error', () => {
          if (this.#socket === socket) this.#drop();
        });
        this.#socket = socket;
        resolve(socket);
      });
    });
  }

  #drop(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    try {
      socket?.close();
    } catch {
      // already closed
    }
  }
}

function hostPort(address: string): { host: string; port: number } {
  const parsed = splitHostPort(address);
  if (parsed === undefined || parsed.port === 0) throw invalid(`invalid address "${address}": expected host:port`);
  return parsed;
}

function writeTimeout(raw: string): number {
  const ms = parseDurationMs(raw);
  if (ms === undefined || ms <= 0) throw invalid(`invalid value for option "write_timeout": expected a duration, got "${raw}"`);
  return ms;
}

function invalid(message: string): SealboxError {
  return new SealboxError('invalid_request', message);
}
