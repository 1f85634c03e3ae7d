// GetObject and HeadObject.
import type { Readable } from 'node:stream';
import { crc32c } from '@node-rs/crc32';
import { pipeline } from 'node:stream/promises';
import { BlobDecryptionError } from '../../crypto/blob-format.js';
import { S3Error } from '../../errors/s3-error.js';
import { IntegrityError, IntegrityVerifier, quarantine, quarantinedError } from '../integrity.js';
import { lockHeaders } from '../object-lock-request.js';
import type { ObjectMetadata, ObjectRecord, ObjectWithBody } from '../../storage/metadata-index.js';
import { evaluateConditions } from '../conditions.js';
import type { S3Context } from '../context.js';
import { dataKeyOf, encryptionHeaders, readAccess, refuseSseHeader, type CustomerKey } from '../encryption.js';
import { objectResponseHeaders } from '../object-headers.js';
import { openObjectStream } from '../object-reader.js';
import { parseRange } from '../range.js';
import { partNumber } from '../request-params.js';
import { requestedObjectMetadata, requestedObjectWithBody, versionHeaders } from '../versions.js';
import type { ByteRange } from '../../storage/blob-store.js';
import { emptyResponse, streamResponse, type S3Response } from '../respond.js';
import { expirationHeader } from '../expiration-header.js';
import { httpDate, quoteEtag } from '../wire-format.js';

async function readableObject<T extends ObjectMetadata>(ctx: S3Context, read: (ctx: S3Context) => Promise<T>): Promise<T> {
  let record: T;
  try {
    record = await read(ctx);
  } catch (e) {
    // "If you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP status code 403 Access Denied"
    // for a missing key (GetObject, HeadObject): whether a key exists is a listing's answer.
    if (e instanceof S3Error && e.code === 'NoSuchKey' && !(await ctx.access.allows('s3:ListBucket', ctx.bucket))) {
      throw new S3Error('AccessDenied');
    }
    throw e;
  }
  if (record.quarantined) throw quarantinedError(ctx.key);
  return record;
}


/** Whole-object reads are checked against the recorded digests as they stream (see integrity.ts). */
function verifiedStream(ctx: S3Context, record: ObjectRecord, source: Readable): Readable {
  const verifier = new IntegrityVerifier(record, 'fast');
  pipeline(source, verifier).catch(async (err: unknown) => {
    // An encrypted segment that fails authentication under the right key is damage too.
    if (!(err instanceof IntegrityError) && !(err instanceof BlobDecryptionError)) return;
    await quarantine(ctx, record, err instanceof IntegrityError ? err.reason : err.message);
  });
  return verifier;
}

/**
 * A plaintext object held in one inline blob is answered from a buffer, without streams, and verified
 * before any byte is sent: a mismatch quarantines it and answers as for a quarantined object. Objects
 * recorded without a verification CRC32C take the streaming path, which checks their MD5.
 */
async function inlineBody(ctx: S3Context, record: ObjectWithBody, span: ByteRange, whole: boolean): Promise<Buffer | undefined> {
  if (record.blobs.length !== 1 || record.encryption !== undefined || ctx.blobs.readInline === undefined) return undefined;
  const verify = whole && ctx.settings.verifyReads;
  if (verify && record.verifyCrc32c === undefined) return undefined;
  const data = record.inlineBody ?? (await ctx.blobs.readInline(record.blobs[0]!.id, record.blobs[0]!.size));
  if (data === undefined) return undefined;
  if (verify) {
    const got = Buffer.alloc(4);
    got.writeUInt32BE(crc32c(data) >>> 0);
    if (data.length !== record.size || got.toString('base64') !== record.verifyCrc32c) {
      const reason = `${data.length} bytes stored, ${record.size} recorded; CRC32C ${got.toString('base64')}, recorded ${record.verifyCrc32c}`;
      await quarantine(ctx, record, reason);
      throw quarantinedError(ctx.key);
    }
  }
  return data.subarray(span.start, span.end + 1);
}

function checkConditions(ctx: S3Context, record: ObjectMetadata): void {
  const outcome = evaluateConditions(ctx.headers, { etag: record.etag, lastModified: record.lastModified });
  if (outcome === 'not-modified') {
    throw new S3Error('NotModified', { headers: { etag: quoteEtag(record.etag), 'last-modified': httpDate(record.lastModified) } });
  }
  if (outcome === 'precondition-failed') throw new S3Error('PreconditionFailed', { fields: { Condition: 'If-Match' } });
}

