import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../errors/s3-error.js';
import { AwsChunkedDecoder, type ChunkedDecoderOptions } from './chunked-decoder.js';
import type { ChunkSigningSeed } from './payload-mode.js';
import { deriveSigningKey } from './signing-key.js';

// AWS "Signature Calculation: Transfer Payload in Multiple Chunks" (sigv4-streaming) and "Signature calculations
// for trailing headers" (sigv4-streaming-trailers): 66,560 bytes of 'a' sent as a 64 KiB chunk, a 1 KiB chunk and
// the final empty chunk, with the documented seed and chunk signatures.
const SIGNING_KEY = deriveSigningKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3');
const seedOf = (seedSignature: string): ChunkSigningSeed => ({
  signingKey: SIGNING_KEY,
  seedSignature,
  amzDate: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
});
const PLAIN = { seed: seedOf('4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9'), sigs: [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
] };
const TRAILER = { seed: seedOf('106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e'), sigs: [
  'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
  '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
  '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
] };
const TRAILER_LINES = 'x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n';
const OBJECT = Buffer.alloc(66_560, 'a');

function framed(sigs: string[], afterFinal: string, data: Buffer = OBJECT): Buffer {
  return Buffer.concat([
    Buffer.from(`10000;chunk-signature=${sigs[0]}\r\n`),
    data.subarray(0, 65_536),
    Buffer.from(`\r\n400;chunk-signature=${sigs[1]}\r\n`),
    data.subarray(65_536),
    Buffer.from(`\r\n0;chunk-signature=${sigs[2]}\r\n${afterFinal}`),
  ]);
}

function split(buf: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) pieces.push(buf.subarray(i, i + size));
  return pieces;
}

async function decode(body: Buffer | Buffer[], opts: ChunkedDecoderOptions): Promise<{ data: Buffer; trailers: Map<string, string> }> {
  const decoder = new AwsChunkedDecoder(opts);
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  });
  await pipeline(Readable.from(Array.isArray(body) ? body : [body]), decoder, sink);
  return { data: Buffer.concat(out), trailers: decoder.trailers };
}

async function failure(body: Buffer | Buffer[], opts: ChunkedDecoderOptions): Promise<S3Error> {
  const error: unknown = await decode(body, opts).then(
    () => new Error('expected the body to be refused'),
    (e: unknown) => e,
  );
  if (!(error instanceof S3Error)) throw error;
  return error;
}

describe('AWS streaming example', () => {
  it.each([1, 7, 4096, 65_600, 1 << 20])('decodes and verifies when the wire arrives in %i-byte pieces', async (size) => {
    const { data, trailers } = await decode(split(framed(PLAIN.sigs, '\r\n'), size), { seed: PLAIN.seed, trailer: false });
    expect(data.equals(OBJECT)).toBe(true);
    expect(trailers.size).toBe(0);
  });

  it('accepts the body without its closing CRLF', async () => {
    const { data } = await decode(framed(PLAIN.sigs, ''), { seed: PLAIN.seed, trailer: false, decodedLength: 66_560 });
    expect(data.length).toBe(66_560);
  });

  it('refuses one changed byte of data', async () => {
    const tampered = Buffer.from(OBJECT);
    tampered[65_600] = 0x62; // in the second chunk
    const error = await failure(framed(PLAIN.sigs, '\r\n', tampered), { seed: PLAIN.seed, trailer: false });
    expect(error.code).toBe('SignatureDoesNotMatch');
    expect(String(error.fields.StringToSign)).toContain(`AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n${PLAIN.sigs[0]}\n`);
  });

  it('refuses a changed chunk signature, chunks out of order, and a wrong seed', async () => {
    const badSig = [...PLAIN.sigs];
    badSig[2] = badSig[2]!.replace(/^b6/, 'b7');
    expect((await failure(framed(badSig, '\r\n'), { seed: PLAIN.seed, trailer: false })).code).toBe('SignatureDoesNotMatch');
    const swapped = [PLAIN.sigs[1]!, PLAIN.sigs[0]!, PLAIN.sigs[2]!];
    expect((await failure(framed(swapped, '\r\n'), { seed: PLAIN.seed, trailer: false })).code).toBe('SignatureDoesNotMatch');
    expect((await failure(framed(PLAIN.sigs, '\r\n'), { seed: TRAILER.seed, trailer: false })).code).toBe('SignatureDoesNotMatch');
  });

  it('refuses a signed body whose chunk carries no signature', async () => {
    const body = Buffer.from('5\r\nhello\r\n0\r\n\r\n');
    expect((await failure(body, { seed: PLAIN.seed, trailer: false })).code).toBe('SignatureDoesNotMatch');
  });

  it('emits a chunk\'s bytes as they arrive rather than holding the whole chunk', async () => {
    const decoder = new AwsChunkedDecoder({ seed: PLAIN.seed, trailer: false });
    const wire = framed(PLAIN.sigs, '\r\n');
    const seen: number[] = [];
    decoder.on('data', (chunk: Buffer) => seen.push(chunk.length));
    decoder.write(wire.subarray(0, 30_000));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.reduce((a, b) => a + b, 0)).toBe(30_000 - wire.indexOf('\r\n') - 2);
    decoder.end(wire.subarray(30_000));
    await new Promise((resolve) => decoder.on('end', resolve));
    expect(seen.reduce((a, b) => a + b, 0)).toBe(66_560);
  });
});

