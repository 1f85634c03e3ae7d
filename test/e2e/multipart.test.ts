import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand,
  GetObjectAttributesCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand,
  PutObjectCommand, S3Client, UploadPartCommand, UploadPartCopyCommand, type ChecksumAlgorithm,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startTestServer, type TestServer } from '../support/server.js';
import { s3Error } from '../support/s3-error.js';
import { storedBlobIds } from '../support/stored-blobs.js';

let t: TestServer;
let s3: S3Client;
const bucket = 'multipart';
const MiB = 1024 * 1024;

beforeAll(async () => {
  t = await startTestServer();
  s3 = t.client();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => t.cleanup());

const md5 = (b: Buffer) => createHash('md5').update(b).digest();

async function getBytes(key: string, extra: Record<string, unknown> = {}) {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));
  return { res, bytes: Buffer.from(await res.Body!.transformToByteArray()) };
}

async function uploadParts(key: string, parts: Buffer[], algorithm?: ChecksumAlgorithm) {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: algorithm, ContentType: 'application/x-test', Metadata: { origin: 'parts' } }));
  const done = [];
  for (const [i, body] of parts.entries()) {
    const res = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: algorithm }));
    done.push({ PartNumber: i + 1, ETag: res.ETag!, ...(algorithm ? { [`Checksum${algorithm}`]: res[`Checksum${algorithm}` as 'ChecksumCRC32'] } : {}) });
  }
  return { UploadId: UploadId!, done };
}

async function blobFileCount(): Promise<number> {
  return (await storedBlobIds(t.dataDir)).length;
}