/**
 * x-amz-checksum-* and x-amz-checksum-type, only on request (x-amz-checksum-mode: ENABLED). Never the
 * whole-object checksum for a range, which it would not match; for `partNumber` of a COMPOSITE multipart
 * object, the part's own checksum, as S3 answers (the SDK then verifies the part's bytes against it).
 */
function checksumHeaders(ctx: S3Context, record: ObjectMetadata, read: { ranged: boolean; partNumber?: number }): Record<string, string> {
  const checksum = record.checksum;
  if (checksum === undefined || ctx.headers.get('x-amz-checksum-mode')?.toUpperCase() !== 'ENABLED') return {};
  const name = `x-amz-checksum-${checksum.algorithm.toLowerCase()}`;
  if (read.partNumber !== undefined && record.parts !== undefined) {
    const part = record.parts.find((p) => p.partNumber === read.partNumber);
    if (checksum.type !== 'COMPOSITE' || part?.checksum === undefined) return {};
    return { [name]: part.checksum, 'x-amz-checksum-type': 'COMPOSITE' };
  }
  if (read.ranged) return {};
  return { [name]: checksum.value, 'x-amz-checksum-type': checksum.type };
}

/** `partNumber=N`: the byte span of part N of a multipart object (part 1 of any other object is all of it). */
function partSpan(ctx: S3Context, record: ObjectMetadata): { number: number; range?: ByteRange } | undefined {
  const raw = ctx.query.get('partNumber');
  if (raw === null) return undefined;
  const n = partNumber(raw);
  if (ctx.headers.has('range')) throw new S3Error('InvalidRequest', { message: 'Cannot specify both Range header and partNumber query parameter' });
  if (record.parts === undefined) {
    if (n !== 1) throw new S3Error('InvalidPartNumber', { fields: { PartNumberRequested: n, ActualPartCount: 1 } });
    return { number: n };
  }
  let start = 0;
  for (const p of record.parts) {
    if (p.partNumber === n) return { number: n, range: { start, end: start + p.size - 1 } };
    start += p.size;
  }
  throw new S3Error('InvalidPartNumber', { fields: { PartNumberRequested: n, ActualPartCount: record.parts.length } });
}

/** What GET and HEAD answer alike: status and headers, and the bytes a GET sends. */
interface ReadAnswer {
  status: number;
  headers: Record<string, string>;
  span: ByteRange;
  /** Neither a Range nor a partNumber: the whole object, which a GET verifies as it streams. */
  whole: boolean;
  customerKey: CustomerKey | undefined;
}

function answerFor(ctx: S3Context, record: ObjectMetadata): ReadAnswer {
  const customerKey = readAccess(ctx, record.encryption, 'request');
  checkConditions(ctx, record);
  const part = partSpan(ctx, record);
  const range = part?.range ?? parseRange(ctx.headers.get('range'), record.size);
  // Gathered into the first object rather than spread into a new one: every GET and HEAD builds this.
  const headers: Record<string, string> = Object.assign(
    objectResponseHeaders(record, ctx.query),
    versionHeaders(record, ctx.bucketRecord),
    lockHeaders(record),
    encryptionHeaders(record.encryption, customerKey?.keyMd5),
    { 'accept-ranges': 'bytes' },
    checksumHeaders(ctx, record, { ranged: range !== undefined, partNumber: part?.number }),
    expirationHeader(ctx, record),
  );
  const span = range ?? { start: 0, end: record.size - 1 };
  headers['content-length'] = String(record.size === 0 ? 0 : span.end - span.start + 1);
  if (range !== undefined) headers['content-range'] = `bytes ${range.start}-${range.end}/${record.size}`;
  const status = range !== undefined ? 206 : 200;
  return { status, headers, span, whole: range === undefined && part === undefined, customerKey };
}

export async function getObject(ctx: S3Context): Promise<S3Response> {
  refuseSseHeader(ctx);
  const record = await readableObject(ctx, requestedObjectWithBody);
  const { status, headers, span, whole, customerKey } = answerFor(ctx, record);
  if (record.size === 0) return emptyResponse(status, headers);
  const inline = await inlineBody(ctx, record, span, whole);
  if (inline !== undefined) return { status, headers, body: inline };
  const stream = await openObjectStream(ctx.blobs, record.blobs, span, dataKeyOf(ctx, record.encryption, customerKey));
  return streamResponse(status, headers, whole && ctx.settings.verifyReads ? verifiedStream(ctx, record, stream) : stream);
}

/** HEAD reads the object's row only: no blob list, no body. */
export async function headObject(ctx: S3Context): Promise<S3Response> {
  refuseSseHeader(ctx);
  const { status, headers } = answerFor(ctx, await readableObject(ctx, requestedObjectMetadata));
  return emptyResponse(status, headers);
}
