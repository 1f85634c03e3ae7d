// Shared steps of CopyObject and UploadPartCopy: resolving a readable source, choosing the copy's
// encryption, and copying a byte range of it into a new blob with digests (decrypting and re-encrypting
// as the bytes pass when source and destination are encrypted differently).
import { pipeline } from 'node:stream/promises';
import { EncryptingStream } from '../crypto/blob-format.js';
import { matchesVerifier } from '../crypto/customer-key.js';
import { S3Error } from '../errors/s3-error.js';
import type { ByteRange, WrittenBlob } from '../storage/blob-store.js';
import type { ChecksumAlgorithm, DefaultEncryption, ObjectEncryption, ObjectRecord } from '../storage/metadata-index.js';
import { DigestingStream } from './checksums/body-digest.js';
import { evaluateCopySourceConditions } from './conditions.js';
import type { S3Context } from './context.js';
import { parseCopySource, type CopySource } from './copy-source.js';
import {
  dataKeyOf, newTargetEncryption, readAccess, wantsSseS3, type EncryptionRequest, type TargetEncryption,
} from './encryption.js';
import { openObjectStream } from './object-reader.js';
import { writeBlobFrom } from './store-object.js';
import { quarantinedError } from './integrity.js';

export interface ResolvedSource {
  source: CopySource;
  record: ObjectRecord;
  /** Decrypts the source's blobs (checked against x-amz-copy-source-server-side-encryption-customer-*). */
  dataKey?: Buffer;
}

/** Throws PreconditionFailed unless the x-amz-copy-source-if-* headers hold for `record`. */
export function checkCopySource(ctx: S3Context, record: ObjectRecord): void {
  if (record.quarantined) throw quarantinedError(record.key);
  if (evaluateCopySourceConditions(ctx.headers, { etag: record.etag, lastModified: record.lastModified }) !== 'ok') {
    throw new S3Error('PreconditionFailed', { fields: { Condition: 'x-amz-copy-source-If-Match' } });
  }
}

/**
 * The copy source's bucket must exist, the caller may read the source object (s3:GetObject), and the source
 * bucket's owner is the one x-amz-source-expected-bucket-owner names, if sent (403 AccessDenied otherwise, as on S3).
 */