describe('multipart upload', () => {
  it('assembles parts in order with the multipart ETag and keeps creation metadata', async () => {
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1234)];
    const { UploadId, done } = await uploadParts('assembled', parts);
    const listed = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'assembled', UploadId }));
    expect(listed.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([[1, 5 * MiB], [2, 5 * MiB], [3, 1234]]);
    const complete = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'assembled', UploadId, MultipartUpload: { Parts: done } }));
    const expectedEtag = `"${createHash('md5').update(Buffer.concat(parts.map(md5))).digest('hex')}-3"`;
    expect(complete.ETag).toBe(expectedEtag);
    const { res, bytes } = await getBytes('assembled');
    expect(bytes.equals(Buffer.concat(parts))).toBe(true);
    expect(res.ETag).toBe(expectedEtag);
    expect(res.ContentType).toBe('application/x-test');
    expect(res.Metadata).toEqual({ origin: 'parts' });
  });

  it('serves ranges that cross part boundaries and single parts by partNumber', async () => {
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(100)];
    const { UploadId, done } = await uploadParts('ranged', parts);
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'ranged', UploadId, MultipartUpload: { Parts: done } }));
    const whole = Buffer.concat(parts);
    const start = 5 * MiB - 10;
    const { bytes } = await getBytes('ranged', { Range: `bytes=${start}-${start + 5 * MiB + 19}` });
    expect(bytes.equals(whole.subarray(start, start + 5 * MiB + 20))).toBe(true);
    const part2 = await getBytes('ranged', { PartNumber: 2 });
    expect(part2.bytes.equals(parts[1]!)).toBe(true);
    expect(part2.res.PartsCount).toBe(3);
    expect(part2.res.ContentRange).toBe(`bytes ${5 * MiB}-${10 * MiB - 1}/${whole.length}`);
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ranged', PartNumber: 4 })))).toMatchObject({ status: 416 });
  });

  it.each(['CRC32', 'CRC32C', 'SHA256', 'CRC64NVME'] as ChecksumAlgorithm[])('verifies and returns %s part checksums and an object checksum', async (algorithm) => {
    const parts = [randomBytes(5 * MiB), randomBytes(3000)];
    const key = `checksum-${algorithm}`;
    const { UploadId, done } = await uploadParts(key, parts, algorithm);
    const complete = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: done } }));
    const value = complete[`Checksum${algorithm}` as 'ChecksumCRC32'];
    expect(value).toBeTruthy();
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    expect(head[`Checksum${algorithm}` as 'ChecksumCRC32']).toBe(value);
    expect(head.ChecksumType).toBe(algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
    if (algorithm !== 'CRC64NVME') expect(value).toMatch(/-2$/);
    const { bytes } = await getBytes(key, { ChecksumMode: 'ENABLED' });
    expect(bytes.equals(Buffer.concat(parts))).toBe(true);
  });

  it('combines part CRCs into a FULL_OBJECT checksum equal to the CRC of the whole object', async () => {
    const { crc32 } = await import('node:zlib');
    const parts = [randomBytes(5 * MiB), randomBytes(777)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'full-crc', ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' }));
    const done = [];
    for (const [i, body] of parts.entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'full-crc', UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: 'CRC32' }));
      done.push({ PartNumber: i + 1, ETag: r.ETag!, ChecksumCRC32: r.ChecksumCRC32 });
    }
    const complete = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'full-crc', UploadId, MultipartUpload: { Parts: done } }));
    const expected = Buffer.alloc(4);
    expected.writeUInt32BE(crc32(Buffer.concat(parts)));
    expect(complete.ChecksumCRC32).toBe(expected.toString('base64'));
    expect(complete.ChecksumType).toBe('FULL_OBJECT');
  });

  it('replaces a re-uploaded part number', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'replace-part' }));
    await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'replace-part', UploadId, PartNumber: 1, Body: 'first' }));
    const second = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'replace-part', UploadId, PartNumber: 1, Body: 'second' }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'replace-part', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: second.ETag }] } }));
    expect((await getBytes('replace-part')).bytes.toString()).toBe('second');
  });

  it('answers a repeated Complete of a completed upload with the same result', async () => {
    const { UploadId, done } = await uploadParts('twice', [Buffer.from('only part')]);
    const first = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'twice', UploadId, MultipartUpload: { Parts: done } }));
    const again = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'twice', UploadId, MultipartUpload: { Parts: done } }));
    expect(again.ETag).toBe(first.ETag);
  });

  it('reports parts through GetObjectAttributes', async () => {
    const { UploadId, done } = await uploadParts('attrs', [randomBytes(5 * MiB), randomBytes(10)], 'SHA256');
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'attrs', UploadId, MultipartUpload: { Parts: done } }));
    const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket: bucket, Key: 'attrs', ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] }));
    expect(attrs.ObjectSize).toBe(5 * MiB + 10);
    expect(attrs.StorageClass).toBe('STANDARD');
    expect(attrs.ETag).toMatch(/^[0-9a-f]{32}-2$/);
    expect(attrs.ObjectParts?.TotalPartsCount).toBe(2);
    expect(attrs.ObjectParts?.Parts?.map((p) => p.Size)).toEqual([5 * MiB, 10]);
    expect(attrs.Checksum?.ChecksumSHA256).toMatch(/-2$/);
  });

  it('lists uploads in progress and removes every trace on abort', async () => {
    const before = await blobFileCount();
    const { UploadId } = await uploadParts('aborted/one', [randomBytes(1000), randomBytes(1000)]);
    await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'aborted/two' }));
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'aborted/' }));
    expect(listed.Uploads?.map((u) => u.Key)).toEqual(['aborted/one', 'aborted/two']);
    const delimited = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Delimiter: '/' }));
    expect(delimited.CommonPrefixes?.map((p) => p.Prefix)).toContain('aborted/');
    expect(await blobFileCount()).toBe(before + 2);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'aborted/one', UploadId }));
    expect(await blobFileCount()).toBe(before);
    expect(await s3Error(s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'aborted/one', UploadId })))).toMatchObject({ name: 'NoSuchUpload', status: 404 });
    const after = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'aborted/' }));
    expect(after.Uploads?.map((u) => u.Key)).toEqual(['aborted/two']);
  });

  it('paginates ListMultipartUploads with key and upload-id markers', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'paged/same' }))).UploadId!);
    const seen: string[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'paged/', MaxUploads: 2, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
      seen.push(...(page.Uploads ?? []).map((u) => u.UploadId!));
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
    expect(seen.sort()).toEqual([...ids].sort());
  });
});

