import { finished } from 'node:stream/promises';
import type http from 'node:http';
import type { Socket } from 'node:net';
import { inFlightResponse, releaseParser, responseStarted } from './node-http-internals.ts';
import type { ParseError } from './node-http-internals.ts';
import { rewriteInbound } from './rewrite-inbound.ts';
import type { InboundRewriter } from './rewrite-inbound.ts';

/**
 * Serves each connection with Node's HTTP parser reading the socket natively (in C++, the cheap
 * path) and moves a connection to the JavaScript rewriting path only when it sends Vault's `LIST`
 * verb, which that parser rejects (`HPE_INVALID_METHOD`) before any handler runs.
 *
 * The move happens where the parser stopped: the server's state for the connection is dropped as
 * Node drops it for an upgrade, the failed request's bytes are replayed through a fresh rewriter,
 * and every later byte of the connection goes through it too. From that point one parser sees one
 * byte stream, as before, so the rewriter and Node cannot disagree on framing.
 */
export class ListVerbFallback {
  readonly #server: http.Server;
  readonly #newRewriter: () => InboundRewriter;
  /** The listeners http.Server put on each socket it still reads natively. */
  readonly #native = new WeakMap<Socket, ServerListeners>();

  constructor(server: http.Server, newRewriter: () => InboundRewriter) {
    this.#server = server;
    this.#newRewriter = newRewriter;
    server.on('clientError', (error: ParseError, socket: Socket) => this.#onClientError(error, socket));
  }

  accept(socket: Socket): void {
    // Read now: a closed socket no longer knows its peer, and the audit log may ask late.
    void socket.remoteAddress;
    void socket.localAddress;
    const before = listenerSnapshot(socket);
    this.#server.emit('connection', socket);
    this.#native.set(socket, addedListeners(before, listenerSnapshot(socket)));
  }

  #onClientError(error: ParseError, socket: Socket): void {
    const listeners = this.#native.get(socket);
    const replay = error.code === 'HPE_INVALID_METHOD' ? failedListRequest(error) : undefined;
    if (listeners === undefined || replay === undefined) {
      refuse(error, socket);
      return;
    }
    this.#native.delete(socket);
    // Only a Node whose http.Server reads sockets differently fails here (rewrite-inbound.ts).
    this.#moveToRewriter(socket, listeners, replay).catch((error: unknown) => socket.destroy(error as Error));
  }

  async #moveToRewriter(socket: Socket, listeners: ServerListeners, replay: Buffer): Promise<void> {
    // The parser's own listeners go now; the responses' (drain, timeout, close) once they are done.
    removeListeners(socket, listeners, PARSER_EVENTS);
    releaseParser(socket);
    const waiting = inFlightResponse(socket) !== undefined;
    if (waiting) {
      socket.pause();
      await earlierResponsesDone(socket);
      if (socket.destroyed) return;
    }
    removeListeners(socket, listeners, RESPONSE_EVENTS);
    // An idle keep-alive timer armed after the last response; the LIST request is not idle.
    socket.setTimeout(0);
    const feed = rewriteInbound(this.#server, socket, this.#newRewriter());
    // Resumed before the replay, so that a pause the server makes while parsing it holds.
    if (waiting) socket.resume();
    feed(replay);
  }
}

type ServerListeners = Map<string, Function[]>;

const PARSER_EVENTS = ['data', 'end', 'pause', 'resume', 'error'] as const;
const RESPONSE_EVENTS = ['drain', 'timeout', 'close'] as const;

function listenerSnapshot(socket: Socket): ServerListeners {
  return new Map([...PARSER_EVENTS, ...RESPONSE_EVENTS].map((event) => [event, socket.listeners(event)]));
}

function addedListeners(before: ServerListeners, after: ServerListeners): ServerListeners {
  return new Map([...after].map(([event, now]) => [event, now.filter((listener) => !before.get(event)?.includes(listener))]));
}

function removeListeners(socket: Socket, listeners: ServerListeners, events: readonly string[]): void {
  for (const event of events) {
    for (const listener of listeners.get(event) ?? []) socket.removeListener(event, listener as (...args: unknown[]) => void);
  }
}

const LIST_START = Buffer.from('LI', 'latin1');
const N = 0x4e;
const S = 0x53;

/**
 * The failed request's bytes from its first one, or undefined if it was not a LIST. llhttp stops
 * at the S of `LIST` (no method goes on from `LI` with it) and reports that offset in the chunk it
 * was parsing; the `LI` before it may have come at the end of an earlier chunk. An N right before
 * the `LI` is read as UNLINK's, so `UNLIST` gets its 400 (a LIST pipelined right after a body that
 * ends in N would get it too; clients do not pipeline). Bytes of an earlier chunk are not seen, so
 * a method split right there (`UN` then `LIST`, `LO` then `ST`) is taken for LIST.
 */
function failedListRequest({ rawPacket, bytesParsed }: ParseError): Buffer | undefined {
  if (rawPacket === undefined || bytesParsed === undefined || rawPacket[bytesParsed] !== S) return undefined;
  const inChunk = Math.min(bytesParsed, LIST_START.length);
  const start = bytesParsed - inChunk;
  const earlier = LIST_START.length - inChunk;
  if (!rawPacket.subarray(start, bytesParsed).equals(LIST_START.subarray(earlier))) return undefined;
  if (start > 0 && rawPacket[start - 1] === N) return undefined;
  return Buffer.concat([LIST_START.subarray(0, earlier), rawPacket.subarray(start)]);
}

/**
 * Responses to requests before the LIST are written by the server state being dropped; the new
 * one must not answer before they are done. Bounded: each pass waits for a different response.
 */
async function earlierResponsesDone(socket: Socket): Promise<void> {
  let waited: http.ServerResponse | undefined;
  for (let response = inFlightResponse(socket); response !== undefined && response !== waited; response = inFlightResponse(socket)) {
    waited = response;
    await finished(response).catch(() => undefined);
    if (socket.destroyed) return;
  }
}

const REFUSALS: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/** What http.Server does itself without a clientError listener. */
function refuse(error: ParseError, socket: Socket): void {
  if (socket.writable && !responseStarted(socket)) {
    const status = REFUSALS[error.code ?? ''] ?? '400 Bad Request';
    socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  }
  socket.destroy(error);
}