export async function authorizeSourceBucket(ctx: S3Context, source: CopySource): Promise<void> {
  await ctx.access.require(source.versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion', source.bucket, source.key);
  const expectedOwner = ctx.headers.get('x-amz-source-expected-bucket-owner');
  if (expectedOwner !== undefined && (await ctx.index.getBucket(source.bucket))?.owner !== expectedOwner) {
    throw new S3Error('AccessDenied');
  }
}

/** The key that decrypts the source, once its SSE-C key (from the copy-source headers) is checked. */
function sourceDataKey(ctx: S3Context, record: ObjectRecord): Buffer | undefined {
  return dataKeyOf(ctx, record.encryption, readAccess(ctx, record.encryption, 'copy-source'));
}

/** How a CopyObject destination is encrypted, and whether it can share the source's blobs. */
export interface CopyEncryption {
  /** The destination is encrypted exactly as the source (same mode, same key): no byte is copied. */
  share: boolean;
  /** When not sharing: the new encryption the copied bytes get. */
  target: TargetEncryption;
  /** The destination's encryption facts, and the SSE-C key MD5 to echo. */
  record?: ObjectEncryption;
  customerKeyMd5?: string;
}

/**
 * The destination's encryption is the request's, else the destination bucket's default (not the
 * source's, as on S3). Identical encryption — both plaintext, both SSE-S3 (the source's wrapped data key
 * is reused), or SSE-C with the same customer key — keeps sharing blobs; anything else re-encrypts.
 */
export function planCopyEncryption(
  ctx: S3Context,
  request: EncryptionRequest,
  bucketDefault: DefaultEncryption | undefined,
  source: ObjectEncryption | undefined,
): CopyEncryption {
  const sseS3 = wantsSseS3(ctx, request, bucketDefault);
  const share =
    (source === undefined && request.customer === undefined && !sseS3) ||
    (source?.mode === 'SSE-S3' && sseS3) ||
    (source?.mode === 'SSE-C' && request.customer !== undefined && matchesVerifier(request.customer.key, source));
  if (share) return { share, target: {}, record: source, customerKeyMd5: request.customer?.keyMd5 };
  const target = newTargetEncryption(ctx, request, bucketDefault);
  return { share, target, record: target.record, customerKeyMd5: target.customerKeyMd5 };
}

/**
 * The copy source's record: the current version or the one x-amz-copy-source names. A delete marker is
 * NoSuchKey when current and InvalidRequest when named by id, as S3 answers.
 */
export async function sourceRecord(ctx: S3Context, source: CopySource): Promise<ObjectRecord> {
  const record = await ctx.index.getObject(source.bucket, source.key, source.versionId);
  if (record === undefined) {
    if (source.versionId === undefined) throw new S3Error('NoSuchKey', { fields: { Key: source.key } });
    throw new S3Error('NoSuchVersion', { fields: { Key: source.key, VersionId: source.versionId } });
  }
  if (record.deleteMarker) {
    if (source.versionId === undefined) throw new S3Error('NoSuchKey', { fields: { Key: source.key } });
    throw new S3Error('InvalidRequest', { message: 'The source of a copy request may not specifically refer to a delete marker by version id.' });
  }
  return record;
}

/** x-amz-copy-source-version-id: the source's version, when it has a reportable one. */
export function copySourceVersionHeaders(record: ObjectRecord): Record<string, string> {
  return record.versionId === 'null' ? {} : { 'x-amz-copy-source-version-id': record.versionId };
}

/** Resolves x-amz-copy-source to the source version, with copy-source conditions checked. */
export async function readableSource(ctx: S3Context): Promise<ResolvedSource> {
  const source = parseCopySource(ctx.headers);
  await authorizeSourceBucket(ctx, source);
  const record = await sourceRecord(ctx, source);
  checkCopySource(ctx, record);
  return { source, record, dataKey: sourceDataKey(ctx, record) };
}

export interface CopiedBytes {
  blob: WrittenBlob;
  md5Hex: string;
  checksum: string;
  /** CRC32C of the copied plaintext (see ObjectRecord.verifyCrc32c). */
  verifyCrc32c: string;
}

export interface CopyKeys {
  /** Decrypts the source. */
  source?: Buffer;
  /** Encrypts the new blob. */
  target?: Buffer;
}

/**
 * Streams `range` of the source into a new durable blob, computing MD5 and `algorithm` of the plaintext
 * on the way; with keys, decrypting the source and encrypting the copy as the bytes pass.
 */
export async function copyBytesToBlob(
  ctx: S3Context,
  record: ObjectRecord,
  range: ByteRange,
  algorithm: ChecksumAlgorithm,
  keys: CopyKeys = {},
): Promise<CopiedBytes> {
  const digesting = new DigestingStream(algorithm);
  const encrypting = keys.target === undefined ? undefined : new EncryptingStream(keys.target);
  const reader = record.size === 0 ? undefined : await openObjectStream(ctx.blobs, record.blobs, range, keys.source);
  let copying: Promise<unknown>;
  if (reader === undefined) {
    digesting.end();
    copying = encrypting ? pipeline(digesting, encrypting) : Promise.resolve();
  } else {
    copying = encrypting ? pipeline(reader, digesting, encrypting) : pipeline(reader, digesting);
  }
  const written = await writeBlobFrom(ctx, encrypting ?? digesting, copying, reader);
  const got = digesting.digests();
  return { blob: { ...written, size: got.size }, md5Hex: got.md5Hex, checksum: got.checksum, verifyCrc32c: got.verifyCrc32c };
}

/** MD5 and `algorithm` over a whole object, read once without writing anything. */
export async function digestsOf(
  ctx: S3Context,
  record: ObjectRecord,
  algorithm: ChecksumAlgorithm,
  dataKey?: Buffer,
): Promise<{ md5Hex: string; checksum: string }> {
  const digesting = new DigestingStream(algorithm);
  if (record.size > 0) {
    await pipeline(await openObjectStream(ctx.blobs, record.blobs, { start: 0, end: record.size - 1 }, dataKey), digesting, async (source) => {
      for await (const _ of source) void _;
    });
  } else {
    digesting.end();
    for await (const _ of digesting) void _;
  }
  const { md5Hex, checksum } = digesting.digests();
  return { md5Hex, checksum };
}