describe('multipart validation', () => {
  it('refuses parts out of order with InvalidPartOrder', async () => {
    const { UploadId, done } = await uploadParts('order', [randomBytes(5 * MiB), randomBytes(10)]);
    const err = await s3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'order', UploadId, MultipartUpload: { Parts: [done[1]!, done[0]!] } })));
    expect(err).toMatchObject({ name: 'InvalidPartOrder', status: 400 });
  });

  it('refuses an unknown part or a wrong ETag with InvalidPart', async () => {
    const { UploadId, done } = await uploadParts('unknown', [randomBytes(10)]);
    expect(await s3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'unknown', UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: done[0]!.ETag }] } }))))
      .toMatchObject({ name: 'InvalidPart', status: 400 });
    expect(await s3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'unknown', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"00000000000000000000000000000000"' }] } }))))
      .toMatchObject({ name: 'InvalidPart', status: 400 });
  });

  it('refuses a small middle part with EntityTooSmall', async () => {
    const { UploadId, done } = await uploadParts('small', [randomBytes(5 * MiB), randomBytes(1000), randomBytes(5 * MiB)]);
    const err = await s3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'small', UploadId, MultipartUpload: { Parts: done } })));
    expect(err).toMatchObject({ name: 'EntityTooSmall', status: 400 });
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'small' })))).toMatchObject({ status: 404 });
  });

  it('refuses a part whose checksum does not match with BadDigest', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'bad-part', ChecksumAlgorithm: 'SHA256' }));
    const err = await s3Error(s3.send(new UploadPartCommand({
      Bucket: bucket, Key: 'bad-part', UploadId, PartNumber: 1, Body: 'actual bytes',
      ChecksumSHA256: createHash('sha256').update('other bytes').digest('base64'),
    })));
    expect(err).toMatchObject({ name: 'BadDigest', status: 400 });
    const parts = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'bad-part', UploadId }));
    expect(parts.Parts ?? []).toEqual([]);
  });

  it('answers NoSuchUpload for unknown upload ids', async () => {
    expect(await s3Error(s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'x', UploadId: 'nope', PartNumber: 1, Body: 'x' })))).toMatchObject({ name: 'NoSuchUpload', status: 404 });
    expect(await s3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'x', UploadId: 'nope', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"x"' }] } })))).toMatchObject({ name: 'NoSuchUpload' });
    expect(await s3Error(s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'x', UploadId: 'nope' })))).toMatchObject({ name: 'NoSuchUpload' });
  });

  it('refuses part numbers outside 1..10000', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'numbers' }));
    expect(await s3Error(s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'numbers', UploadId, PartNumber: 10001, Body: 'x' })))).toMatchObject({ name: 'InvalidArgument' });
  });

  it('honours If-None-Match: * on Complete', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'guarded', Body: 'existing' }));
    const { UploadId, done } = await uploadParts('guarded', [Buffer.from('new')]);
    const err = await s3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'guarded', UploadId, IfNoneMatch: '*', MultipartUpload: { Parts: done } })));
    expect(err).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    expect((await getBytes('guarded')).bytes.toString()).toBe('existing');
  });
});

describe('UploadPartCopy', () => {
  it('copies byte ranges of an existing object into parts', async () => {
    const source = randomBytes(7 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy-source', Body: source }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'copy-target' }));
    const p1 = await s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: 'copy-target', UploadId, PartNumber: 1, CopySource: `${bucket}/copy-source`, CopySourceRange: `bytes=0-${5 * MiB - 1}` }));
    const p2 = await s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: 'copy-target', UploadId, PartNumber: 2, CopySource: `${bucket}/copy-source`, CopySourceRange: `bytes=${6 * MiB}-${7 * MiB - 1}` }));
    expect(p1.CopyPartResult?.ETag).toBe(`"${createHash('md5').update(source.subarray(0, 5 * MiB)).digest('hex')}"`);
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'copy-target', UploadId, MultipartUpload: { Parts: [
      { PartNumber: 1, ETag: p1.CopyPartResult!.ETag }, { PartNumber: 2, ETag: p2.CopyPartResult!.ETag },
    ] } }));
    const { bytes } = await getBytes('copy-target');
    expect(bytes.equals(Buffer.concat([source.subarray(0, 5 * MiB), source.subarray(6 * MiB)]))).toBe(true);
  });

  it('refuses a range outside the source and a missing source', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'copy-bad' }));
    expect(await s3Error(s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: 'copy-bad', UploadId, PartNumber: 1, CopySource: `${bucket}/copy-source`, CopySourceRange: `bytes=0-${8 * MiB}` }))))
      .toMatchObject({ name: 'InvalidRange' });
    expect(await s3Error(s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: 'copy-bad', UploadId, PartNumber: 1, CopySource: `${bucket}/no-such-source` }))))
      .toMatchObject({ name: 'NoSuchKey', status: 404 });
  });
});

describe('@aws-sdk/lib-storage', () => {
  it('uploads 100 MiB with default checksums and reads it back intact', async () => {
    const data = randomBytes(100 * MiB);
    const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: 'lib-storage/100m', Body: data }, partSize: 8 * MiB, queueSize: 4 });
    const result = await upload.done();
    expect(result.ETag).toMatch(/-13"$/);
    const { bytes } = await getBytes('lib-storage/100m');
    expect(createHash('md5').update(bytes).digest('hex')).toBe(createHash('md5').update(data).digest('hex'));
  });

  it('leaves nothing behind when aborted in the middle', async () => {
    const before = await blobFileCount();
    const data = randomBytes(60 * MiB);
    const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: 'lib-storage/aborted', Body: data }, partSize: 5 * MiB, queueSize: 2, leavePartsOnError: false });
    let parts = 0;
    upload.on('httpUploadProgress', () => {
      if (++parts === 3) void upload.abort();
    });
    await expect(upload.done()).rejects.toThrow();
    // the abort races with parts still in flight: wait (bounded) for them to settle
    let count = await blobFileCount();
    for (let i = 0; i < 100 && count !== before; i++) {
      await new Promise((r) => setTimeout(r, 100));
      count = await blobFileCount();
    }
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'lib-storage/aborted' }));
    expect(uploads.Uploads ?? []).toEqual([]);
    expect(count).toBe(before);
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'lib-storage/aborted' })))).toMatchObject({ status: 404 });
  });
});
