// The one function that mints a new object version's record: where it lives, its version id (by the bucket's
// versioning state), when it was written, who owns it, and the Object Lock it starts with. PutObject,
// CopyObject, CompleteMultipartUpload and versioned deletes (delete markers) all mint through here; the id itself
// comes from storage/new-version-id.ts, which the lifecycle worker and the admin API's restore use too.
import type { ObjectRecord } from '../storage/metadata-index.js';
import { mintVersionId, newDeleteMarker } from '../storage/new-version-id.js';
import type { S3Context } from './context.js';
import type { NewVersionLock } from './object-lock-request.js';

/** What the writing operation decides; everything else is the same for every new version. */
export type VersionContent = Omit<ObjectRecord, 'bucket' | 'key' | 'versionId' | 'lastModified' | 'owner' | 'deleteMarker' | 'retention' | 'legalHold'>;

/**
 * `owner` is the new version's owner, which the bucket's Object Ownership decides (newObjectAcl, or
 * newObjectOwner for an upload's initiator): the writer or the bucket owner.
 */
export function mintObjectRecord(
  ctx: S3Context,
  content: VersionContent,
  owner: string,
  lock: NewVersionLock = {},
  lastModified = new Date(),
): ObjectRecord {
  // A copy passes its source's facts: the source's lock never carries over.
  const { retention: _retention, legalHold: _legalHold, ...rest } = content as Partial<ObjectRecord> & VersionContent;
  const record: ObjectRecord = {
    ...rest,
    bucket: ctx.bucket,
    key: ctx.key,
    versionId: mintVersionId(ctx.bucketRecord),
    lastModified,
    owner,
    deleteMarker: false,
  };
  if (lock.retention) record.retention = lock.retention;
  if (lock.legalHold) record.legalHold = true;
  return record;
}

/** A delete marker for `key` (versioned buckets), written by the requester. */
export function mintDeleteMarker(ctx: S3Context, key: string): ObjectRecord {
  return newDeleteMarker({ name: ctx.bucket, versioning: ctx.bucketRecord?.versioning ?? 'Unversioned' }, key, ctx.principal.userId);
}
