/**
 * The server's TCP/TLS listener. Connections are accepted by a net.Server (or tls.Server, which
 * terminates TLS first) and handed to an http.Server that never listens itself, through
 * ListVerbFallback: Node's HTTP parser rejects Vault's `LIST` verb before any handler runs, and a
 * connection that sends it goes on through ListVerbRewriter.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { ListVerbRewriter } from './list-verb-rewriter.ts';
import { ListVerbFallback } from './list-verb-fallback.ts';

export interface ListenerTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Lowest protocol version accepted; TLS 1.2 unless set higher. */
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export interface ListenerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly tls?: ListenerTls;
  readonly handler: http.RequestListener;
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly keepAliveTimeoutMs?: number;
  readonly maxHeaderSize?: number;
}

export interface RunningListener {
  readonly address: { readonly host: string; readonly port: number };
  /** http(s)://host:port of the bound address. */
  readonly url: string;
  /** Stops accepting and closes every connection, idle or not; resolves once all are closed. */
  close(): Promise<void>;
  /** Serves new TLS connections with this certificate and key (SIGHUP); open ones keep theirs. */
  reloadTls(tls: ListenerTls): void;
}

// Node checks header and request timeouts only every 30 s by default, so a 10 s headers timeout
// could let a slow client hold a connection for 40 s.
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

export async function startListener(options: ListenerOptions): Promise<RunningListener> {
  const httpServer = createHttpServer(options);
  const acceptor = createAcceptor(options, httpServer);
  const sockets = trackSockets(acceptor);
  try {
    await listen(acceptor, options.host, options.port);
  } catch (error) {
    httpServer.close();
    throw error;
  }
  const address = boundAddress(acceptor);
  return {
    address,
    url: `${options.tls ? 'https' : 'http'}://${formatHost(address.host)}:${address.port}`,
    close: () => close(acceptor, httpServer, sockets),
    reloadTls: (next) => {
      if (!(acceptor instanceof tls.Server)) throw new Error('the listener does not use TLS');
      acceptor.setSecureContext(secureContextOptions(next));
    },
  };
}

function createHttpServer(options: ListenerOptions): http.Server {
  const serverOptions: http.ServerOptions = {
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  };
  if (options.headersTimeoutMs !== undefined) serverOptions.headersTimeout = options.headersTimeoutMs;
  if (options.requestTimeoutMs !== undefined) serverOptions.requestTimeout = options.requestTimeoutMs;
  if (options.keepAliveTimeoutMs !== undefined) {
    serverOptions.keepAliveTimeout = options.keepAliveTimeoutMs;
  }
  if (options.maxHeaderSize !== undefined) serverOptions.maxHeaderSize = options.maxHeaderSize;
  const server = http.createServer(serverOptions, options.handler);
  // http.Server starts tracking connections (and so its header and request timeouts) on
  // 'listening', which a server fed by emit('connection') never emits itself.
  server.emit('listening');
  return server;
}

function createAcceptor(options: ListenerOptions, httpServer: http.Server): net.Server {
  const maxLineBytes = options.maxHeaderSize ?? http.maxHeaderSize;
  const fallback = new ListVerbFallback(httpServer, () => new ListVerbRewriter({ maxLineBytes }));
  const handOver = (socket: net.Socket): void => fallback.accept(socket);
  // Half-open and noDelay as http.Server sets them for the sockets it accepts itself.
  const socketOptions = { allowHalfOpen: true, noDelay: true };
  if (options.tls === undefined) {
    return net.createServer(socketOptions, handOver);
  }
  return tls.createServer({ ...socketOptions, ...secureContextOptions(options.tls) }, handOver);
}

function secureContextOptions({ cert, key, minVersion }: ListenerTls): tls.SecureContextOptions {
  return { cert, key, minVersion: minVersion ?? 'TLSv1.2' };
}

/** Every accepted TCP socket until it closes; with TLS, closing it also closes the TLS socket. */
function trackSockets(acceptor: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  acceptor.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

function listen(acceptor: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    acceptor.once('error', reject);
    acceptor.listen(port, host, () => {
      acceptor.off('error', reject);
      resolve();
    });
  });
}

function boundAddress(acceptor: net.Server): { host: string; port: number } {
  const { address, port } = acceptor.address() as AddressInfo;
  return { host: address, port };
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function close(acceptor: net.Server, httpServer: http.Server, sockets: Set<net.Socket>): Promise<void> {
  return new Promise((resolve) => {
    acceptor.close(() => resolve());
    // Stops the timeout checks; the connections themselves are closed below.
    httpServer.close();
    for (const socket of sockets) socket.destroy();
  });
}
