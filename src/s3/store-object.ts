// Request body → durable blob with digests checked: the shared write path of PutObject and UploadPart.
// Order matters for crash safety: bytes are durable before any index commit, and superseded blobs are
// deleted only after it (a crash in between leaves an orphan for the sweep, never a torn object).
import { pipeline } from 'node:stream/promises';
import { EncryptingStream } from '../crypto/blob-format.js';
import { S3Error } from '../errors.js';
import type { WrittenBlob } from '../storage/blob-store.js';
import type { ChecksumAlgorithm } from '../storage/metadata-index.js';
import { DigestingStream, requestedChecksums, verifyChecksums, type ChecksumRequest } from './checksums.js';
import type { S3Context } from './context.js';

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
  const digesting = new DigestingStream(checksum.algorithm);
  const encrypting = options.dataKey === undefined ? undefined : new EncryptingStream(options.dataKey);
  const source = ctx.body();
  const copying = encrypting ? pipeline(source, digesting, encrypting) : pipeline(source, digesting);
  let written: WrittenBlob;
  try {
    [written] = await Promise.all([ctx.blobs.write(encrypting ?? digesting), copying]);
  } catch (e) {
    source.destroy();
    copying.catch(() => undefined);
    throw e;
  }
  const got = digesting.digests();
  const blob: WrittenBlob = { id: written.id, size: got.size };
  try {
    if (ctx.contentLength !== undefined && got.size !== ctx.contentLength) throw new S3Error('IncompleteBody');
    if (got.size > maxSize) throw new S3Error('EntityTooLarge');
    verifyChecksums(checksum, { md5Base64: got.md5Base64, checksum: got.checksum }, ctx.trailers());
  } catch (e) {
    await ctx.blobs.delete(blob.id);
    throw e;
  }
  return { blob, md5Hex: got.md5Hex, checksumValue: got.checksum, checksum, clientChecksum: named };
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
