// CopyObject. The copy shares the source's blobs (no byte is copied) unless its encryption differs from
// the source's, when the bytes are decrypted and re-encrypted into a new blob first; either way the index
// reads the source and writes the destination in one transaction, so a concurrent delete cannot strand it.
import { S3Error } from '../../errors/s3-error.js';
import type { ObjectRecord, StoredChecksum } from '../../storage/metadata-index.js';
import type { CopyObjectResult } from '../../xml/shapes.js';
import { newObjectAcl } from '../request-acl.js';
import { requireTaggingPermission } from '../request-tagging.js';
import { CHECKSUM_ALGORITHMS } from '../checksums/request.js';
import type { S3Context } from '../context.js';
import {
  authorizeSourceBucket, checkCopySource, copyBytesToBlob, copySourceVersionHeaders, digestsOf, planCopyEncryption, sourceRecord, type CopiedBytes,
} from '../copy-flow.js';
import { parseCopySource } from '../copy-source.js';
import { dataKeyOf, encryptionHeaders, encryptionRequestFrom, readAccess } from '../encryption.js';
import { validateNewObjectKey } from '../names.js';
import { contentHeadersFrom, userMetadataFrom } from '../object-headers.js';
import { xmlResponse, type S3Response } from '../respond.js';
import { expirationHeader } from '../expiration-header.js';
import { storageClassFrom } from '../storage-class.js';
import { deleteBlobs } from '../store-object.js';
import { tagsFromHeader } from '../tagging.js';
import { isoTime, quoteEtag } from '../wire-format.js';
import { precheckCondition, writeConditionFrom } from '../write-conditions.js';
import { mintObjectRecord } from '../new-version.js';
import { newVersionLock } from '../object-lock-request.js';
import { versionHeaders } from '../versions.js';
import { requireDigestForLock } from './put.js';

function directive(ctx: S3Context, header: string): 'COPY' | 'REPLACE' {
  const value = ctx.headers.get(header)?.toUpperCase() ?? 'COPY';
  if (value !== 'COPY' && value !== 'REPLACE') {
    throw new S3Error('InvalidArgument', { message: `Unknown ${header}: ${value}`, fields: { ArgumentName: header, ArgumentValue: value } });
  }
  return value;
}

function requestedChecksumAlgorithm(ctx: S3Context): StoredChecksum['algorithm'] | undefined {
  const raw = ctx.headers.get('x-amz-checksum-algorithm')?.toUpperCase();
  if (raw === undefined) return undefined;
  const algorithm = CHECKSUM_ALGORITHMS.find((a) => a === raw);
  if (algorithm === undefined) throw new S3Error('InvalidRequest', { message: 'Checksum algorithm provided is unsupported.' });
  return algorithm;
}