describe('AWS streaming example with a signed trailer', () => {
  it.each([
    ['trailers right after the final chunk line', TRAILER_LINES + '\r\n'],
    ['a CRLF between the final chunk and the trailers', '\r\n' + TRAILER_LINES + '\r\n'],
    ['no closing CRLF', TRAILER_LINES],
    ['an extra closing CRLF', TRAILER_LINES + '\r\n\r\n'],
  ])('decodes with %s', async (_name, afterFinal) => {
    for (const size of [3, 65_537, 1 << 20]) {
      const { data, trailers } = await decode(split(framed(TRAILER.sigs, afterFinal), size), { seed: TRAILER.seed, trailer: true });
      expect(data.equals(OBJECT)).toBe(true);
      expect([...trailers]).toEqual([['x-amz-checksum-crc32c', 'sOO8/Q==']]);
    }
  });

  it('refuses a changed trailer value or trailer signature', async () => {
    const value = await failure(framed(TRAILER.sigs, TRAILER_LINES.replace('sOO8/Q==', 'sOO8/A==') + '\r\n'), { seed: TRAILER.seed, trailer: true });
    expect(value.code).toBe('SignatureDoesNotMatch');
    expect(String(value.fields.StringToSign).startsWith(`AWS4-HMAC-SHA256-TRAILER\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n${TRAILER.sigs[2]}\n`)).toBe(true);
    const signature = await failure(framed(TRAILER.sigs, TRAILER_LINES.replace(':d81f', ':d82f') + '\r\n'), { seed: TRAILER.seed, trailer: true });
    expect(signature.code).toBe('SignatureDoesNotMatch');
  });

  it('refuses trailers without their signature, or an extra unsigned trailer line', async () => {
    const unsigned = await failure(framed(TRAILER.sigs, 'x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n'), { seed: TRAILER.seed, trailer: true });
    expect(unsigned.code).toBe('MalformedTrailerError');
    const extra = await failure(framed(TRAILER.sigs, 'x-amz-meta-a:b\r\n' + TRAILER_LINES + '\r\n'), { seed: TRAILER.seed, trailer: true });
    expect(extra.code).toBe('SignatureDoesNotMatch');
  });

  it('refuses trailers on a signed payload that did not declare any', async () => {
    const error = await failure(framed(PLAIN.sigs, 'x-amz-checksum-crc32:AAAAAA==\r\n\r\n'), { seed: PLAIN.seed, trailer: false });
    expect(error.code).toBe('MalformedTrailerError');
  });
});

describe('unsigned aws-chunked bodies', () => {
  // What @aws-sdk/client-s3 sends for a streamed PutObject (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
  const SDK_BODY = 'b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n';

  it('decodes the SDK framing and keeps the trailer', async () => {
    const { data, trailers } = await decode(split(Buffer.from(SDK_BODY), 2), { trailer: true, decodedLength: 11 });
    expect(data.toString()).toBe('hello world');
    expect(Object.fromEntries(trailers)).toEqual({ 'x-amz-checksum-crc32': 'DUoRhQ==' });
  });

  it('ignores chunk signatures it was not asked to check', async () => {
    const { data } = await decode(Buffer.from('3;chunk-signature=00\r\nabc\r\n0;chunk-signature=00\r\n\r\n'), { trailer: false });
    expect(data.toString()).toBe('abc');
  });

  it('accepts an empty object', async () => {
    const { data, trailers } = await decode(Buffer.from('0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n'), { trailer: true, decodedLength: 0 });
    expect(data.length).toBe(0);
    expect(trailers.get('x-amz-checksum-crc32')).toBe('AAAAAA==');
  });

  it.each<[string, string, string]>([
    ['a truncated chunk', 'b\r\nhello', 'IncompleteBody'],
    ['a missing final chunk', 'b\r\nhello world\r\n', 'IncompleteBody'],
    ['an empty body', '', 'IncompleteBody'],
    ['a size that is not hex', 'zz\r\nhello\r\n0\r\n\r\n', 'InvalidRequest'],
    ['a negative size', '-5\r\nhello\r\n0\r\n\r\n', 'InvalidRequest'],
    ['data longer than its size', '3\r\nhello\r\n0\r\n\r\n', 'InvalidRequest'],
    ['garbage after the trailer section', '3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\nGET / HTTP/1.1\r\n', 'MalformedTrailerError'],
    ['a trailer line without a colon', '3\r\nabc\r\n0\r\nnot a header\r\n\r\n', 'MalformedTrailerError'],
    ['a repeated trailer', '3\r\nabc\r\n0\r\nx-a:1\r\nx-a:2\r\n\r\n', 'MalformedTrailerError'],
  ])('refuses %s', async (_name, body, code) => {
    expect((await failure(split(Buffer.from(body), 3), { trailer: true })).code).toBe(code);
  });

  it('refuses a chunk header line longer than the limit without buffering it', async () => {
    const long = Buffer.from('a'.repeat(5000) + '\r\n');
    expect((await failure(split(long, 1000), { trailer: false })).code).toBe('InvalidRequest');
    expect((await failure(Buffer.from('3;' + 'x'.repeat(100) + '\r\nabc\r\n0\r\n\r\n'), { trailer: false, maxChunkHeaderBytes: 64 })).code).toBe('InvalidRequest');
  });

  it('checks x-amz-decoded-content-length both ways', async () => {
    expect((await failure(Buffer.from(SDK_BODY), { trailer: true, decodedLength: 10 })).code).toBe('IncompleteBody');
    expect((await failure(Buffer.from(SDK_BODY), { trailer: true, decodedLength: 12 })).code).toBe('IncompleteBody');
  });
});
