// PutObject.
import { S3Error } from '../../errors/s3-error.js';
import type { ObjectRecord, WriteCondition } from '../../storage/metadata-index.js';
import { aclFromHeaders, objectAclOwners } from '../request-acl.js';
import type { S3Context } from '../context.js';
import { validateObjectKey } from '../names.js';
import { contentHeadersFrom, userMetadataFrom } from '../object-headers.js';
import { emptyResponse, type S3Response } from '../respond.js';
import { storageClassFrom } from '../storage-class.js';
import { deleteBlobs, storeBody } from '../store-object.js';
import { tagsFromHeader } from '../tagging.js';
import { quoteEtag, unquoteEtag } from '../wire-format.js';
import { encryptionHeaders, encryptionRequestFrom, newTargetEncryption } from '../encryption.js';
import { expirationHeader } from '../expiration-header.js';

/** If-None-Match / If-Match on writes (conditional writes; Terraform and registries rely on them). */
export function writeConditionFrom(headers: Map<string, string>): WriteCondition | undefined {
  const ifNoneMatch = headers.get('if-none-match');
  const ifMatch = headers.get('if-match');
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw new S3Error('NotImplemented', { message: 'Conditional writes support only If-None-Match: *' });
  }
  return {
    ifNoneMatch: ifNoneMatch !== undefined || undefined,
    ifMatch: ifMatch === undefined ? undefined : ifMatch.trim() === '*' ? '*' : unquoteEtag(ifMatch),
  };
}

/** Fails early, before any byte is read, when a write condition already cannot hold; the commit re-checks atomically. */
export async function precheckCondition(ctx: S3Context, condition: WriteCondition | undefined): Promise<void> {
  if (condition === undefined) return;
  const current = await ctx.index.getObject(ctx.bucket, ctx.key);
  const exists = current !== undefined && !current.deleteMarker;
  if (condition.ifNoneMatch && exists) throw new S3Error('PreconditionFailed', { fields: { Condition: 'If-None-Match' } });
  if (condition.ifMatch !== undefined) {
    if (!exists) throw new S3Error('NoSuchKey', { fields: { Key: ctx.key } });
    if (condition.ifMatch !== '*' && condition.ifMatch !== current.etag) {
      throw new S3Error('PreconditionFailed', { fields: { Condition: 'If-Match' } });
    }
  }
}

export async function putObject(ctx: S3Context): Promise<S3Response> {
  validateObjectKey(ctx.key);
  const encryptionRequest = encryptionRequestFrom(ctx);
  const contentHeaders = contentHeadersFrom(ctx.headers);
  const userMetadata = userMetadataFrom(ctx.headers);
  const acl = aclFromHeaders(ctx.headers, objectAclOwners(ctx), ctx.bucketRecord?.publicAccessBlock);
  const tags = tagsFromHeader(ctx.headers);
  const storageClass = storageClassFrom(ctx.headers);
  const condition = writeConditionFrom(ctx.headers);
  await precheckCondition(ctx, condition);

  const encryption = newTargetEncryption(ctx, encryptionRequest);
  const stored = await storeBody(ctx, { dataKey: encryption.dataKey });
  const record: ObjectRecord = {
    bucket: ctx.bucket,
    key: ctx.key,
    versionId: 'null',
    size: stored.blob.size,
    etag: stored.md5Hex,
    lastModified: new Date(),
    owner: ctx.principal.userId,
    storageClass,
    contentHeaders,
    userMetadata,
    tags,
    acl,
    checksum: { algorithm: stored.checksum.algorithm, type: 'FULL_OBJECT', value: stored.checksumValue },
    blobs: [{ id: stored.blob.id, size: stored.blob.size }],
    deleteMarker: false,
    verifyCrc32c: stored.verifyCrc32c,
    ...(encryption.record ? { encryption: encryption.record } : {}),
  };
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
    ...expirationHeader(ctx, record),
  });
}
