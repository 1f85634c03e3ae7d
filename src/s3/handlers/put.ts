// PutObject.
import { S3Error } from '../../errors/s3-error.js';
import { newObjectAcl } from '../request-acl.js';
import { requireTaggingPermission } from '../request-tagging.js';
import type { S3Context } from '../context.js';
import { validateNewObjectKey } from '../names.js';
import { contentHeadersFrom, userMetadataFrom } from '../object-headers.js';
import { emptyResponse, type S3Response } from '../respond.js';
import { storageClassFrom } from '../storage-class.js';
import { deleteBlobs, storeBody } from '../store-object.js';
import { tagsFromHeader } from '../tagging.js';
import { quoteEtag } from '../wire-format.js';
import { mintObjectRecord } from '../new-version.js';
import { asksForLock, newVersionLock } from '../object-lock-request.js';
import { versionHeaders } from '../versions.js';
import { precheckCondition, writeConditionFrom } from '../write-conditions.js';
import { encryptionHeaders, encryptionRequestFrom, newTargetEncryption } from '../encryption.js';
import { expirationHeader } from '../expiration-header.js';

/** S3 refuses an Object Lock write whose body carries no digest. */
export function requireDigestForLock(ctx: S3Context): void {
  if (!asksForLock(ctx.headers)) return;
  const digested = ctx.headers.has('content-md5') || ctx.headers.has('x-amz-sdk-checksum-algorithm') || ctx.headers.has('x-amz-trailer')
    || [...ctx.headers.keys()].some((name) => name.startsWith('x-amz-checksum-') && name !== 'x-amz-checksum-type');
  if (!digested) {
    throw new S3Error('InvalidRequest', { message: 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters' });
  }
}

export async function putObject(ctx: S3Context): Promise<S3Response> {
  validateNewObjectKey(ctx.key);
  const encryptionRequest = encryptionRequestFrom(ctx);
  const contentHeaders = contentHeadersFrom(ctx.headers);
  const userMetadata = userMetadataFrom(ctx.headers);
  const { acl, owner } = await newObjectAcl(ctx);
  const tags = tagsFromHeader(ctx.headers);
  await requireTaggingPermission(ctx, tags);
  const storageClass = storageClassFrom(ctx.headers);
  const condition = writeConditionFrom(ctx.headers);
  const lock = newVersionLock(ctx);
  requireDigestForLock(ctx);
  await precheckCondition(ctx, condition);

  const encryption = newTargetEncryption(ctx, encryptionRequest);
  const stored = await storeBody(ctx, { dataKey: encryption.dataKey });
  const record = mintObjectRecord(ctx, {
    size: stored.blob.size,
    etag: stored.md5Hex,
    storageClass,
    contentHeaders,
    userMetadata,
    tags,
    acl,
    checksum: { algorithm: stored.checksum.algorithm, type: 'FULL_OBJECT', value: stored.checksumValue },
    blobs: [stored.blob],
    verifyCrc32c: stored.verifyCrc32c,
    ...(encryption.record ? { encryption: encryption.record } : {}),
  }, owner, lock);
  let orphans: string[];
  try {
    orphans = await ctx.index.putObject(record, condition);
  } catch (e) {
    await deleteBlobs(ctx, [stored.blob.id]);
    throw e;
  }
  await deleteBlobs(ctx, orphans);
  return emptyResponse(200, {
    etag: quoteEtag(record.etag),
    [`x-amz-checksum-${stored.checksum.algorithm.toLowerCase()}`]: stored.checksumValue,
    'x-amz-checksum-type': 'FULL_OBJECT',
    ...encryptionHeaders(encryption.record, encryption.customerKeyMd5),
    ...versionHeaders(record, ctx.bucketRecord),
    ...expirationHeader(ctx, record),
  });
}
