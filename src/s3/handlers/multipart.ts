// CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload,
// ListParts, ListMultipartUploads.
import { randomBytes } from 'node:crypto';
import { S3Error } from '../../errors/s3-error.js';
import type { ChecksumAlgorithm, ObjectRecord, PartRecord, UploadRecord } from '../../storage/metadata-index.js';
import { decodeXml, listOf, textOf } from '../../xml/decode.js';
import type { CompleteMultipartUploadResult, CopyPartResult, InitiateMultipartUploadResult, ListMultipartUploadsResult, ListPartsResult } from '../../xml/shapes.js';
import { newObjectAcl } from '../request-acl.js';
import { requireTaggingPermission } from '../request-tagging.js';
import { newObjectOwner } from '../../access/object-ownership.js';
import { CHECKSUM_ALGORITHMS, requestedChecksums } from '../checksums/request.js';
import { combineVerifyCrc32c } from '../checksums/crc-combine.js';
import type { S3Context } from '../context.js';
import { copyBytesToBlob, copySourceVersionHeaders, readableSource } from '../copy-flow.js';
import { parseCopySourceRange } from '../copy-source.js';
import { customerKeyFrom, encryptionHeaders, encryptionRequestFrom, newTargetEncryption, partEncryption } from '../encryption.js';
import { multipartEtag, objectChecksumFromParts, uploadChecksumFrom } from '../checksums/multipart-checksum.js';
import { validateNewObjectKey } from '../names.js';
import { contentHeadersFrom, userMetadataFrom } from '../object-headers.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';
import { expirationHeader } from '../expiration-header.js';
import { storageClassFrom } from '../storage-class.js';
import { deleteBlobs, storeBody } from '../store-object.js';
import { tagsFromHeader } from '../tagging.js';
import { listEncoding, MAX_PART_NUMBER, nonNegativeInteger, partNumber as parsePartNumber, requireXmlListable } from '../request-params.js';
import { isoTime, ownerOf, quoteEtag, unquoteEtag } from '../wire-format.js';
import { precheckCondition, writeConditionFrom } from '../write-conditions.js';
import { mintObjectRecord } from '../new-version.js';
import { newVersionLock } from '../object-lock-request.js';
import { versionHeaders } from '../versions.js';

/** S3 limits: https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_SIZE = 5 * 1024 ** 3;
export const MAX_OBJECT_SIZE = 5 * 1024 ** 4;

function checksumMember(algorithm: ChecksumAlgorithm): `Checksum${ChecksumAlgorithm}` {
  return `Checksum${algorithm}`;
}


async function uploadOf(ctx: S3Context): Promise<UploadRecord> {
  const uploadId = ctx.query.get('uploadId') ?? '';
  const upload = await ctx.index.getUpload(ctx.bucket, ctx.key, uploadId);
  if (upload === undefined) throw new S3Error('NoSuchUpload', { fields: { UploadId: uploadId } });
  return upload;
}

function uploadChecksumHeaders(upload: UploadRecord): Record<string, string> {
  if (upload.checksumAlgorithm === undefined) return {};
  return { 'x-amz-checksum-algorithm': upload.checksumAlgorithm, 'x-amz-checksum-type': upload.checksumType ?? 'COMPOSITE' };
}

export async function createMultipartUpload(ctx: S3Context): Promise<S3Response> {
  validateNewObjectKey(ctx.key);
  const encryptionRequest = encryptionRequestFrom(ctx);
  const checksum = uploadChecksumFrom(ctx.headers);
  // The upload's data key (SSE-S3) or key verifier (SSE-C) is fixed now; every part uses it.
  const encryption = newTargetEncryption(ctx, encryptionRequest);
  const lock = newVersionLock(ctx);
  // An explicit lock is fixed now; a bucket default is applied when Complete creates the version.
  const explicitRetention = ctx.headers.has('x-amz-object-lock-mode');
  const { acl } = await newObjectAcl(ctx);
  const tags = tagsFromHeader(ctx.headers);
  await requireTaggingPermission(ctx, tags);
  const upload: UploadRecord = {
    uploadId: randomBytes(24).toString('base64url'),
    bucket: ctx.bucket,
    key: ctx.key,
    initiated: ctx.now,
    owner: ctx.principal.userId,
    storageClass: storageClassFrom(ctx.headers),
    contentHeaders: contentHeadersFrom(ctx.headers),
    userMetadata: userMetadataFrom(ctx.headers),
    tags,
    acl,
    checksumAlgorithm: checksum.algorithm,
    checksumType: checksum.type,
    ...(encryption.record ? { encryption: encryption.record } : {}),
    ...(explicitRetention && lock.retention ? { retention: lock.retention } : {}),
    ...(lock.legalHold ? { legalHold: true } : {}),
  };
  await ctx.index.createUpload(upload, ctx.settings.maxOpenUploadsPerBucket);
  const doc: InitiateMultipartUploadResult = { Bucket: ctx.bucket, Key: ctx.key, UploadId: upload.uploadId };
  return xmlResponse('InitiateMultipartUploadResult', doc, 200, {
    ...uploadChecksumHeaders(upload),
    ...encryptionHeaders(encryption.record, encryption.customerKeyMd5),
  });
}

/** A part's checksum algorithm must be the upload's, when the upload fixed one. */
function checkPartAlgorithm(upload: UploadRecord, algorithm: ChecksumAlgorithm): void {
  if (upload.checksumAlgorithm !== undefined && algorithm !== upload.checksumAlgorithm) {
    throw new S3Error('InvalidRequest', {
      message: `Checksum Type mismatch occurred, expected checksum Type: ${upload.checksumAlgorithm.toLowerCase()}, actual checksum Type: ${algorithm.toLowerCase()}`,
    });
  }
}

