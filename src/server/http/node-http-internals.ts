import { createRequire } from 'node:module';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The few parts of http.Server's per-socket state that the LIST-verb fallback has to reach; kept
 * in one place so that a Node upgrade has one file to check (the listener tests cover each).
 */
interface ServerSocket extends Socket {
  parser?: unknown;
  _httpMessage?: ServerResponse | null;
}

/** Fields Node puts on the error of a failed parse (`clientError`). */
export interface ParseError extends Error {
  code?: string;
  bytesParsed?: number;
  rawPacket?: Buffer;
}

/** The response currently owning the socket: an earlier request of the connection still answering. */
export function inFlightResponse(socket: Socket): ServerResponse | undefined {
  return (socket as ServerSocket)._httpMessage ?? undefined;
}

/** Whether the response in flight has already sent its head, so an error reply would corrupt it. */
export function responseStarted(socket: Socket): boolean {
  return inFlightResponse(socket)?.headersSent === true;
}

/**
 * Stops the socket's HTTP parser reading the socket natively and drops it from the server's
 * header/request timeout checks, as Node does when it hands a socket to an upgrade.
 */
export function releaseParser(socket: Socket): void {
  const { freeParser } = createRequire(import.meta.url)('_http_common') as {
    freeParser: (parser: unknown, request: null, socket: Socket) => void;
  };
  freeParser((socket as ServerSocket).parser, null, socket);
}
