import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectAttributesCommand,
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, ListPartsCommand, PutObjectCommand, S3Client, UploadPartCommand,
  type ChecksumAlgorithm,
} from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { s3Error } from '../support/s3-error.js';
import { errorCode, signedRequest } from '../support/raw-client.js';

let t: TestServer;
let s3: S3Client;
const bucket = 'checksums';

beforeAll(async () => {
  t = await startTestServer();
  s3 = t.client();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept', Body: 'original' }));
});
afterAll(() => t.cleanup());

const crc32b64 = (data: Buffer) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(data));
  return b.toString('base64');
};

async function readKept(): Promise<string> {
  return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'kept' }))).Body!.transformToString();
}

describe('checksums', () => {
  it.each(['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as ChecksumAlgorithm[])('stores and returns %s', async (algorithm) => {
    const data = randomBytes(50_000);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `algo-${algorithm}`, Body: data, ChecksumAlgorithm: algorithm }));
    const field = `Checksum${algorithm}` as const;
    expect(put[field]).toBeTruthy();
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `algo-${algorithm}`, ChecksumMode: 'ENABLED' }));
    expect(head[field]).toBe(put[field]);
    expect(head.ChecksumType).toBe('FULL_OBJECT');
    // the SDK validates the returned checksum against the bytes it receives
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `algo-${algorithm}`, ChecksumMode: 'ENABLED' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
    expect(got[field]).toBe(put[field]);
  });

  it('computes known values: SHA256 and CRC32 match independent computations', async () => {
    const data = Buffer.from('The quick brown fox jumps over the lazy dog');
    const sha = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'known-sha', Body: data, ChecksumAlgorithm: 'SHA256' }));
    expect(sha.ChecksumSHA256).toBe(createHash('sha256').update(data).digest('base64'));
    const crc = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'known-crc', Body: data, ChecksumAlgorithm: 'CRC32' }));
    expect(crc.ChecksumCRC32).toBe(crc32b64(data));
  });

  it('streams an unknown-length body as aws-chunked with a trailing checksum (SDK default)', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const body = Readable.from((function* () {
      for (let i = 0; i < data.length; i += 100_000) yield data.subarray(i, i + 100_000);
    })());
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'streamed', Body: body, ContentLength: data.length }));
    expect(put.ChecksumCRC32).toBe(crc32b64(data));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'streamed' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
  });

  it('does not return a whole-object checksum on a ranged GET', async () => {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'algo-CRC32', Range: 'bytes=0-9', ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumCRC32).toBeUndefined();
    expect((await got.Body!.transformToByteArray()).length).toBe(10);
  });

  it('computes CRC64NVME when the client sends no checksum', async () => {
    const raw = await signedRequest(t.endpoint, { method: 'PUT', path: `/${bucket}/no-checksum`, body: 'plain' });
    expect(raw.status).toBe(200);
    expect(raw.headers['x-amz-checksum-crc64nvme']).toBeTruthy();
  });

  it('refuses a wrong checksum header with BadDigest and keeps the old object', async () => {
    const raw = await signedRequest(t.endpoint, {
      method: 'PUT', path: `/${bucket}/kept`, body: 'replacement', headers: { 'x-amz-checksum-crc32': crc32b64(Buffer.from('other')) },
    });
    expect(raw.status).toBe(400);
    expect(errorCode(raw.body)).toBe('BadDigest');
    expect(await readKept()).toBe('original');
  });

  it('refuses a bad Content-MD5 with BadDigest and a malformed one with InvalidDigest', async () => {
    const wrong = await s3Error(s3.send(new PutObjectCommand({
      Bucket: bucket, Key: 'kept', Body: 'replacement', ContentMD5: createHash('md5').update('other').digest('base64'),
    })));
    expect(wrong).toMatchObject({ name: 'BadDigest', status: 400 });
    const malformed = await signedRequest(t.endpoint, { method: 'PUT', path: `/${bucket}/kept`, body: 'replacement', headers: { 'content-md5': 'not-base64!' } });
    expect(errorCode(malformed.body)).toBe('InvalidDigest');
    expect(await readKept()).toBe('original');
  });

  it('accepts a correct Content-MD5', async () => {
    const body = 'with md5';
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'md5-ok', Body: body, ContentMD5: createHash('md5').update(body).digest('base64') }));
    expect(put.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
  });

  it('refuses two checksum headers with InvalidRequest', async () => {
    const raw = await signedRequest(t.endpoint, {
      method: 'PUT', path: `/${bucket}/two`, body: 'x',
      headers: { 'x-amz-checksum-crc32': crc32b64(Buffer.from('x')), 'x-amz-checksum-sha256': createHash('sha256').update('x').digest('base64') },
    });
    expect(raw.status).toBe(400);
    expect(errorCode(raw.body)).toBe('InvalidRequest');
  });

  describe('ChecksumType in every answer that carries a checksum', () => {
    it('PutObject, HeadObject, GetObject, CopyObject and ListObjectsV2 say FULL_OBJECT', async () => {
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'typed', Body: 'typed body', ChecksumAlgorithm: 'CRC32C' }));
      expect(put.ChecksumType).toBe('FULL_OBJECT');
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'typed', ChecksumMode: 'ENABLED' }))).ChecksumType).toBe('FULL_OBJECT');
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'typed', ChecksumMode: 'ENABLED' }));
      expect(got.ChecksumType).toBe('FULL_OBJECT');
      await got.Body!.transformToString();
      const copy = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'typed-copy', CopySource: `${bucket}/typed` }));
      expect(copy.CopyObjectResult?.ChecksumType).toBe('FULL_OBJECT');
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'typed' }));
      expect(listed.Contents?.map((o) => o.ChecksumType)).toEqual(['FULL_OBJECT', 'FULL_OBJECT']);
    });

    it('a COMPOSITE upload: ListParts, Complete, GetObjectAttributes, and HEAD/GET of a part with the part checksum', async () => {
      const part = Buffer.from('part one of a composite upload');
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'composite', ChecksumAlgorithm: 'CRC32' }));
      const uploaded = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'composite', UploadId, PartNumber: 1, Body: part, ChecksumAlgorithm: 'CRC32' }));
      expect(uploaded.ChecksumCRC32).toBe(crc32b64(part));
      const parts = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'composite', UploadId }));
      expect({ algorithm: parts.ChecksumAlgorithm, type: parts.ChecksumType, part: parts.Parts?.[0]?.ChecksumCRC32 })
        .toEqual({ algorithm: 'CRC32', type: 'COMPOSITE', part: crc32b64(part) });
      const done = await s3.send(new CompleteMultipartUploadCommand({
        Bucket: bucket, Key: 'composite', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: uploaded.ETag, ChecksumCRC32: uploaded.ChecksumCRC32 }] },
      }));
      expect(done.ChecksumType).toBe('COMPOSITE');
      expect(done.ChecksumCRC32).toMatch(/-1$/);
      const attributes = await s3.send(new GetObjectAttributesCommand({ Bucket: bucket, Key: 'composite', ObjectAttributes: ['Checksum'] }));
      expect(attributes.Checksum).toEqual({ ChecksumCRC32: done.ChecksumCRC32, ChecksumType: 'COMPOSITE' });
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'composite', PartNumber: 1, ChecksumMode: 'ENABLED' }));
      expect({ crc32: head.ChecksumCRC32, type: head.ChecksumType }).toEqual({ crc32: crc32b64(part), type: 'COMPOSITE' });
      // The SDK checks the part's bytes against the part checksum it is given.
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'composite', PartNumber: 1, ChecksumMode: 'ENABLED' }));
      expect(got.ChecksumCRC32).toBe(crc32b64(part));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(part)).toBe(true);
      const ranged = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'composite', Range: 'bytes=0-3', ChecksumMode: 'ENABLED' }));
      expect(ranged.ChecksumCRC32).toBeUndefined();
    });

    it('ListParts of an upload sent without checksums shows the default CRC64NVME, FULL_OBJECT, as S3 does', async () => {
      const plain = t.client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
      const { UploadId } = await plain.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'no-checksum' }));
      await plain.send(new UploadPartCommand({ Bucket: bucket, Key: 'no-checksum', UploadId, PartNumber: 1, Body: 'bytes' }));
      const parts = await plain.send(new ListPartsCommand({ Bucket: bucket, Key: 'no-checksum', UploadId }));
      expect({ algorithm: parts.ChecksumAlgorithm, type: parts.ChecksumType }).toEqual({ algorithm: 'CRC64NVME', type: 'FULL_OBJECT' });
      expect(parts.Parts?.[0]?.ChecksumCRC64NVME).toMatch(/^[A-Za-z0-9+/]{11}=$/);
    });
  });
});