async function savePart(ctx: S3Context, part: PartRecord): Promise<void> {
  let orphans: string[];
  try {
    orphans = await ctx.index.putPart(part);
  } catch (e) {
    await deleteBlobs(ctx, [part.blob.id]);
    throw e;
  }
  await deleteBlobs(ctx, orphans);
}

export async function uploadPart(ctx: S3Context): Promise<S3Response> {
  const partNumber = parsePartNumber(ctx.query.get('partNumber'));
  const upload = await uploadOf(ctx);
  const encryption = partEncryption(ctx, upload);
  const requested = requestedChecksums(ctx.headers);
  if (requested.expected !== undefined || requested.fromTrailer !== undefined) checkPartAlgorithm(upload, requested.algorithm);
  const stored = await storeBody(ctx, { maxSize: MAX_PART_SIZE, defaultAlgorithm: upload.checksumAlgorithm, dataKey: encryption.dataKey });
  const algorithm = stored.checksum.algorithm;
  await savePart(ctx, {
    uploadId: upload.uploadId,
    partNumber,
    blob: stored.blob,
    etag: stored.md5Hex,
    lastModified: new Date(),
    checksums: { [algorithm]: stored.checksumValue },
    verifyCrc32c: stored.verifyCrc32c,
  });
  const headers: Record<string, string> = { etag: quoteEtag(stored.md5Hex), ...encryption.headers };
  if (upload.checksumAlgorithm !== undefined || stored.clientChecksum) headers[`x-amz-checksum-${algorithm.toLowerCase()}`] = stored.checksumValue;
  return emptyResponse(200, headers);
}

export async function uploadPartCopy(ctx: S3Context): Promise<S3Response> {
  const partNumber = parsePartNumber(ctx.query.get('partNumber'));
  const upload = await uploadOf(ctx);
  const encryption = partEncryption(ctx, upload);
  const source = await readableSource(ctx);
  const range = parseCopySourceRange(ctx.headers, source.record.size) ?? { start: 0, end: source.record.size - 1 };
  if (range.end - range.start + 1 > MAX_PART_SIZE) throw new S3Error('EntityTooLarge');
  const algorithm = upload.checksumAlgorithm ?? 'CRC64NVME';
  const copied = await copyBytesToBlob(ctx, source.record, range, algorithm, { source: source.dataKey, target: encryption.dataKey });
  const lastModified = new Date();
  await savePart(ctx, {
    uploadId: upload.uploadId,
    partNumber,
    blob: copied.blob,
    etag: copied.md5Hex,
    lastModified,
    checksums: { [algorithm]: copied.checksum },
    verifyCrc32c: copied.verifyCrc32c,
  });
  const doc: CopyPartResult = {
    ETag: quoteEtag(copied.md5Hex),
    LastModified: isoTime(lastModified),
    ...(upload.checksumAlgorithm ? { [checksumMember(algorithm)]: copied.checksum } : {}),
  };
  return xmlResponse('CopyPartResult', doc, 200, { ...encryption.headers, ...copySourceVersionHeaders(source.record) });
}

