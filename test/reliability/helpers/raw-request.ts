/**
 * One HTTP/1.1 request written as exact bytes on its own connection (`Connection: close`), for
 * what real clients never send: unknown methods, invalid UTF-8, broken framing, huge bodies.
 */
import net from 'node:net';

export interface RawAnswer {
  /** 0 when the server closed the connection without an answer. */
  readonly status: number;
  readonly head: string;
  readonly body: Buffer;
}

export interface RawRequest {
  readonly method: string;
  /** The request target exactly as sent (`/v1/...?...`). */
  readonly target: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: Buffer;
}

const ANSWER_TIMEOUT_MS = 60_000;

export async function rawRequest(url: string, request: RawRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const headers = [...(request.headers ?? [])];
  const body = request.body ?? Buffer.alloc(0);
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close'];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  if (body.length > 0 && !headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name))) {
    lines.push(`Content-Length: ${body.length}`);
  }
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return exchange(hostname, Number(port), Buffer.concat([head, body]));
}

function exchange(host: string, port: number, bytes: Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`));
    }, ANSWER_TIMEOUT_MS);
    // No half-close: Node's HTTP server drops a connection whose client ended its side.
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may answer (413, 400) and close before it read everything: that is an answer.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseAnswer(Buffer.concat(chunks)));
    });
  });
}

function parseAnswer(received: Buffer): RawAnswer {
  const headEnd = received.indexOf('\r\n\r\n');
  if (headEnd === -1) return { status: 0, head: received.toString('latin1'), body: Buffer.alloc(0) };
  const head = received.subarray(0, headEnd).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  return { status, head, body: received.subarray(headEnd + 4) };
}
