import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/** Rewrites the inbound byte stream of one connection, chunk by chunk. */
export interface InboundRewriter {
  write(chunk: Buffer): Buffer;
  /** Bytes still held back when the peer stops sending. */
  end(): Buffer;
}

/**
 * A socket-like Duplex handed to an http.Server in place of the accepted socket: reads come from
 * the socket through an InboundRewriter, writes go to the socket unchanged.
 *
 * http.Server accepts any Duplex, but it reads a few socket members (addresses for logs and audit,
 * `encrypted` for the protocol, setTimeout for keep-alive, destroySoon to close after a response),
 * so those are provided here. Closing either side closes the other.
 */
export class RewritingSocket extends Duplex {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly remoteFamily: string | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly encrypted: boolean;
  readonly #socket: Socket;

  constructor(socket: Socket, rewriter: InboundRewriter, encrypted: boolean) {
    super({
      // http.Server decides itself when to end its side after the peer's FIN.
      allowHalfOpen: true,
      readableHighWaterMark: socket.readableHighWaterMark,
      writableHighWaterMark: socket.writableHighWaterMark,
    });
    this.#socket = socket;
    // Captured now: a closed socket no longer knows its peer, and the audit log may ask late.
    this.remoteAddress = socket.remoteAddress;
    this.remotePort = socket.remotePort;
    this.remoteFamily = socket.remoteFamily;
    this.localAddress = socket.localAddress;
    this.localPort = socket.localPort;
    this.encrypted = encrypted;
    this.#pipeInbound(rewriter);
  }

  /** Idle timeout of the underlying socket, used by http.Server for keep-alive. */
  setTimeout(timeoutMs: number): this {
    this.#socket.setTimeout(timeoutMs);
    return this;
  }

  /** Ends after pending writes, then closes even if the peer keeps its side open (as net does). */
  destroySoon(): void {
    this.end();
    if (this.writableFinished) {
      this.destroy();
      return;
    }
    this.once('finish', () => this.destroy());
  }

  override _read(): void {
    this.#socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    this.#afterWrite(this.#socket.write(chunk), callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: WriteCallback): void {
    // http.Server corks headers and body together; keep them in one socket write.
    const socket = this.#socket;
    socket.cork();
    let flushed = true;
    for (const { chunk } of chunks) flushed = socket.write(chunk);
    socket.uncork();
    this.#afterWrite(flushed, callback);
  }

  override _final(callback: WriteCallback): void {
    // Finishing only once the socket has flushed keeps a later destroy from dropping the response.
    this.#socket.end(() => callback());
  }

  override _destroy(error: Error | null, callback: WriteCallback): void {
    this.#socket.destroy();
    callback(error);
  }

  #pipeInbound(rewriter: InboundRewriter): void {
    const socket = this.#socket;
    socket.on('data', (chunk: Buffer) => this.#pushInbound(rewriter.write(chunk)));
    socket.on('end', () => {
      this.#pushInbound(rewriter.end());
      this.push(null);
    });
    socket.on('timeout', () => this.emit('timeout'));
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy());
  }

  #pushInbound(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (!this.push(bytes)) this.#socket.pause();
  }

  #afterWrite(flushed: boolean, callback: WriteCallback): void {
    if (flushed) {
      callback();
      return;
    }
    this.#socket.once('drain', () => callback());
  }
}

type WriteCallback = (error?: Error | null) => void;