interface RequestedPart {
  partNumber: number;
  etag: string;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

async function requestedParts(ctx: S3Context): Promise<RequestedPart[]> {
  const body = await ctx.readSmallBody();
  const doc = decodeXml(body.toString('utf8'), 'CompleteMultipartUpload');
  const parts = listOf(doc.Part).map((p) => {
    const rawNumber = textOf(p.PartNumber) ?? '';
    const etag = textOf(p.ETag);
    if (!/^\d{1,5}$/.test(rawNumber) || etag === undefined) throw new S3Error('MalformedXML');
    const partNumber = Number(rawNumber);
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const value = textOf(p[checksumMember(algorithm)]);
      if (value !== undefined) checksums[algorithm] = value;
    }
    return { partNumber, etag: unquoteEtag(etag), checksums };
  });
  if (parts.length === 0) throw new S3Error('MalformedXML', { message: 'The XML you provided was not well-formed or did not validate against our published schema' });
  return parts;
}

/** Checks the request's part list against the stored parts and returns the parts in order. */
function chosenParts(requested: RequestedPart[], stored: PartRecord[]): PartRecord[] {
  const byNumber = new Map(stored.map((p) => [p.partNumber, p]));
  const chosen: PartRecord[] = [];
  let previous = 0;
  for (const want of requested) {
    if (want.partNumber <= previous) throw new S3Error('InvalidPartOrder', { fields: { UploadedPartNumber: want.partNumber } });
    previous = want.partNumber;
    const have = byNumber.get(want.partNumber);
    if (have === undefined || have.etag !== want.etag) {
      throw new S3Error('InvalidPart', { fields: { PartNumber: want.partNumber, ETag: want.etag } });
    }
    for (const [algorithm, value] of Object.entries(want.checksums) as [ChecksumAlgorithm, string][]) {
      const known = have.checksums[algorithm];
      if (known !== undefined && known !== value) {
        throw new S3Error('InvalidPart', { message: `The ${algorithm.toLowerCase()} you specified for part ${want.partNumber} did not match what was received.`, fields: { PartNumber: want.partNumber } });
      }
    }
    chosen.push(have);
  }
  chosen.forEach((part, i) => {
    if (i < chosen.length - 1 && part.blob.size < MIN_PART_SIZE) {
      throw new S3Error('EntityTooSmall', { fields: { ProposedSize: part.blob.size, MinSizeAllowed: MIN_PART_SIZE, PartNumber: part.partNumber, ETag: quoteEtag(part.etag) } });
    }
  });
  return chosen;
}

function completeResult(ctx: S3Context, record: ObjectRecord): S3Response {
  const doc: CompleteMultipartUploadResult = {
    Location: `/${ctx.bucket}/${ctx.key.split('/').map(encodeURIComponent).join('/')}`,
    Bucket: ctx.bucket,
    Key: ctx.key,
    ETag: quoteEtag(record.etag),
    ...(record.checksum ? { [checksumMember(record.checksum.algorithm)]: record.checksum.value, ChecksumType: record.checksum.type } : {}),
  };
  // S3 confirms SSE-S3 here but does not echo SSE-C keys.
  const sse = record.encryption?.mode === 'SSE-S3' ? encryptionHeaders(record.encryption) : {};
  return xmlResponse('CompleteMultipartUploadResult', doc, 200, { ...sse, ...versionHeaders(record, ctx.bucketRecord), ...expirationHeader(ctx, record) });
}

/** x-amz-checksum-<algo> on Complete is the client's checksum of the whole object: it must match ours. */
function checkObjectChecksumHeader(ctx: S3Context, record: ObjectRecord): void {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const sent = ctx.headers.get(`x-amz-checksum-${algorithm.toLowerCase()}`);
    if (sent === undefined) continue;
    const ours = record.checksum?.algorithm === algorithm ? record.checksum.value : undefined;
    if (ours === undefined) {
      throw new S3Error('InvalidRequest', { message: `The upload was created using the ${record.checksum?.algorithm.toLowerCase() ?? 'null'} checksum algorithm. Checksum algorithm ${algorithm.toLowerCase()} is not allowed.` });
    }
    if (sent.replace(/-\d+$/, '') !== ours.replace(/-\d+$/, '')) {
      throw new S3Error('BadDigest', { message: `The ${algorithm.toLowerCase()} you specified did not match the calculated checksum.` });
    }
  }
}

