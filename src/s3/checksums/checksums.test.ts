import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../errors/s3-error.js';
import type { ChecksumAlgorithm } from '../../storage/metadata-index.js';
import { CHECKSUM_ALGORITHMS, type ChecksumRequest, requestedChecksums, verifyChecksums } from './request.js';
import { type CrcAlgorithm, combineCrc } from './crc-combine.js';
import { DigestingStream, newChecksum } from './body-digest.js';

// Values AWS returns for the body "123456789" (the standard CRC check input).
const BODY = Buffer.from('123456789');
const EXPECTED: Record<ChecksumAlgorithm, string> = {
  CRC32: 'y/Q5Jg==',
  CRC32C: '4waSgw==',
  CRC64NVME: 'rosUhgp5mIg=',
  SHA1: '98O8HYCOBHMq32eZZczDTKeuNEE=',
  SHA256: 'FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=',
};
const MD5_HEX = '25f9e794323b453885f5181f1b624d0b';
const MD5_B64 = Buffer.from(MD5_HEX, 'hex').toString('base64');

function h(entries: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(entries));
}

function s3Error(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected an S3Error');
}

async function digestOf(algorithm: ChecksumAlgorithm, ...chunks: Buffer[]): Promise<Buffer> {
  const c = newChecksum(algorithm);
  for (const chunk of chunks) c.update(chunk);
  return c.digest();
}

