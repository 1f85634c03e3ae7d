// Hostile aws-chunked bodies, signed (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) and unsigned
// (STREAMING-UNSIGNED-PAYLOAD-TRAILER): bad hex sizes, sizes that disagree with the data, truncation, oversized
// header lines, a missing last chunk, bytes after the trailer, a missing or garbled trailer. A broken body must end in
// an error reply (or a closed connection when it stops mid-body), never a stored object, never a leftover temp file.
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmac, sha256hex, signingKey } from '../support/raw-client.js';
import { REGION, SECRET_KEY } from '../support/server.js';
import {
  buildRequest, checkReply, exchange, familySeed, leftoverTempFiles, objectPath, runs, send, signedSend,
  storeDifferences, withHeaders, knownObjects, type KnownObject,
} from '../support/hostile-http.js';
import { useSeededServer } from '../support/seeded-server.js';

const BUCKET = 'hostile-chunked';
const known: KnownObject[] = knownObjects([
  { bucket: BUCKET, key: 'c/one', data: Buffer.from('the original bytes of c/one') },
  { bucket: BUCKET, key: 'c/two', data: Buffer.alloc(3000, 7) },
]);
const server = useSeededServer(known);

const crc32b64 = (data: Buffer): string => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data));
  return out.toString('base64');
};

// ---------------------------------------------------------------------------------------------------------------
// aws-chunked framing as a structure, so that mutations can target one part of it

interface Chunk {
  /** The chunk-size line without its CRLF: `hex[;extensions]`. */
  header: string;
  data: Buffer;
  /** What follows the data; CRLF when well-formed. */
  end: string;
}

interface Frame {
  chunks: Chunk[];
  /** The last chunk's line without its CRLF, `0[;chunk-signature=…]`; null leaves the last chunk out. */
  last: string | null;
  /** Trailer lines without their CRLF (signed bodies end with x-amz-trailer-signature). */
  trailers: string[];
  /** What closes the body; CRLF when well-formed. */
  tail: Buffer;
}

function serialize(f: Frame): Buffer {
  const parts: Buffer[] = [];
  for (const c of f.chunks) parts.push(Buffer.from(`${c.header}\r\n`, 'latin1'), c.data, Buffer.from(c.end, 'latin1'));
  if (f.last !== null) parts.push(Buffer.from(`${f.last}\r\n`, 'latin1'));
  for (const line of f.trailers) parts.push(Buffer.from(`${line}\r\n`, 'latin1'));
  parts.push(f.tail);
  return Buffer.concat(parts);
}

function split(data: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const s of sizes) {
    if (at >= data.length) break;
    out.push(data.subarray(at, at + s));
    at += s;
  }
  if (at < data.length) out.push(data.subarray(at));
  return out;
}

type Mode = 'unsigned-trailer' | 'signed' | 'signed-trailer';
const PAYLOAD: Record<Mode, string> = {
  'unsigned-trailer': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  signed: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'signed-trailer': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
};

interface Seed {
  signature: string;
  amzDate: string;
}

/** A well-formed frame of `data` (chunk signatures per the AWS "Transferring Payload in Multiple Chunks" page). */
function frameOf(mode: Mode, pieces: Buffer[], seed: Seed, trailerValue: string): Frame {
  const trailerLine = `x-amz-checksum-crc32:${trailerValue}`;
  if (mode === 'unsigned-trailer') {
    return {
      chunks: pieces.map((p) => ({ header: p.length.toString(16), data: p, end: '\r\n' })),
      last: '0',
      trailers: [trailerLine],
      tail: Buffer.from('\r\n'),
    };
  }
  const day = seed.amzDate.slice(0, 8);
  const scope = `${day}/${REGION}/s3/aws4_request`;
  const key = signingKey(SECRET_KEY, day);
  let previous = seed.signature;
  const sign = (data: Buffer): string => {
    previous = hmac(key, ['AWS4-HMAC-SHA256-PAYLOAD', seed.amzDate, scope, previous, sha256hex(''), sha256hex(data)].join('\n')).toString('hex');
    return previous;
  };
  const chunks = pieces.map((p) => ({ header: `${p.length.toString(16)};chunk-signature=${sign(p)}`, data: p, end: '\r\n' }));
  const last = `0;chunk-signature=${sign(Buffer.alloc(0))}`;
  if (mode === 'signed') return { chunks, last, trailers: [], tail: Buffer.from('\r\n') };
  const trailerSignature = hmac(key, ['AWS4-HMAC-SHA256-TRAILER', seed.amzDate, scope, previous, sha256hex(`${trailerLine}\n`)].join('\n')).toString('hex');
  return { chunks, last, trailers: [trailerLine, `x-amz-trailer-signature:${trailerSignature}`], tail: Buffer.from('\r\n') };
}

