/**
 * Streaming rewrite of Vault's custom `LIST` verb, which Node's HTTP parser rejects before any
 * handler runs (vault-api.md 1.1). `LIST <target> HTTP/1.x` becomes
 * `GET <target>?list=true HTTP/1.x` (or `&list=true` when the target has a query).
 *
 * The rewriter sits in front of Node's parser on a whole connection, so it tracks HTTP/1.1 request
 * framing (Content-Length, chunked with trailers) to find every request line of a keep-alive or
 * pipelined connection and never touches body bytes. Bytes are forwarded as soon as they arrive:
 * only up to four bytes of a possible `LIST` prefix are ever held back, so Node's header and
 * request timeouts still see a slow client's bytes. Header lines are copied aside only to read
 * the framing headers, and at most `maxLineBytes` of one line are kept.
 *
 * Whenever the input is something it does not fully understand (not HTTP/1.x, ambiguous framing,
 * upgrades, over-long lines) it stops rewriting for the rest of the connection and passes bytes
 * through untouched: Node's parser then rejects them itself (400, 431), and a rewriter that
 * guessed the framing differently from Node could corrupt a body or smuggle a request.
 */

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const QUESTION_MARK = 0x3f;

const LIST_PREFIX = Buffer.from('LIST ', 'latin1');
const GET_PREFIX = Buffer.from('GET ', 'latin1');
const LIST_QUERY = Buffer.from('?list=true', 'latin1');
const LIST_PARAM = Buffer.from('&list=true', 'latin1');
const EMPTY = Buffer.alloc(0);

const REQUEST_LINE_VERSION = / HTTP\/1\.[01]$/;
const CONTENT_LENGTH = /^\d{1,15}$/;
// 13 hex digits stay below 2^53, so the size is exact as a JS number.
const CHUNK_SIZE_LINE = /^([0-9a-fA-F]{1,13})(?:;.*)?$/;

type Phase =
  | 'request-start'
  | 'list-target'
  | 'head'
  | 'body'
  | 'chunk-size'
  | 'chunk-data'
  | 'chunk-data-end'
  | 'trailers'
  | 'passthrough';

interface RequestHead {
  requestLineSeen: boolean;
  method: string;
  version: string;
  contentLength: number | undefined;
  transferCodings: string[];
  upgrade: boolean;
}

export interface ListVerbRewriterOptions {
  /** Longest request line, header or chunk-size line kept for parsing; Node's maxHeaderSize. */
  readonly maxLineBytes: number;
}

/** Collects one chunk's output: spans of the input plus inserted bytes, without copying spans. */
class Output {
  readonly #chunk: Buffer;
  readonly #parts: Buffer[] = [];
  #from = 0;

  constructor(chunk: Buffer) {
    this.#chunk = chunk;
  }