describe('requestedChecksums', () => {
  it('defaults to CRC64NVME when nothing is requested', () => {
    expect(requestedChecksums(h({ 'content-type': 'text/plain' }))).toEqual({ algorithm: 'CRC64NVME' });
  });

  it.each(CHECKSUM_ALGORITHMS)('reads the %s value header', (algorithm) => {
    const name = `x-amz-checksum-${algorithm.toLowerCase()}`;
    expect(requestedChecksums(h({ [name]: ` ${EXPECTED[algorithm]} ` }))).toEqual({ algorithm, expected: EXPECTED[algorithm] });
  });

  it('accepts a matching x-amz-sdk-checksum-algorithm in any case', () => {
    const req = requestedChecksums(h({ 'x-amz-checksum-sha1': EXPECTED.SHA1, 'x-amz-sdk-checksum-algorithm': 'sha1' }));
    expect(req).toEqual({ algorithm: 'SHA1', expected: EXPECTED.SHA1 });
  });

  it('ignores the headers that carry no checksum value', () => {
    const req = requestedChecksums(h({ 'x-amz-checksum-mode': 'ENABLED', 'x-amz-checksum-type': 'FULL_OBJECT', 'x-amz-checksum-algorithm': 'CRC32' }));
    expect(req).toEqual({ algorithm: 'CRC64NVME' });
  });

  it('refuses two value headers', () => {
    const e = s3Error(() => requestedChecksums(h({ 'x-amz-checksum-crc32': EXPECTED.CRC32, 'x-amz-checksum-sha1': EXPECTED.SHA1 })));
    expect(e.code).toBe('InvalidRequest');
    expect(e.message).toBe('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  });

  it('refuses an unknown algorithm header', () => {
    const e = s3Error(() => requestedChecksums(h({ 'x-amz-checksum-md5': 'AAAA' })));
    expect(e.code).toBe('InvalidRequest');
    expect(e.message).toBe('The algorithm type you specified in x-amz-checksum- header is invalid.');
  });

  // The first three are the cases AWS answers this way for "123456789": wrong padding bits, bad length, bad chars.
  it.each(['y/Q5Jh==', 'short===', 'shrt', 'toolong=', '^^^^^^==', 'y^/^Q5^J^g==', 'y/Q5Jg', ''])('refuses the malformed value %j', (value) => {
    const e = s3Error(() => requestedChecksums(h({ 'x-amz-checksum-crc32': value })));
    expect(e.code).toBe('InvalidRequest');
    expect(e.message).toBe('Value for x-amz-checksum-crc32 header is invalid.');
  });

  it('refuses a value of another algorithm\'s length', () => {
    const e = s3Error(() => requestedChecksums(h({ 'x-amz-checksum-crc64nvme': EXPECTED.CRC32 })));
    expect(e.message).toBe('Value for x-amz-checksum-crc64nvme header is invalid.');
  });

  it('reads a trailer announcement', () => {
    const req = requestedChecksums(h({ 'x-amz-trailer': 'X-Amz-Checksum-CRC32C', 'x-amz-sdk-checksum-algorithm': 'CRC32C' }));
    expect(req).toEqual({ algorithm: 'CRC32C', fromTrailer: 'x-amz-checksum-crc32c' });
  });

  it('refuses an unsupported trailer', () => {
    const e = s3Error(() => requestedChecksums(h({ 'x-amz-trailer': 'x-amz-meta-foo' })));
    expect(e.message).toBe('The value specified in the x-amz-trailer header is not supported');
  });

  it('refuses two trailers', () => {
    const e = s3Error(() => requestedChecksums(h({ 'x-amz-trailer': 'x-amz-checksum-crc32,x-amz-checksum-sha1' })));
    expect(e.message).toBe('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  });

  it('refuses a value header together with a trailer', () => {
    const e = s3Error(() => requestedChecksums(h({ 'x-amz-checksum-crc32': EXPECTED.CRC32, 'x-amz-trailer': 'x-amz-checksum-crc32' })));
    expect(e.code).toBe('InvalidRequest');
    expect(e.message).toBe('Expecting a single x-amz-checksum- header');
  });

  it('refuses an SDK algorithm that differs from the header or the trailer', () => {
    const announcements: Record<string, string>[] = [{ 'x-amz-checksum-crc32': EXPECTED.CRC32 }, { 'x-amz-trailer': 'x-amz-checksum-crc32' }];
    for (const extra of announcements) {
      const e = s3Error(() => requestedChecksums(h({ ...extra, 'x-amz-sdk-checksum-algorithm': 'SHA1' })));
      expect(e.code).toBe('InvalidRequest');
      expect(e.message).toBe('Value for x-amz-sdk-checksum-algorithm header is invalid.');
    }
  });

  it('refuses an SDK algorithm with no value header or trailer', () => {
    const e = s3Error(() => requestedChecksums(h({ 'x-amz-sdk-checksum-algorithm': 'CRC32' })));
    expect(e.code).toBe('InvalidRequest');
    expect(e.message).toMatch(/^x-amz-sdk-checksum-algorithm specified, but no corresponding/);
  });

  it('reads Content-MD5 alongside a checksum', () => {
    const req = requestedChecksums(h({ 'content-md5': MD5_B64, 'x-amz-checksum-crc32': EXPECTED.CRC32 }));
    expect(req).toEqual({ algorithm: 'CRC32', expected: EXPECTED.CRC32, contentMd5: MD5_B64 });
  });

  it.each(['', 'YWJyYWNhZGFicmE=', 'not base64!', MD5_HEX])('refuses the Content-MD5 %j as InvalidDigest', (value) => {
    const e = s3Error(() => requestedChecksums(h({ 'content-md5': value })));
    expect(e.code).toBe('InvalidDigest');
    expect(e.message).toBe('The Content-MD5 you specified was invalid.');
    expect(e.fields).toEqual({ 'Content-MD5': value });
  });
});

describe('newChecksum', () => {
  it.each(CHECKSUM_ALGORITHMS)('computes %s like AWS does', async (algorithm) => {
    expect((await digestOf(algorithm, BODY)).toString('base64')).toBe(EXPECTED[algorithm]);
  });

  it.each(CHECKSUM_ALGORITHMS)('gives the same %s over split buffers', async (algorithm) => {
    const data = randomBytes(100_003);
    const whole = await digestOf(algorithm, data);
    const split = await digestOf(algorithm, data.subarray(0, 1), data.subarray(1, 65_537), data.subarray(65_537));
    expect(split.equals(whole)).toBe(true);
  });

  it('gives the empty-body values clients send for zero bytes', async () => {
    expect((await digestOf('CRC32')).toString('base64')).toBe('AAAAAA==');
    expect((await digestOf('CRC64NVME')).toString('base64')).toBe('AAAAAAAAAAA=');
  });
});

describe('DigestingStream', () => {
  it('passes bytes through unchanged and digests them', async () => {
    const chunks = [randomBytes(10), new Uint8Array(randomBytes(70_000)), Buffer.alloc(0), randomBytes(3)];
    const received: Buffer[] = [];
    const sink = new Writable({ write(chunk: Uint8Array, _e, cb) { received.push(Buffer.from(chunk)); cb(); } });
    const digesting = new DigestingStream('SHA256');
    await pipeline(Readable.from(chunks), digesting, sink);

    const all = Buffer.concat(chunks);
    expect(Buffer.concat(received).equals(all)).toBe(true);
    const d = digesting.digests();
    expect(d.size).toBe(all.length);
    expect(d.checksum).toBe((await digestOf('SHA256', all)).toString('base64'));
    expect(Buffer.from(d.md5Hex, 'hex').toString('base64')).toBe(d.md5Base64);
  });

  it('matches the known digests for "123456789"', async () => {
    const digesting = new DigestingStream('CRC64NVME');
    await pipeline(Readable.from([BODY.subarray(0, 4), BODY.subarray(4)]), digesting, new Writable({ write: (_c, _e, cb) => cb() }));
    expect(digesting.digests()).toEqual({ md5Hex: MD5_HEX, md5Base64: MD5_B64, checksum: EXPECTED.CRC64NVME, verifyCrc32c: EXPECTED.CRC32C, size: 9 });
  });

  it('refuses to report before the end', () => {
    expect(() => new DigestingStream('CRC32').digests()).toThrow(/before the stream ended/);
  });
});

describe('verifyChecksums', () => {
  const got = { md5Base64: MD5_B64, checksum: EXPECTED.CRC32 };
  const none = new Map<string, string>();

  it('accepts matching values', () => {
    expect(() => verifyChecksums({ algorithm: 'CRC32', expected: EXPECTED.CRC32, contentMd5: MD5_B64 }, got, none)).not.toThrow();
    expect(() => verifyChecksums({ algorithm: 'CRC32' }, got, none)).not.toThrow();
  });

  it('answers a Content-MD5 mismatch with the digests AWS reports', () => {
    const sent = Buffer.alloc(16, 7).toString('base64');
    const e = s3Error(() => verifyChecksums({ algorithm: 'CRC32', contentMd5: sent }, got, none));
    expect(e.code).toBe('BadDigest');
    expect(e.message).toBe('The Content-MD5 you specified did not match what we received.');
    expect(e.fields).toEqual({ ExpectedDigest: '07'.repeat(16), CalculatedDigest: MD5_B64 });
  });

  it('answers a header checksum mismatch as BadDigest', () => {
    const e = s3Error(() => verifyChecksums({ algorithm: 'CRC32', expected: 'z/Q5Jg==' }, got, none));
    expect(e.code).toBe('BadDigest');
    expect(e.message).toBe('The CRC32 you specified did not match the calculated checksum.');
  });

  const trailerReq: ChecksumRequest = { algorithm: 'CRC32', fromTrailer: 'x-amz-checksum-crc32' };

  it('accepts a matching trailer', () => {
    expect(() => verifyChecksums(trailerReq, got, h({ 'x-amz-checksum-crc32': EXPECTED.CRC32 }))).not.toThrow();
  });

  it('answers a missing trailer as MalformedTrailerError', () => {
    const e = s3Error(() => verifyChecksums(trailerReq, got, h({ 'x-amz-checksum-sha1': EXPECTED.SHA1 })));
    expect(e.code).toBe('MalformedTrailerError');
    expect(e.status).toBe(400);
  });

  it('answers a malformed trailer value as InvalidRequest', () => {
    const e = s3Error(() => verifyChecksums(trailerReq, got, h({ 'x-amz-checksum-crc32': 'BAD' })));
    expect(e.code).toBe('InvalidRequest');
    expect(e.message).toBe('Value for x-amz-checksum-crc32 trailing header is invalid.');
  });

  it('answers a trailer mismatch as BadDigest', () => {
    const e = s3Error(() => verifyChecksums(trailerReq, got, h({ 'x-amz-checksum-crc32': 'z/Q5Jg==' })));
    expect(e.code).toBe('BadDigest');
    expect(e.message).toBe('The CRC32 you specified did not match the calculated checksum.');
  });
});

describe('combineCrc', () => {
  const crcs: CrcAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME'];

  it.each(crcs)('%s of A‖B equals the CRC of the concatenation', async (algorithm) => {
    for (const [lenA, lenB] of [[0, 0], [0, 5], [5, 0], [1, 1], [9, 1000], [4096, 3], [70_001, 131_072]] as const) {
      const a = randomBytes(lenA);
      const b = randomBytes(lenB);
      const combined = combineCrc(algorithm, await digestOf(algorithm, a), await digestOf(algorithm, b), lenB);
      expect(combined.toString('hex'), `${lenA}+${lenB}`).toBe((await digestOf(algorithm, a, b)).toString('hex'));
    }
  });

  it.each(crcs)('%s folds many parts of one size (the cached shift) and a short last part', async (algorithm) => {
    const parts = [randomBytes(5000), randomBytes(5000), randomBytes(5000), randomBytes(17)];
    let acc = await digestOf(algorithm, parts[0] as Buffer);
    for (const part of parts.slice(1)) acc = combineCrc(algorithm, acc, await digestOf(algorithm, part), part.length);
    expect(acc.toString('hex')).toBe((await digestOf(algorithm, ...parts)).toString('hex'));
  });

  it('handles a large second part without hashing it twice', async () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024 + 5);
    const a = Buffer.from('head');
    for (const algorithm of crcs) {
      const combined = combineCrc(algorithm, await digestOf(algorithm, a), await digestOf(algorithm, zeros), zeros.length);
      expect(combined.equals(await digestOf(algorithm, a, zeros))).toBe(true);
    }
  });

  it('refuses values of the wrong width', () => {
    expect(() => combineCrc('CRC64NVME', Buffer.alloc(4), Buffer.alloc(8), 1)).toThrow(RangeError);
    expect(() => combineCrc('CRC32', Buffer.alloc(4), Buffer.alloc(4), -1)).toThrow(RangeError);
  });
});

describe('DigestingStream with the MD5 on a worker thread', () => {
  async function digestAll(chunks: Uint8Array[], offloadMd5: boolean) {
    const digesting = new DigestingStream('CRC64NVME', { offloadMd5 });
    const received: Buffer[] = [];
    await pipeline(Readable.from(chunks), digesting, new Writable({ write(chunk: Uint8Array, _e, cb) { received.push(Buffer.from(chunk)); cb(); } }));
    return { digests: digesting.digests(), bytes: Buffer.concat(received) };
  }

  it('gives the same digests and passes the same bytes as hashing in-thread, past the in-flight bound', async () => {
    const chunks = [randomBytes(1), new Uint8Array(randomBytes(70_000)), Buffer.alloc(0), ...Array.from({ length: 12 }, () => randomBytes(512 * 1024))];
    const [offloaded, local] = await Promise.all([digestAll(chunks, true), digestAll(chunks, false)]);
    expect(offloaded.digests).toEqual(local.digests);
    expect(offloaded.bytes.equals(Buffer.concat(chunks))).toBe(true);
  });

  it('keeps concurrent sessions apart, and an abandoned one does not disturb the next', async () => {
    const abandoned = new DigestingStream('CRC32', { offloadMd5: true });
    abandoned.write(randomBytes(1000));
    abandoned.destroy();
    const bodies = [randomBytes(300_000), randomBytes(10), randomBytes(3_000_000)];
    const results = await Promise.all(bodies.map((b) => digestAll([b.subarray(0, 5), b.subarray(5)], true)));
    results.forEach((r, i) => expect(r.digests.md5Hex).toBe(createHash('md5').update(bodies[i]!).digest('hex')));
  });
});
