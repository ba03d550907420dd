import type http from 'node:http';
import type { Socket } from 'node:net';

/** Rewrites the inbound byte stream of one connection, chunk by chunk. */
export interface InboundRewriter {
  write(chunk: Buffer): Buffer;
  /** Bytes still held back when the peer stops sending. */
  end(): Buffer;
}

export type Feed = (chunk: Buffer) => void;

/**
 * Hands a socket to an http.Server with its inbound bytes rewritten on their way to the server's
 * parser; the socket itself (writes, timeouts, addresses, TLS) stays the server's own. Returns the
 * rewriting feed, for bytes that arrived before (see list-verb-fallback.ts).
 *
 * http.Server feeds its parser from the socket's 'data' event once anyone else listens for data
 * (it stops reading the handle natively then, as it does for a handler reading `req.socket`), so
 * its own 'data' listener is swapped for one that rewrites first.
 */
export function rewriteInbound(server: http.Server, socket: Socket, rewriter: InboundRewriter): Feed {
  server.emit('connection', socket);
  const feed = parserFeed(socket);
  const rewritingFeed = (chunk: Buffer): void => feedIfAny(feed, rewriter.write(chunk));
  socket.removeListener('data', feed);
  socket.on('data', rewritingFeed);
  socket.prependListener('end', () => feedIfAny(feed, rewriter.end()));
  return rewritingFeed;
}

function parserFeed(socket: Socket): Feed {
  const listeners = socket.listeners('data');
  const feed = listeners[0];
  // Anything else means Node changed how http.Server reads; serving unrewritten would be worse.
  if (listeners.length !== 1 || feed === undefined) {
    socket.destroy();
    throw new Error(`http.Server registered ${listeners.length} data listeners, expected 1`);
  }
  return feed as Feed;
}

function feedIfAny(feed: Feed, bytes: Buffer): void {
  if (bytes.length > 0) feed(bytes);
}
