/**
 * A client that writes exact bytes, for what real HTTP clients never send: split request lines,
 * pipelined requests, LIST inside bodies, garbage.
 */
import net from 'node:net';
import tls from 'node:tls';
import { setTimeout as delay } from 'node:timers/promises';

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface ExchangeOptions {
  /** Pause between pieces so that each one leaves as its own TCP segment or TLS record. */
  readonly pauseMs?: number;
  /** Connect with TLS, trusting this certificate. */
  readonly ca?: Buffer;
}

const EXCHANGE_TIMEOUT_MS = 10_000;

/** Writes the pieces, then collects everything the server sends until it closes the connection. */
export async function exchange(
  port: number,
  pieces: ReadonlyArray<string | Buffer>,
  options: ExchangeOptions = {},
): Promise<string> {
  const socket = await connect(port, options.ca);
  const received = collect(socket);
  for (const piece of pieces) {
    socket.write(piece);
    if (options.pauseMs !== undefined) await delay(options.pauseMs);
  }
  return received;
}

export function connect(port: number, ca?: Buffer): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      ca === undefined
        ? net.connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(socket))
        : tls.connect({ host: '127.0.0.1', port, ca }, () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

export function collect(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${EXCHANGE_TIMEOUT_MS} ms: ${Buffer.concat(chunks)}`));
    }, EXCHANGE_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

/** Splits a byte stream of responses; a response without Content-Length runs to the end. */
export function parseResponses(stream: string): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = stream;
  while (rest.length > 0) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd === -1) throw new Error(`incomplete response: ${JSON.stringify(rest)}`);
    const [statusLine = '', ...headerLines] = rest.slice(0, headEnd).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const bodyStart = headEnd + 4;
    const length = headers['content-length'];
    const bodyEnd = length === undefined ? rest.length : bodyStart + Number(length);
    responses.push({
      status: Number(statusLine.split(' ')[1]),
      headers,
      body: rest.slice(bodyStart, bodyEnd),
    });
    rest = rest.slice(bodyEnd);
  }
  return responses;
}
