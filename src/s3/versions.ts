// What a request means for object versions: the version a read or sub-resource request names (?versionId=),
// and how a delete marker answers. New ids are minted by storage/new-version-id.ts.
import { S3Error } from '../errors/s3-error.js';
import type { BucketRecord, ObjectMetadata, ObjectRecord, ObjectWithBody } from '../storage/metadata-index.js';
import { MINTED_VERSION_ID } from '../storage/new-version-id.js';
import type { S3Context } from './context.js';

/**
 * A version id as a client sent it (query or copy source): 'null' or one this server could have minted.
 * Anything else is InvalidArgument, as S3 answers an id it cannot parse.
 */
export function parseVersionId(raw: string | null | undefined): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (raw === 'null' || MINTED_VERSION_ID.test(raw)) return raw;
  throw new S3Error('InvalidArgument', { message: 'Invalid version id specified', fields: { ArgumentName: 'versionId', ArgumentValue: raw } });
}

/** `x-amz-version-id` for a version, when it has a reportable id (objects of never-versioned buckets have none). */
export function versionHeaders(record: Pick<ObjectRecord, 'versionId'>, bucket: BucketRecord | undefined): Record<string, string> {
  if (record.versionId !== 'null') return { 'x-amz-version-id': record.versionId };
  return bucket !== undefined && bucket.versioning !== 'Unversioned' ? { 'x-amz-version-id': 'null' } : {};
}

/** Headers a delete marker answers with when it is what a request found. */
function markerHeaders(marker: ObjectMetadata): Record<string, string> {
  return { 'x-amz-delete-marker': 'true', 'x-amz-version-id': marker.versionId, 'last-modified': marker.lastModified.toUTCString() };
}

/**
 * The object version a request names: `?versionId=` or the current version. A current delete marker is
 * NoSuchKey (404) with `x-amz-delete-marker: true`; a delete marker named by id is MethodNotAllowed (405)
 * with the same headers; an absent id is NoSuchVersion.
 */
export async function requestedObject(ctx: S3Context, key = ctx.key, rawVersionId: string | null = ctx.query.get('versionId')): Promise<ObjectRecord> {
  return requestedVersion(ctx, key, rawVersionId, (versionId) => ctx.index.getObject(ctx.bucket, key, versionId));
}

/** requestedObject for a read of its bytes (see MetadataIndex.getObjectWithBody). */
export async function requestedObjectWithBody(ctx: S3Context): Promise<ObjectWithBody> {
  const read = ctx.index.getObjectWithBody?.bind(ctx.index) ?? ctx.index.getObject.bind(ctx.index);
  return requestedVersion(ctx, ctx.key, ctx.query.get('versionId'), (versionId) => read(ctx.bucket, ctx.key, versionId));
}

/** requestedObject without the blob list, for answers that send no bytes (HeadObject). */
export async function requestedObjectMetadata(ctx: S3Context): Promise<ObjectMetadata> {
  return requestedVersion(ctx, ctx.key, ctx.query.get('versionId'), (versionId) => ctx.index.getObjectMetadata(ctx.bucket, ctx.key, versionId));
}

async function requestedVersion<T extends ObjectMetadata>(
  ctx: S3Context,
  key: string,
  rawVersionId: string | null,
  read: (versionId: string | undefined) => Promise<T | undefined>,
): Promise<T> {
  const versionId = parseVersionId(rawVersionId);
  const record = await read(versionId);
  if (record === undefined) {
    if (versionId === undefined) throw new S3Error('NoSuchKey', { fields: { Key: key } });
    throw new S3Error('NoSuchVersion', { fields: { Key: key, VersionId: versionId } });
  }
  if (record.deleteMarker) {
    if (versionId === undefined) throw new S3Error('NoSuchKey', { fields: { Key: key }, headers: markerHeaders(record) });
    throw new S3Error('MethodNotAllowed', {
      message: 'The specified method is not allowed against this resource.',
      fields: { Method: ctx.op.startsWith('Head') ? 'HEAD' : 'GET', ResourceType: 'DeleteMarker' },
      headers: { ...markerHeaders(record), allow: 'DELETE' },
    });
  }
  return record;
}
