import { createHash } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../errors/s3-error.js';
import { verifiedBody, type VerifiedBody } from './payload.js';

const sha256 = (data: string): string => createHash('sha256').update(data).digest('hex');

async function drain(verified: VerifiedBody): Promise<string> {
  const out: Buffer[] = [];
  await pipeline(
    verified.body,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(out).toString();
}

async function drainError(verified: VerifiedBody): Promise<unknown> {
  return drain(verified).then(
    () => new Error('expected the body to fail'),
    (e: unknown) => e,
  );
}

const raw = (...pieces: string[]): Readable => Readable.from(pieces.map((p) => Buffer.from(p)));

describe('verifiedBody', () => {
  it('passes an unsigned, unframed body through untouched', async () => {
    const source = raw('abc');
    const verified = verifiedBody(source, { kind: 'unsigned' }, { contentEncodingChunked: false });
    expect(verified.body).toBe(source);
    expect(await drain(verified)).toBe('abc');
    expect(verified.trailers().size).toBe(0);
  });

  it('accepts a body matching x-amz-content-sha256', async () => {
    const verified = verifiedBody(raw('Welcome to ', 'Amazon S3.'), { kind: 'sha256', expectedHex: sha256('Welcome to Amazon S3.') }, { contentEncodingChunked: false });
    expect(await drain(verified)).toBe('Welcome to Amazon S3.');
  });

  it('rejects the consumer with XAmzContentSHA256Mismatch when the body differs', async () => {
    const expected = sha256('Welcome to Amazon S3.');
    const error = await drainError(verifiedBody(raw('Welcome to Amazon S4.'), { kind: 'sha256', expectedHex: expected.toUpperCase() }, { contentEncodingChunked: false }));
    expect(error).toBeInstanceOf(S3Error);
    expect((error as S3Error).code).toBe('XAmzContentSHA256Mismatch');
    expect((error as S3Error).fields).toEqual({ ClientComputedContentSHA256: expected, S3ComputedContentSHA256: sha256('Welcome to Amazon S4.') });
  });

  it('decodes aws-chunked framing of an unsigned payload and exposes its trailers', async () => {
    const verified = verifiedBody(raw('b\r\nhello ', 'world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n'), { kind: 'unsigned' }, { contentEncodingChunked: true });
    expect(await drain(verified)).toBe('hello world');
    expect(Object.fromEntries(verified.trailers())).toEqual({ 'x-amz-checksum-crc32': 'DUoRhQ==' });
  });

  it('checks a hex x-amz-content-sha256 against the framed bytes, then decodes them', async () => {
    const wire = '5\r\nhello\r\n0\r\n\r\n';
    expect(await drain(verifiedBody(raw(wire), { kind: 'sha256', expectedHex: sha256(wire) }, { contentEncodingChunked: true }))).toBe('hello');
    const error = await drainError(verifiedBody(raw(wire), { kind: 'sha256', expectedHex: sha256('hello') }, { contentEncodingChunked: true }));
    expect((error as S3Error).code).toBe('XAmzContentSHA256Mismatch');
  });

  it('decodes STREAMING-UNSIGNED-PAYLOAD-TRAILER even without Content-Encoding', async () => {
    const verified = verifiedBody(raw('3\r\nabc\r\n0\r\n\r\n'), { kind: 'chunked', signed: false, trailer: true }, { contentEncodingChunked: false });
    expect(await drain(verified)).toBe('abc');
  });

  it('surfaces framing errors and x-amz-decoded-content-length mismatches to the consumer', async () => {
    const truncated = await drainError(verifiedBody(raw('b\r\nhello'), { kind: 'chunked', signed: false, trailer: true }, { contentEncodingChunked: true }));
    expect((truncated as S3Error).code).toBe('IncompleteBody');
    const longer = await drainError(verifiedBody(raw('3\r\nabc\r\n0\r\n\r\n'), { kind: 'unsigned' }, { contentEncodingChunked: true, decodedLength: 2 }));
    expect((longer as S3Error).code).toBe('IncompleteBody');
  });

  it('fails the body when the request stream itself fails (client abort)', async () => {
    const source = new PassThrough();
    const verified = verifiedBody(source, { kind: 'sha256', expectedHex: sha256('x') }, { contentEncodingChunked: true });
    const outcome = drainError(verified);
    source.write('5\r\nhel');
    source.destroy(new Error('socket hang up'));
    expect(String(await outcome)).toContain('socket hang up');
  });

  it('refuses a signed chunked mode without its seed', () => {
    expect(() => verifiedBody(raw(''), { kind: 'chunked', signed: true, trailer: false }, { contentEncodingChunked: true })).toThrow(/seed/);
  });
});