export async function completeMultipartUpload(ctx: S3Context): Promise<S3Response> {
  const uploadId = ctx.query.get('uploadId') ?? '';
  const condition = writeConditionFrom(ctx.headers);
  const requested = await requestedParts(ctx);
  const upload = await ctx.index.getUpload(ctx.bucket, ctx.key, uploadId);
  if (upload === undefined) {
    // A retried Complete of an upload that already completed is answered with the same result.
    const current = await ctx.index.getObject(ctx.bucket, ctx.key);
    if (current !== undefined && !current.deleteMarker && current.etag === multipartEtag(requested.map((p) => p.etag))) {
      return completeResult(ctx, current);
    }
    throw new S3Error('NoSuchUpload', { fields: { UploadId: uploadId } });
  }
  // SSE-C keys are optional here; when sent they must be the upload's.
  if (customerKeyFrom(ctx, 'request') !== undefined) partEncryption(ctx, upload);
  await precheckCondition(ctx, condition);
  const parts = chosenParts(requested, await ctx.index.allParts(uploadId));
  const defaults = newVersionLock({ ...ctx, headers: new Map() });
  const record = mintObjectRecord(ctx, {
    size: parts.reduce((n, p) => n + p.blob.size, 0),
    etag: multipartEtag(parts.map((p) => p.etag)),
    storageClass: upload.storageClass,
    contentHeaders: upload.contentHeaders,
    userMetadata: upload.userMetadata,
    tags: upload.tags,
    acl: upload.acl,
    checksum: await objectChecksumFromParts({ algorithm: upload.checksumAlgorithm, type: upload.checksumType }, parts),
    blobs: parts.map((p) => p.blob),
    parts: parts.map((p) => ({
      partNumber: p.partNumber,
      size: p.blob.size,
      etag: p.etag,
      checksum: upload.checksumAlgorithm ? p.checksums[upload.checksumAlgorithm] : undefined,
    })),
    ...(upload.encryption ? { encryption: upload.encryption } : {}),
  },
  // The initiator is the writer; the bucket's Object Ownership as of completion decides who owns the object.
  newObjectOwner(ctx.bucketRecord!, upload.owner, upload.acl),
  { retention: upload.retention ?? defaults.retention, legalHold: upload.legalHold });
  const verifyCrc32c = combineVerifyCrc32c(parts.map((p) => ({ verifyCrc32c: p.verifyCrc32c, size: p.blob.size })));
  if (verifyCrc32c !== undefined) record.verifyCrc32c = verifyCrc32c;
  if (record.size > MAX_OBJECT_SIZE) {
    throw new S3Error('EntityTooLarge', { fields: { ProposedSize: record.size, MaxSizeAllowed: MAX_OBJECT_SIZE } });
  }
  checkObjectChecksumHeader(ctx, record);
  const orphans = await ctx.index.completeUpload(uploadId, record, condition);
  await deleteBlobs(ctx, orphans);
  return completeResult(ctx, record);
}

export async function abortMultipartUpload(ctx: S3Context): Promise<S3Response> {
  const upload = await uploadOf(ctx);
  await deleteBlobs(ctx, await ctx.index.abortUpload(upload.uploadId));
  return emptyResponse(204);
}

function boundedInteger(ctx: S3Context, name: string, fallback: number, max: number): number {
  return nonNegativeInteger(ctx.query.get(name), name, fallback, max);
}

/**
 * The checksum ListParts reports for an upload: its own when CreateMultipartUpload fixed one; otherwise, when
 * every listed part carries the server's default CRC64NVME, that one as FULL_OBJECT (what Complete will
 * store, and what S3 reports for uploads sent without a checksum).
 */
