// Shared steps of CopyObject and UploadPartCopy: resolving a readable source and copying a byte range
// of it into a new blob with digests.
import { pipeline } from 'node:stream/promises';
import { authorize } from '../auth/authorize.js';
import { S3Error } from '../errors.js';
import type { ByteRange, WrittenBlob } from '../storage/blob-store.js';
import type { ChecksumAlgorithm, ObjectRecord } from '../storage/metadata-index.js';
import { DigestingStream } from './checksums.js';
import { evaluateCopySourceConditions } from './conditions.js';
import type { S3Context } from './context.js';
import { parseCopySource, type CopySource } from './copy-source.js';
import { openObjectStream } from './object-reader.js';
import { quarantinedError } from './integrity.js';

export interface ResolvedSource {
  source: CopySource;
  record: ObjectRecord;
}

/** Throws PreconditionFailed unless the x-amz-copy-source-if-* headers hold for `record`. */
export function checkCopySource(ctx: S3Context, record: ObjectRecord): void {
  if (record.quarantined) throw quarantinedError(record.key);
  if (evaluateCopySourceConditions(ctx.headers, { etag: record.etag, lastModified: record.lastModified }) !== 'ok') {
    throw new S3Error('PreconditionFailed', { fields: { Condition: 'x-amz-copy-source-If-Match' } });
  }
}

/** The copy source's bucket must exist and be readable by the caller. */
export async function authorizeSourceBucket(ctx: S3Context, source: CopySource): Promise<void> {
  const bucket = source.bucket === ctx.bucket ? ctx.bucketRecord : await ctx.index.getBucket(source.bucket);
  if (bucket === undefined) throw new S3Error('NoSuchBucket', { fields: { BucketName: source.bucket } });
  authorize(ctx.principal, 'GetObject', bucket);
}

/** Resolves x-amz-copy-source to the current source object, with copy-source conditions checked. */
export async function readableSource(ctx: S3Context): Promise<ResolvedSource> {
  const source = parseCopySource(ctx.headers);
  await authorizeSourceBucket(ctx, source);
  const record = await ctx.index.getObject(source.bucket, source.key);
  if (record === undefined || record.deleteMarker) throw new S3Error('NoSuchKey', { fields: { Key: source.key } });
  checkCopySource(ctx, record);
  return { source, record };
}

export interface CopiedBytes {
  blob: WrittenBlob;
  md5Hex: string;
  checksum: string;
}

/** Streams `range` of the source into a new durable blob, computing MD5 and `algorithm` on the way. */
export async function copyBytesToBlob(ctx: S3Context, record: ObjectRecord, range: ByteRange, algorithm: ChecksumAlgorithm): Promise<CopiedBytes> {
  const digesting = new DigestingStream(algorithm);
  const reader = record.size === 0 ? undefined : await openObjectStream(ctx.blobs, record.blobs, range);
  const copying = reader ? pipeline(reader, digesting) : Promise.resolve(digesting.end());
  let blob: WrittenBlob;
  try {
    [blob] = await Promise.all([ctx.blobs.write(digesting), copying]);
  } catch (e) {
    reader?.destroy();
    copying.catch(() => undefined);
    throw e;
  }
  const got = digesting.digests();
  return { blob, md5Hex: got.md5Hex, checksum: got.checksum };
}

/** MD5 and `algorithm` over a whole object, read once without writing anything. */
export async function digestsOf(ctx: S3Context, record: ObjectRecord, algorithm: ChecksumAlgorithm): Promise<{ md5Hex: string; checksum: string }> {
  const digesting = new DigestingStream(algorithm);
  if (record.size > 0) {
    await pipeline(await openObjectStream(ctx.blobs, record.blobs, { start: 0, end: record.size - 1 }), digesting, async (source) => {
      for await (const _ of source) void _;
    });
  } else {
    digesting.end();
    for await (const _ of digesting) void _;
  }
  const { md5Hex, checksum } = digesting.digests();
  return { md5Hex, checksum };
}