export async function copyObject(ctx: S3Context): Promise<S3Response> {
  validateNewObjectKey(ctx.key);
  const encryptionRequest = encryptionRequestFrom(ctx);
  const source = parseCopySource(ctx.headers);
  await authorizeSourceBucket(ctx, source);
  const metadataDirective = directive(ctx, 'x-amz-metadata-directive');
  const taggingDirective = directive(ctx, 'x-amz-tagging-directive');
  const storageClass = ctx.headers.has('x-amz-storage-class') ? storageClassFrom(ctx.headers) : undefined;
  const { acl, owner } = await newObjectAcl(ctx);
  const condition = writeConditionFrom(ctx.headers);
  const lock = newVersionLock(ctx);
  requireDigestForLock(ctx);
  await precheckCondition(ctx, condition);
  const replaced = metadataDirective === 'REPLACE'
    ? { contentHeaders: contentHeadersFrom(ctx.headers), userMetadata: userMetadataFrom(ctx.headers) }
    : undefined;
  const tags = taggingDirective === 'REPLACE' ? tagsFromHeader(ctx.headers) : undefined;
  if (tags !== undefined) await requireTaggingPermission(ctx, tags);
  const wantAlgorithm = requestedChecksumAlgorithm(ctx);
  const sameObject = source.bucket === ctx.bucket && source.key === ctx.key && source.versionId === undefined;
  const encryptionAsked = encryptionRequest.sse !== undefined || encryptionRequest.customer !== undefined;
  if (sameObject && metadataDirective === 'COPY' && storageClass === undefined && wantAlgorithm === undefined && !encryptionAsked) {
    throw new S3Error('InvalidRequest', {
      message: "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    });
  }

  // CopyObject makes a single-part object: a multipart source (its ETag is not an MD5 of the data, its
  // checksum may be per part) or another checksum algorithm needs one read of the bytes, done before the
  // atomic swap. The copy still shares the stored bytes.
  let recomputed: { etag: string; checksum: StoredChecksum } | undefined;
  let readSource: ObjectRecord | undefined;
  const current = await sourceRecord(ctx, source);
  // An SSE-C source needs its key even when no byte is read, as on S3.
  const sourceCustomerKey = readAccess(ctx, current.encryption, 'copy-source');
  const sourceDataKey = (): Buffer | undefined => dataKeyOf(ctx, current.encryption, sourceCustomerKey);
  const encryption = planCopyEncryption(ctx, encryptionRequest, ctx.bucketRecord?.defaultEncryption, current.encryption);
  // Sharing depends on how the source is encrypted: that must not change before the swap.
  if (current.encryption !== undefined || !encryption.share) readSource = current;
  const sourceFull = current.checksum?.type === 'FULL_OBJECT' ? current.checksum : undefined;
  const algorithm = wantAlgorithm ?? current.checksum?.algorithm ?? 'CRC64NVME';
  let copied: CopiedBytes | undefined;
  if (!encryption.share) {
    // Another encryption: one pass decrypts, digests and re-encrypts into a new blob.
    checkCopySource(ctx, current);
    copied = await copyBytesToBlob(ctx, current, { start: 0, end: current.size - 1 }, algorithm, { source: sourceDataKey(), target: encryption.target.dataKey });
    recomputed = { etag: copied.md5Hex, checksum: { algorithm, type: 'FULL_OBJECT', value: copied.checksum } };
  } else if (current.parts !== undefined || (wantAlgorithm !== undefined && sourceFull?.algorithm !== wantAlgorithm)) {
    checkCopySource(ctx, current);
    const digests = await digestsOf(ctx, current, algorithm, sourceDataKey());
    recomputed = { etag: digests.md5Hex, checksum: { algorithm, type: 'FULL_OBJECT', value: digests.checksum } };
    readSource = current;
  }

  const lastModified = new Date();
  const copying = ctx.index.copyObject(
    source,
    (src) => {
      checkCopySource(ctx, src);
      if (readSource !== undefined && (src.etag !== readSource.etag || src.lastModified.getTime() !== readSource.lastModified.getTime())) {
        // the source was replaced after its checksum was computed: its bytes are not the ones we read
        throw new S3Error('PreconditionFailed', { message: 'The source object changed during the copy.' });
      }
    },
    (src): ObjectRecord => mintObjectRecord(ctx, {
      ...src,
      storageClass: storageClass ?? src.storageClass,
      contentHeaders: replaced?.contentHeaders ?? src.contentHeaders,
      userMetadata: replaced?.userMetadata ?? src.userMetadata,
      tags: tags ?? src.tags,
      acl,
      etag: recomputed?.etag ?? src.etag,
      checksum: recomputed?.checksum ?? src.checksum,
      parts: recomputed ? undefined : src.parts,
      blobs: copied ? [copied.blob] : src.blobs,
      encryption: encryption.record,
      // Quarantine and Object Lock belong to the source version, not to the copy.
      quarantined: undefined,
    }, owner, lock, lastModified),
    condition,
  );
  let committed: Awaited<typeof copying>;
  try {
    committed = await copying;
  } catch (e) {
    if (copied) await deleteBlobs(ctx, [copied.blob.id]);
    throw e;
  }
  const { record, orphans } = committed;
  await deleteBlobs(ctx, orphans);
  const doc: CopyObjectResult = {
    ETag: quoteEtag(record.etag),
    LastModified: isoTime(record.lastModified),
    ...(record.checksum ? { [`Checksum${record.checksum.algorithm}`]: record.checksum.value, ChecksumType: record.checksum.type } : {}),
  };
  return xmlResponse('CopyObjectResult', doc, 200, {
    ...encryptionHeaders(record.encryption, encryption.customerKeyMd5),
    ...versionHeaders(record, ctx.bucketRecord),
    ...copySourceVersionHeaders(current),
    ...expirationHeader(ctx, record),
  });
}