function listedUploadChecksum(upload: UploadRecord, parts: PartRecord[]): { algorithm: ChecksumAlgorithm; type: string } | undefined {
  if (upload.checksumAlgorithm !== undefined) return { algorithm: upload.checksumAlgorithm, type: upload.checksumType ?? 'COMPOSITE' };
  if (parts.length > 0 && parts.every((p) => p.checksums.CRC64NVME !== undefined)) return { algorithm: 'CRC64NVME', type: 'FULL_OBJECT' };
  return undefined;
}

/** A part's checksum members: the upload's algorithm, or every checksum it has when the upload fixed none. */
function listedPartChecksums(upload: UploadRecord, part: PartRecord): Partial<Record<`Checksum${ChecksumAlgorithm}`, string>> {
  const algorithms = upload.checksumAlgorithm !== undefined ? [upload.checksumAlgorithm] : CHECKSUM_ALGORITHMS;
  const members: Partial<Record<`Checksum${ChecksumAlgorithm}`, string>> = {};
  for (const algorithm of algorithms) {
    const value = part.checksums[algorithm];
    if (value !== undefined) members[checksumMember(algorithm)] = value;
  }
  return members;
}

export async function listParts(ctx: S3Context): Promise<S3Response> {
  const upload = await uploadOf(ctx);
  const maxParts = boundedInteger(ctx, 'max-parts', 1000, 1000);
  const marker = boundedInteger(ctx, 'part-number-marker', 0, MAX_PART_NUMBER);
  const page = await ctx.index.listParts(upload.uploadId, marker, maxParts);
  const checksum = listedUploadChecksum(upload, page.parts);
  const doc: ListPartsResult = {
    Bucket: ctx.bucket,
    Key: ctx.key,
    UploadId: upload.uploadId,
    PartNumberMarker: marker,
    ...(page.isTruncated ? { NextPartNumberMarker: page.nextPartNumberMarker } : {}),
    MaxParts: maxParts,
    IsTruncated: page.isTruncated,
    Part: page.parts.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: isoTime(p.lastModified),
      ETag: quoteEtag(p.etag),
      Size: p.blob.size,
      ...listedPartChecksums(upload, p),
    })),
    Initiator: ownerOf(upload.owner),
    Owner: ownerOf(upload.owner),
    StorageClass: upload.storageClass,
    ...(checksum ? { ChecksumAlgorithm: checksum.algorithm, ChecksumType: checksum.type } : {}),
  };
  return xmlResponse('ListPartsResult', doc);
}

export async function listMultipartUploads(ctx: S3Context): Promise<S3Response> {
  const encoding = listEncoding(ctx.query);
  const { urlEncoded, encode } = encoding;
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const keyMarker = ctx.query.get('key-marker') ?? '';
  // S3 ignores upload-id-marker without key-marker.
  const uploadIdMarker = keyMarker === '' ? '' : (ctx.query.get('upload-id-marker') ?? '');
  const maxUploads = boundedInteger(ctx, 'max-uploads', 1000, 1000);
  const page = await ctx.index.listUploads({ bucket: ctx.bucket, prefix, delimiter, keyMarker, uploadIdMarker, maxUploads });
  requireXmlListable(encoding, [prefix, delimiter, keyMarker, uploadIdMarker, ...page.uploads.map((u) => u.key), ...page.commonPrefixes]);
  const doc: ListMultipartUploadsResult = {
    Bucket: ctx.bucket,
    KeyMarker: encode(keyMarker),
    UploadIdMarker: uploadIdMarker,
    ...(page.isTruncated ? { NextKeyMarker: encode(page.nextKeyMarker ?? ''), NextUploadIdMarker: page.nextUploadIdMarker ?? '' } : {}),
    Prefix: encode(prefix),
    ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
    MaxUploads: maxUploads,
    IsTruncated: page.isTruncated,
    ...(urlEncoded ? { EncodingType: 'url' } : {}),
    Upload: page.uploads.map((u) => ({
      Key: encode(u.key),
      UploadId: u.uploadId,
      Initiator: ownerOf(u.owner),
      Owner: ownerOf(u.owner),
      StorageClass: u.storageClass,
      Initiated: isoTime(u.initiated),
      ...(u.checksumAlgorithm ? { ChecksumAlgorithm: u.checksumAlgorithm, ChecksumType: u.checksumType } : {}),
    })),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  };
  return xmlResponse('ListMultipartUploadsResult', doc);
}
