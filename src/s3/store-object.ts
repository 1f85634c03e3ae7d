// Request body → durable blob with digests checked: the shared write path of PutObject and UploadPart.
// Order matters for crash safety: bytes are durable before any index commit, and superseded blobs are
// deleted only after it (a crash in between leaves an orphan for the sweep, never a torn object).
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EncryptingStream } from '../crypto/blob-format.js';
import { S3Error } from '../errors/s3-error.js';
import type { WrittenBlob } from '../storage/blob-store.js';
import type { ChecksumAlgorithm } from '../storage/metadata-index.js';
import { DigestingStream } from './checksums/body-digest.js';
import { requestedChecksums, verifyChecksums, type ChecksumRequest } from './checksums/request.js';
import type { S3Context } from './context.js';

/** Bodies from this size on have their MD5 computed on a worker thread (see md5-worker.ts). */
const OFFLOAD_MD5_FROM = 1024 * 1024;

/** Largest single PUT S3 accepts: 5 GiB. */
export const MAX_PUT_SIZE = 5 * 1024 ** 3;

export interface StoredBody {
  /** The new blob; its size is the plaintext size even when the blob is stored encrypted. */
  blob: WrittenBlob;
  md5Hex: string;
  /** base64 digest of `checksum.algorithm` over the bytes. */
  checksumValue: string;
  checksum: ChecksumRequest;
  /** True when the client sent this checksum (header or trailer) rather than the server choosing it. */
  clientChecksum: boolean;
  /** CRC32C of the bytes, for verifying reads (ObjectRecord.verifyCrc32c). */
  verifyCrc32c: string;
}

function requireLength(ctx: S3Context, max: number): void {
  const chunkedTransfer = ctx.headers.get('transfer-encoding')?.toLowerCase().includes('chunked') ?? false;
  if (ctx.contentLength === undefined && !chunkedTransfer) throw new S3Error('MissingContentLength');
  if (ctx.contentLength !== undefined && ctx.contentLength > max) {
    throw new S3Error('EntityTooLarge', { fields: { ProposedSize: ctx.contentLength, MaxSizeAllowed: max } });
  }
}

export interface StoreOptions {
  maxSize?: number;
  /** Algorithm to compute when the client names none (an upload's algorithm for its parts). */
  defaultAlgorithm?: ChecksumAlgorithm;
  /** Encrypts the blob (see crypto/blob-format.ts); digests are always of the plaintext. */
  dataKey?: Buffer;
}

/** Streams the verified request body into a new blob, checking Content-MD5 and x-amz-checksum-*. */
export async function storeBody(ctx: S3Context, options: StoreOptions = {}): Promise<StoredBody> {
  const maxSize = options.maxSize ?? MAX_PUT_SIZE;
  requireLength(ctx, maxSize);
  const checksum = requestedChecksums(ctx.headers);
  const named = checksum.expected !== undefined || checksum.fromTrailer !== undefined;
  if (!named && options.defaultAlgorithm !== undefined) checksum.algorithm = options.defaultAlgorithm;
  // Bodies of unknown length are offloaded too: those are streamed uploads, usually large.
  const digesting = new DigestingStream(checksum.algorithm, { offloadMd5: (ctx.contentLength ?? Infinity) >= OFFLOAD_MD5_FROM });
  const encrypting = options.dataKey === undefined ? undefined : new EncryptingStream(options.dataKey);
  const source = ctx.body();
  const copying = encrypting ? pipeline(source, digesting, encrypting) : pipeline(source, digesting);
  const written = await writeBlobFrom(ctx, encrypting ?? digesting, copying, source);
  const got = digesting.digests();
  const blob: WrittenBlob = { ...written, size: got.size };
  try {
    if (ctx.contentLength !== undefined && got.size !== ctx.contentLength) throw new S3Error('IncompleteBody');
    if (got.size > maxSize) throw new S3Error('EntityTooLarge');
    verifyChecksums(checksum, { md5Base64: got.md5Base64, checksum: got.checksum }, ctx.trailers());
  } catch (e) {
    await ctx.blobs.delete(blob.id);
    throw e;
  }
  return { blob, md5Hex: got.md5Hex, checksumValue: got.checksum, checksum, clientChecksum: named, verifyCrc32c: got.verifyCrc32c };
}

/**
 * Writes `tail` into a new blob while `feeding` pipes bytes into it, and settles only when both have: a
 * failed write has removed its temporary file before the error is answered. A small blob comes back
 * staged (WrittenBlob.staged): the caller's index write stores it with the record.
 */
export async function writeBlobFrom(ctx: S3Context, tail: Readable, feeding: Promise<unknown>, head: Readable | undefined): Promise<WrittenBlob> {
  const writing = ctx.blobs.write(tail, undefined, { stage: true }).catch((e: unknown) => {
    tail.destroy(e as Error);
    throw e;
  });
  const [write, feed] = await Promise.allSettled([writing, feeding]);
  if (write.status === 'fulfilled' && feed.status === 'fulfilled') return write.value;
  head?.destroy();
  if (write.status === 'fulfilled') await ctx.blobs.delete(write.value.id);
  // Prefer the cause (a bad signature, a failed disk) over the "premature close" it caused elsewhere.
  const reasons = [feed, write].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  throw reasons.find((r) => r instanceof S3Error) ?? reasons.find((r) => (r as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') ?? reasons[0];
}

/** Deletes blobs the index no longer references. Failures only leave orphans for the sweep. */
export async function deleteBlobs(ctx: S3Context, ids: string[]): Promise<void> {
  for (const id of ids) {
    try {
      await ctx.blobs.delete(id);
    } catch (err) {
      ctx.log.warn({ err, blob: id, requestId: ctx.requestId }, 'could not delete an unreferenced blob');
    }
  }
}