interface Upload {
  mode: Mode;
  data: Buffer;
  sizes: number[];
}

const upload: fc.Arbitrary<Upload> = fc.record({
  mode: fc.constantFrom<Mode>('unsigned-trailer', 'signed', 'signed-trailer'),
  data: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 70_000 }).map((n) => new Uint8Array(n).fill(0x61))).map((b) => Buffer.from(b)),
  sizes: fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 6 }),
}).map((u) => Object.defineProperty(u, fc.toStringMethod, {
  configurable: true,
  value: () => `${u.mode}: ${u.data.length} bytes (${JSON.stringify(u.data.subarray(0, 16).toString('latin1'))}…) in chunks of ${u.sizes.join(', ')}`,
}));

/** Signs the request head; the framed body is built against its signature. */
function head(mode: Mode, key: string, decodedLength: string, extra: [string, string][] = []): { head: Buffer; seed: Seed } {
  const headers: [string, string][] = [
    ['content-encoding', 'aws-chunked'],
    ['x-amz-decoded-content-length', decodedLength],
    ...(mode === 'signed' ? [] : [['x-amz-trailer', 'x-amz-checksum-crc32'] as [string, string]]),
    ...extra,
  ];
  const built = buildRequest(server.port, { method: 'PUT', path: objectPath(BUCKET, key), payloadHash: PAYLOAD[mode], headers, contentLength: null });
  return { head: built.head, seed: { signature: built.signature, amzDate: built.amzDate } };
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations that every S3 server must refuse

type Mutation =
  | { kind: 'bad-hex'; chunk: number; text: string }
  | { kind: 'size-too-large'; chunk: number; by: number }
  | { kind: 'size-too-small'; chunk: number; by: number }
  | { kind: 'truncated'; at: number }
  | { kind: 'long-header-line'; chunk: number; length: number }
  | { kind: 'no-last-chunk' }
  | { kind: 'bytes-after-trailer'; junk: string }
  | { kind: 'no-trailer' }
  | { kind: 'garbage-trailer'; line: string; replace: boolean }
  | { kind: 'decoded-length'; value: string }
  | { kind: 'corrupt-data'; chunk: number; at: number }
  | { kind: 'corrupt-crlf'; chunk: number; text: string }
  | { kind: 'no-chunk-signature'; chunk: number }
  | { kind: 'bad-chunk-signature'; chunk: number; text: string }
  | { kind: 'bad-trailer-signature'; text: string | null }
  | { kind: 'wrong-checksum'; value: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('bad-hex' as const),
    chunk: fc.nat(),
    text: fc.constantFrom('zz', 'g', '-1', '-0', '+1', '0x10', '1.0', '1e3', '١', '', ';', 'ffffffffffffffffff', '10000000000000', '0'.repeat(20) + '1', '\u00ff', 'a b', 'FFFFFFFFFFFFF', 'fffffffffffff'),
  }),
  fc.record({ kind: fc.constant('size-too-large' as const), chunk: fc.nat(), by: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant('size-too-small' as const), chunk: fc.nat(), by: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant('truncated' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('long-header-line' as const), chunk: fc.nat(), length: fc.integer({ min: 4100, max: 200_000 }) }),
  fc.constant({ kind: 'no-last-chunk' as const }),
  fc.record({ kind: fc.constant('bytes-after-trailer' as const), junk: fc.oneof(fc.string({ minLength: 1, maxLength: 50 }), fc.constantFrom('x', '0\r\n', '0\r\n\r\n', 'x-amz-checksum-crc32:AAAAAA==\r\n\r\n', '\r\nGET / HTTP/1.1\r\n\r\n')).filter((j) => /[^\r\n]/.test(j)) }),
  fc.constant({ kind: 'no-trailer' as const }),
  fc.record({
    kind: fc.constant('garbage-trailer' as const),
    line: fc.oneof(fc.constantFrom('garbage', ':value', 'x y:z', 'ü:1', 'x-amz-checksum-crc32', ' :x', '\u0000', '@@@:1', 'x-amz-checksum-crc32 AAAAAA=='), fc.string({ minLength: 1, maxLength: 30 }).filter((l) => !/^[!#$%&'*+.^_`|~0-9a-zA-Z-]+\s*:/.test(l.trim()) && !/[\r\n]/.test(l) && l.trim() !== '')),
    replace: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('decoded-length' as const), value: fc.oneof(fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0).map((d) => `${d}`), fc.constantFrom('99999999999', 'abc', '', '-', '1e3')) }),
  fc.record({ kind: fc.constant('corrupt-data' as const), chunk: fc.nat(), at: fc.nat() }),
  fc.record({ kind: fc.constant('corrupt-crlf' as const), chunk: fc.nat(), text: fc.constantFrom('XX', '\r\r\n', 'x\r\n', '', '\r', ' \r\n') }),
  fc.record({ kind: fc.constant('no-chunk-signature' as const), chunk: fc.nat() }),
  fc.record({ kind: fc.constant('bad-chunk-signature' as const), chunk: fc.nat(), text: fc.constantFrom('', '0'.repeat(64), 'zz', 'x'.repeat(64), 'deadbeef') }),
  fc.record({ kind: fc.constant('bad-trailer-signature' as const), text: fc.constantFrom(null, '', '0'.repeat(64), 'deadbeef') }),
  fc.record({ kind: fc.constant('wrong-checksum' as const), value: fc.constantFrom('AAAAAA==', 'AAAAAA=', '', '****', 'AAAAAAAAAAA=', '=') }),
);

/** Applies `m`; undefined when it does not apply to this mode / body (the case is then skipped). */
function mutate(m: Mutation, mode: Mode, frame: Frame, data: Buffer): { body: Buffer; decodedLength?: string } | undefined {
  const f: Frame = { ...frame, chunks: frame.chunks.map((c) => ({ ...c })), trailers: [...frame.trailers] };
  const pick = (i: number): Chunk => f.chunks[i % f.chunks.length]!;
  const signed = mode !== 'unsigned-trailer';
  const sizeAndExt = (c: Chunk): [string, string] => {
    const semi = c.header.indexOf(';');
    return semi === -1 ? [c.header, ''] : [c.header.slice(0, semi), c.header.slice(semi)];
  };
  switch (m.kind) {
    case 'bad-hex': {
      const c = pick(m.chunk);
      c.header = m.text + sizeAndExt(c)[1];
      break;
    }
    case 'size-too-large':
    case 'size-too-small': {
      const c = pick(m.chunk);
      const size = c.data.length + (m.kind === 'size-too-large' ? m.by : -m.by);
      if (size <= 0) return undefined;
      c.header = size.toString(16) + sizeAndExt(c)[1];
      break;
    }
    case 'truncated': {
      // keep less than everything up to the end of the last value (a missing final CRLF alone is tolerated)
      const whole = serialize(f);
      const lastLine = f.trailers.at(-1) ?? f.last!;
      const end = whole.lastIndexOf(Buffer.from(lastLine, 'latin1')) + lastLine.length;
      return { body: whole.subarray(0, m.at % end) };
    }
    case 'long-header-line': {
      const c = pick(m.chunk);
      c.header = `${c.header};x=${'y'.repeat(m.length)}`;
      break;
    }
    case 'no-last-chunk':
      f.last = null;
      f.trailers = [];
      f.tail = Buffer.alloc(0);
      break;
    case 'bytes-after-trailer':
      f.tail = Buffer.concat([f.tail, Buffer.from(m.junk, 'utf8')]);
      break;
    case 'no-trailer':
      if (mode === 'signed') return undefined;
      f.trailers = [];
      break;
    case 'garbage-trailer':
      if (m.replace && mode !== 'signed') f.trailers[0] = m.line;
      else f.trailers.unshift(m.line);
      break;
    case 'decoded-length': {
      const n = Number(m.value);
      const value = /^[+-]?\d$/.test(m.value) ? String(data.length + n) : m.value;
      if (value === String(data.length) || Number(value) < 0) return undefined;
      return { body: serialize(f), decodedLength: value };
    }
    case 'corrupt-data': {
      const c = pick(m.chunk);
      const copy = Buffer.from(c.data);
      copy[m.at % copy.length] = copy[m.at % copy.length]! ^ 0x01;
      c.data = copy;
      break;
    }
    case 'corrupt-crlf':
      pick(m.chunk).end = m.text;
      break;
    case 'no-chunk-signature':
      if (!signed) return undefined;
      pick(m.chunk).header = sizeAndExt(pick(m.chunk))[0];
      break;
    case 'bad-chunk-signature':
      if (!signed) return undefined;
      pick(m.chunk).header = `${sizeAndExt(pick(m.chunk))[0]};chunk-signature=${m.text}`;
      break;
    case 'bad-trailer-signature':
      if (mode !== 'signed-trailer') return undefined;
      f.trailers = m.text === null ? f.trailers.slice(0, 1) : [f.trailers[0]!, `x-amz-trailer-signature:${m.text}`];
      break;
    case 'wrong-checksum':
      if (mode === 'signed') return undefined;
      f.trailers[0] = `x-amz-checksum-crc32:${m.value}`;
      if (mode === 'signed-trailer') return undefined; // re-signing would be needed; a bad trailer signature covers it
      break;
  }
  return { body: serialize(f) };
}

const REFUSALS = [
  'IncompleteBody', 'InvalidRequest', 'MalformedTrailerError', 'SignatureDoesNotMatch', 'BadDigest', 'InvalidArgument', 'InvalidDigest',
  'XAmzContentSHA256Mismatch', 'EntityTooLarge', 'MissingContentLength', 'InvalidChunkSizeError',
];

async function expectUntouched(key: string): Promise<void> {
  const obj = known.find((o) => o.key === key);
  const got = await signedSend(server.port, { method: 'GET', path: objectPath(BUCKET, key) });
  if (obj) {
    expect(got.reply?.status, `${key} still readable`).toBe(200);
    expect(got.reply!.body.equals(obj.data), `${key} keeps its bytes`).toBe(true);
  } else {
    expect(got.reply?.status, `${key} was not stored`).toBe(404);
  }
}

let counter = 0;

describe('hostile aws-chunked bodies', () => {
  it('well-formed framings and the variations S3 tolerates store exactly the decoded bytes', async () => {
    const seed = familySeed('chunked/accepted', 6_001);
    const variant = fc.constantFrom('as-is', 'upper-hex', 'leading-zeros', 'no-final-crlf', 'extra-final-crlf', 'lf-only-after-data', 'http-chunked');
    await fc.assert(
      fc.asyncProperty(upload, variant, fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }), async (u, v, httpChunks) => {
        const key = `ok/${counter++}`;
        const h = head(u.mode, key, String(u.data.length));
        const frame = frameOf(u.mode, split(u.data, u.sizes), h.seed, crc32b64(u.data));
        if (v === 'upper-hex') for (const c of frame.chunks) c.header = c.header.replace(/^[0-9a-f]+/, (x) => x.toUpperCase());
        if (v === 'leading-zeros') for (const c of frame.chunks) c.header = c.header.replace(/^[0-9a-f]+/, (x) => x.padStart(8, '0'));
        if (v === 'no-final-crlf') frame.tail = Buffer.alloc(0);
        if (v === 'extra-final-crlf') frame.tail = Buffer.from('\r\n\r\n');
        if (v === 'lf-only-after-data') for (const c of frame.chunks) c.end = '\n';
        const body = serialize(frame);
        let o;
        if (v === 'http-chunked') {
          // the aws-chunked body inside HTTP/1.1 chunked transfer coding, cut at unrelated places
          const pieces: Buffer[] = [];
          let at = 0;
          for (let i = 0; at < body.length; i++) {
            const n = httpChunks[i % httpChunks.length]!;
            const piece = body.subarray(at, at + n);
            pieces.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
            at += n;
          }
          pieces.push(Buffer.from('0\r\n\r\n'));
          o = await send(server.port, { head: withHeaders(h.head, [['transfer-encoding', 'chunked']]), body: Buffer.concat(pieces) });
        } else {
          o = await send(server.port, { head: withHeaders(h.head, [['content-length', String(body.length)]]), body });
        }
        const reply = checkReply(o, { method: 'PUT', success: [200] });
        expect(reply?.status, `${u.mode} ${v}`).toBe(200);
        const got = await signedSend(server.port, { method: 'GET', path: objectPath(BUCKET, key) });
        expect(got.reply?.body.equals(u.data), 'stored bytes are the decoded payload').toBe(true);
        await signedSend(server.port, { method: 'DELETE', path: objectPath(BUCKET, key) });
      }),
      { seed, numRuns: runs(150) },
    );
  }, 60_000);

  it('broken framings are refused, store nothing, and leave no temp file', async () => {
    const seed = familySeed('chunked/refused', 6_002);
    await fc.assert(
      fc.asyncProperty(upload, mutation, fc.boolean(), fc.boolean(), async (u, m, onKnown, httpChunked) => {
        const key = onKnown ? known[counter % known.length]!.key : `bad/${counter}`;
        counter++;
        const h = head(u.mode, key, String(u.data.length));
        const frame = frameOf(u.mode, split(u.data, u.sizes), h.seed, crc32b64(u.data));
        const mutated = mutate(m, u.mode, frame, u.data);
        if (!mutated) return;
        let requestHead = h.head;
        if (mutated.decodedLength !== undefined) {
          // the declared length is not signed into the chunks, but it is a signed header: sign it anew
          const again = head(u.mode, key, mutated.decodedLength);
          const f2 = frameOf(u.mode, split(u.data, u.sizes), again.seed, crc32b64(u.data));
          mutated.body = serialize(f2);
          requestHead = again.head;
        }
        const o = httpChunked
          ? await send(server.port, {
            head: withHeaders(requestHead, [['transfer-encoding', 'chunked']]),
            body: mutated.body.length === 0
              ? Buffer.from('0\r\n\r\n')
              : Buffer.concat([Buffer.from(`${mutated.body.length.toString(16)}\r\n`), mutated.body, Buffer.from('\r\n0\r\n\r\n')]),
          })
          : await send(server.port, { head: withHeaders(requestHead, [['content-length', String(mutated.body.length)]]), body: mutated.body });
        const reply = checkReply(o, { method: 'PUT', codes: REFUSALS });
        expect(reply?.code, `${u.mode} ${m.kind}`).toBeDefined();
        expect(await leftoverTempFiles(server.t.dataDir), 'temp files after the reply').toEqual([]);
        await expectUntouched(key);
      }),
      { seed, numRuns: runs(450) },
    );
    expect(await storeDifferences(server.port, server.before, known)).toEqual([]);
  }, 60_000);

  it('a chunked body that stops mid-way (the client half-closes) is refused or the connection closes; nothing stored', async () => {
    const seed = familySeed('chunked/stopped', 6_003);
    await fc.assert(
      fc.asyncProperty(upload, fc.nat(), fc.boolean(), async (u, at, onKnown) => {
        const key = onKnown ? known[counter % known.length]!.key : `stopped/${counter}`;
        counter++;
        const h = head(u.mode, key, String(u.data.length));
        const body = serialize(frameOf(u.mode, split(u.data, u.sizes), h.seed, crc32b64(u.data)));
        const cut = at % body.length;
        const o = await exchange(server.port, (socket) => {
          socket.write(Buffer.concat([withHeaders(h.head, [['content-length', String(body.length)]]), body.subarray(0, cut)]));
          socket.end();
        });
        checkReply(o, { method: 'PUT', mayClose: true, httpLayer: true, codes: REFUSALS });
        expect(await leftoverTempFiles(server.t.dataDir), 'temp files after the connection ended').toEqual([]);
        await expectUntouched(key);
      }),
      { seed, numRuns: runs(120) },
    );
  }, 60_000);

  it('chunked uploads with x-amz-decoded-content-length or Content-Encoding that lie about the body', async () => {
    const seed = familySeed('chunked/headers', 6_004);
    const header = fc.oneof(
      fc.constantFrom<[string, string]>(
        ['content-encoding', 'gzip'], ['content-encoding', 'aws-chunked,aws-chunked'], ['content-encoding', 'identity'], ['content-encoding', ''],
        ['x-amz-trailer', 'x-amz-checksum-sha256'], ['x-amz-trailer', 'x-amz-checksum-crc32,x-amz-checksum-crc32c'], ['x-amz-trailer', 'bogus'],
        ['x-amz-checksum-crc32', 'AAAAAA=='], ['x-amz-sdk-checksum-algorithm', 'SHA1'], ['content-md5', 'AAAAAAAAAAAAAAAAAAAAAA=='],
      ),
    );
    await fc.assert(
      fc.asyncProperty(upload.filter((u) => u.mode === 'unsigned-trailer'), header, async (u, [name, value]) => {
        const key = `lie/${counter++}`;
        const h = head(u.mode, key, String(u.data.length), [[name, value]]);
        const body = serialize(frameOf(u.mode, split(u.data, u.sizes), h.seed, crc32b64(u.data)));
        const o = await send(server.port, { head: withHeaders(h.head, [['content-length', String(body.length)]]), body });
        const reply = checkReply(o, { method: 'PUT', success: [200], codes: [...REFUSALS, 'NotImplemented'] });
        const got = await signedSend(server.port, { method: 'GET', path: objectPath(BUCKET, key) });
        if (reply?.status === 200) {
          // accepted: the stored bytes are the decoded payload, never the framing
          expect(got.reply?.body.equals(u.data)).toBe(true);
          await signedSend(server.port, { method: 'DELETE', path: objectPath(BUCKET, key) });
        } else {
          expect(got.reply?.status).toBe(404);
        }
        expect(await leftoverTempFiles(server.t.dataDir)).toEqual([]);
      }),
      { seed, numRuns: runs(100) },
    );
    expect(await storeDifferences(server.port, server.before, known)).toEqual([]);
  }, 60_000);
});