  copyUpTo(end: number): void {
    if (end > this.#from) this.#parts.push(this.#chunk.subarray(this.#from, end));
    this.#from = end;
  }

  dropByte(index: number): void {
    this.copyUpTo(index);
    this.#from = index + 1;
  }

  insert(bytes: Buffer): void {
    this.#parts.push(bytes);
  }

  finish(): Buffer {
    this.copyUpTo(this.#chunk.length);
    if (this.#parts.length === 1) return this.#parts[0] ?? EMPTY;
    return Buffer.concat(this.#parts);
  }
}

/** The current line of a head, chunk size or trailer section, kept as views into the input. */
class LineCollector {
  readonly #maxBytes: number;
  #parts: Buffer[] = [];
  #length = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Returns false when the line grew past the limit. */
  append(bytes: Buffer): boolean {
    this.#length += bytes.length;
    if (this.#length > this.#maxBytes) return false;
    if (bytes.length > 0) this.#parts.push(bytes);
    return true;
  }

  /** The line without its line ending; resets the collector. */
  take(): string {
    const text = Buffer.concat(this.#parts, this.#length).toString('latin1');
    this.clear();
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }

  clear(): void {
    this.#parts = [];
    this.#length = 0;
  }
}

export class ListVerbRewriter {
  readonly #line: LineCollector;
  #phase: Phase = 'request-start';
  /** How many bytes of `LIST ` were matched and held back. */
  #heldPrefix = 0;
  #targetHasQuery = false;
  /** Body or chunk bytes still to skip, or CRLF bytes still expected after chunk data. */
  #remaining = 0;
  #head: RequestHead = newHead();

  constructor(options: ListVerbRewriterOptions) {
    this.#line = new LineCollector(options.maxLineBytes);
  }

  /** Rewrites one chunk of the inbound byte stream; may return an empty buffer. */
  write(chunk: Buffer): Buffer {
    if (this.#phase === 'passthrough') return chunk;
    const output = new Output(chunk);
    let offset = 0;
    while (offset < chunk.length) offset = this.#step(chunk, offset, output);
    return output.finish();
  }

  /** Releases bytes still held back when the inbound stream ends. */
  end(): Buffer {
    const held = LIST_PREFIX.subarray(0, this.#heldPrefix);
    this.#heldPrefix = 0;
    return held;
  }

  #step(chunk: Buffer, offset: number, output: Output): number {
    switch (this.#phase) {
      case 'request-start':
        return this.#matchMethod(chunk, offset, output);
      case 'list-target':
        return this.#rewriteTarget(chunk, offset, output);
      case 'head':
        return this.#readLines(chunk, offset, (line) => this.#onHeadLine(line));
      case 'body':
        return this.#skipBody(chunk, offset);
      case 'chunk-size':
        return this.#readLines(chunk, offset, (line) => this.#onChunkSizeLine(line));
      case 'chunk-data':
        return this.#skipChunkData(chunk, offset);
      case 'chunk-data-end':
        return this.#expectChunkDataEnd(chunk, offset);
      case 'trailers':
        return this.#readLines(chunk, offset, (line) => this.#onTrailerLine(line));
      case 'passthrough':
        return chunk.length;
    }
  }

  #matchMethod(chunk: Buffer, offset: number, output: Output): number {
    let index = offset;
    // Node's parser skips empty lines before a request line, so they pass through as they are.
    while (this.#heldPrefix === 0 && index < chunk.length && isLineBreak(chunk[index])) index++;
    while (index < chunk.length && chunk[index] === LIST_PREFIX[this.#heldPrefix]) {
      output.dropByte(index);
      this.#heldPrefix++;
      index++;
      if (this.#heldPrefix === LIST_PREFIX.length) return this.#startListTarget(index, output);
    }
    if (index === chunk.length) return index;
    return this.#startOtherRequest(index, output);
  }

  #startListTarget(offset: number, output: Output): number {
    output.insert(GET_PREFIX);
    this.#heldPrefix = 0;
    this.#targetHasQuery = false;
    this.#head = newHead();
    this.#head.method = 'LIST';
    this.#phase = 'list-target';
    return offset;
  }

  #startOtherRequest(offset: number, output: Output): number {
    const held = LIST_PREFIX.subarray(0, this.#heldPrefix);
    this.#heldPrefix = 0;
    output.insert(held);
    this.#head = newHead();
    this.#phase = 'head';
    // The held bytes belong to the request line, whose method decides the framing (CONNECT).
    this.#line.append(held);
    return offset;
  }

  #rewriteTarget(chunk: Buffer, offset: number, output: Output): number {
    let index = offset;
    for (; index < chunk.length; index++) {
      const byte = chunk[index];
      if (byte === SP || isLineBreak(byte)) break;
      if (byte === QUESTION_MARK) this.#targetHasQuery = true;
    }
    if (index === chunk.length) return index;
    output.copyUpTo(index);
    output.insert(this.#targetHasQuery ? LIST_PARAM : LIST_QUERY);
    // Node still answers a request line without a version (HTTP/0.9), then closes the connection.
    if (chunk[index] !== SP) return this.#skipRest(chunk);
    // The rest of the request line (" HTTP/1.1") is read as a head line for its version.
    this.#phase = 'head';
    return index;
  }

  /** Feeds complete lines to onLine; bytes still pass through untouched. */
  #readLines(chunk: Buffer, offset: number, onLine: (line: string) => void): number {
    const phase = this.#phase;
    let index = offset;
    while (this.#phase === phase && index < chunk.length) {
      const lineEnd = chunk.indexOf(LF, index);
      const end = lineEnd === -1 ? chunk.length : lineEnd;
      if (!this.#line.append(chunk.subarray(index, end))) return this.#skipRest(chunk);
      if (lineEnd === -1) return chunk.length;
      index = lineEnd + 1;
      onLine(this.#line.take());
    }
    return index;
  }

  #onHeadLine(line: string): void {
    const head = this.#head;
    if (!head.requestLineSeen) return this.#onRequestLine(line);
    if (line === '') return this.#onHeadEnd();
    // Obsolete line folding: Node rejects it, so its framing is not worth guessing.
    if (line.startsWith(' ') || line.startsWith('\t')) return this.#stopRewriting();
    const colon = line.indexOf(':');
    if (colon <= 0 || isBlank(line.charCodeAt(colon - 1))) return this.#stopRewriting();
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') return this.#onContentLength(value);
    if (name === 'transfer-encoding') head.transferCodings.push(...parseCodings(value));
    if (name === 'upgrade') head.upgrade = true;
  }

  #onRequestLine(line: string): void {
    const head = this.#head;
    const version = REQUEST_LINE_VERSION.exec(line);
    if (version === null) return this.#stopRewriting();
    head.requestLineSeen = true;
    head.version = version[0].slice(1);
    if (head.method === '') head.method = line.slice(0, line.indexOf(' '));
  }

  #onContentLength(value: string): void {
    // Duplicates, lists and signs are rejected by Node; only a plain number is worth following.
    if (this.#head.contentLength !== undefined || !CONTENT_LENGTH.test(value)) {
      return this.#stopRewriting();
    }
    this.#head.contentLength = Number(value);
  }

  #onHeadEnd(): void {
    const head = this.#head;
    // After an upgrade or tunnel the bytes are no longer HTTP requests.
    if (head.upgrade || head.method === 'CONNECT') return this.#stopRewriting();
    if (head.transferCodings.length > 0) return this.#startChunkedBody();
    const length = head.contentLength ?? 0;
    if (length === 0) return this.#startRequest();
    this.#remaining = length;
    this.#phase = 'body';
  }

  #startChunkedBody(): void {
    const { transferCodings, contentLength, version } = this.#head;
    const chunkedOnlyLast = transferCodings.indexOf('chunked') === transferCodings.length - 1;
    if (contentLength !== undefined || !chunkedOnlyLast || version !== 'HTTP/1.1') {
      return this.#stopRewriting();
    }
    this.#phase = 'chunk-size';
  }

  #skipBody(chunk: Buffer, offset: number): number {
    const skipped = Math.min(this.#remaining, chunk.length - offset);
    this.#remaining -= skipped;
    if (this.#remaining === 0) this.#startRequest();
    return offset + skipped;
  }

  #onChunkSizeLine(line: string): void {
    const match = CHUNK_SIZE_LINE.exec(line);
    if (match === null) return this.#stopRewriting();
    const size = Number.parseInt(match[1] ?? '', 16);
    if (size === 0) {
      this.#phase = 'trailers';
      return;
    }
    this.#remaining = size;
    this.#phase = 'chunk-data';
  }

  #skipChunkData(chunk: Buffer, offset: number): number {
    const skipped = Math.min(this.#remaining, chunk.length - offset);
    this.#remaining -= skipped;
    if (this.#remaining === 0) {
      this.#remaining = 2;
      this.#phase = 'chunk-data-end';
    }
    return offset + skipped;
  }

  #expectChunkDataEnd(chunk: Buffer, offset: number): number {
    const expected = this.#remaining === 2 ? CR : LF;
    if (chunk[offset] !== expected) return this.#skipRest(chunk);
    this.#remaining--;
    if (this.#remaining === 0) this.#phase = 'chunk-size';
    return offset + 1;
  }

  #onTrailerLine(line: string): void {
    if (line === '') this.#startRequest();
  }

  #skipRest(chunk: Buffer): number {
    this.#stopRewriting();
    return chunk.length;
  }

  #startRequest(): void {
    this.#phase = 'request-start';
  }

  /** Gives up on the rest of the connection: from here on every byte passes through as is. */
  #stopRewriting(): void {
    this.#phase = 'passthrough';
    this.#line.clear();
  }
}

function newHead(): RequestHead {
  return {
    requestLineSeen: false,
    method: '',
    version: '',
    contentLength: undefined,
    transferCodings: [],
    upgrade: false,
  };
}

function parseCodings(value: string): string[] {
  return value.split(',').map((coding) => coding.trim().toLowerCase());
}

function isLineBreak(byte: number | undefined): boolean {
  return byte === CR || byte === LF;
}

function isBlank(code: number): boolean {
  return code === SP || code === 0x09;
}
