import test from 'ava';
import { ListVerbRewriter } from '../../../src/server/http/list-verb-rewriter.ts';

const MAX_LINE = 1024;

function rewrite(pieces: readonly Buffer[]): string {
  const rewriter = new ListVerbRewriter({ maxLineBytes: MAX_LINE });
  const output = pieces.map((piece) => rewriter.write(piece));
  output.push(rewriter.end());
  return Buffer.concat(output).toString('latin1');
}

function bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** Every way of cutting the input in two, plus byte by byte: framing must not depend on chunks. */
function assertEverySplit(t: import('ava').ExecutionContext, input: string, expected: string): void {
  const whole = bytes(input);
  t.is(rewrite([whole]), expected, 'one chunk');
  for (let cut = 1; cut < whole.length; cut++) {
    const output = rewrite([whole.subarray(0, cut), whole.subarray(cut)]);
    if (output !== expected) {
      t.fail(`cut at ${cut}: ${JSON.stringify(output)}`);
      return;
    }
  }
  const single = Array.from({ length: whole.length }, (_, index) => whole.subarray(index, index + 1));
  t.is(rewrite(single), expected, 'byte by byte');
}

test('other methods pass through unchanged', (t) => {
  const input = 'GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\nPUT /v1/a HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}';
  assertEverySplit(t, input, input);
});

test('LIST becomes GET with list=true', (t) => {
  assertEverySplit(
    t,
    'LIST /v1/secret/foo HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /v1/secret/foo?list=true HTTP/1.1\r\nHost: x\r\n\r\n',
  );
});

test('LIST with a query string gets &list=true', (t) => {
  assertEverySplit(
    t,
    'LIST /v1/secret/foo?a=1 HTTP/1.0\r\n\r\n',
    'GET /v1/secret/foo?a=1&list=true HTTP/1.0\r\n\r\n',
  );
});

test('a Content-Length body is skipped, the next request is rewritten', (t) => {
  const body = '\r\n\r\nLIST /x HTTP/1.1\r\n';
  const input =
    `POST /v1/a HTTP/1.1\r\ncontent-length: ${body.length}\r\n\r\n${body}` +
    'LIST /v1/b HTTP/1.1\r\n\r\n';
  const expected =
    `POST /v1/a HTTP/1.1\r\ncontent-length: ${body.length}\r\n\r\n${body}` +
    'GET /v1/b?list=true HTTP/1.1\r\n\r\n';
  assertEverySplit(t, input, expected);
});

test('a chunked body with extensions and trailers is skipped', (t) => {
  const chunked =
    'POST /v1/a HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n' +
    '7;ext="x"\r\nLIST /x\r\n' +
    '14\r\n\r\n\r\nLIST /y HTTP/1.1\r\n' +
    '0\r\nX-Trailer: LIST /z HTTP/1.1\r\n\r\n';
  assertEverySplit(
    t,
    `${chunked}LIST /v1/b HTTP/1.1\r\n\r\n`,
    `${chunked}GET /v1/b?list=true HTTP/1.1\r\n\r\n`,
  );
});

test('empty lines before a request line are kept', (t) => {
  assertEverySplit(t, '\r\n\r\nLIST /a HTTP/1.1\r\n\r\n', '\r\n\r\nGET /a?list=true HTTP/1.1\r\n\r\n');
});

test('a LIST without a version (HTTP/0.9) is rewritten, and rewriting stops', (t) => {
  assertEverySplit(t, 'LIST /a\r\n\r\nLIST /b\r\n', 'GET /a?list=true\r\n\r\nLIST /b\r\n');
});

test('methods that only start like LIST are untouched', (t) => {
  const input = 'LISTEN /a HTTP/1.1\r\n\r\nLIS';
  assertEverySplit(t, input, input);
});

test('input that is not HTTP stops rewriting for the connection', (t) => {
  const input = '\x16\x03\x01 garbage\r\n\r\nLIST /a HTTP/1.1\r\n\r\n';
  assertEverySplit(t, input, input);
});

test('ambiguous framing stops rewriting for the connection', (t) => {
  const cases = [
    'POST /a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx',
    'POST /a HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'POST /a HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n',
    'POST /a HTTP/1.1\r\nContent-Length : 1\r\n\r\nx',
    'POST /a HTTP/1.1\r\nX: 1\r\n folded\r\n\r\n',
    'GET /a HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    'CONNECT host:443 HTTP/1.1\r\n\r\n',
  ];
  for (const head of cases) {
    const input = `${head}LIST /b HTTP/1.1\r\n\r\n`;
    t.is(rewrite([bytes(input)]), input, head);
  }
});

test('a line over the limit stops rewriting, so Node answers it itself', (t) => {
  const input = `GET /a HTTP/1.1\r\nX-Big: ${'a'.repeat(MAX_LINE)}\r\n\r\nLIST /b HTTP/1.1\r\n\r\n`;
  t.is(rewrite([bytes(input)]), input);
});

test('a passthrough chunk is returned as is, without copying', (t) => {
  const rewriter = new ListVerbRewriter({ maxLineBytes: MAX_LINE });
  rewriter.write(bytes('POST /a HTTP/1.1\r\nContent-Length: 100000\r\n\r\n'));
  const body = Buffer.alloc(65536, 'L');
  t.is(rewriter.write(body).buffer, body.buffer);
});
