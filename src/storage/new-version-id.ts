// Where every new version's id comes from. The S3 writes (PutObject, CopyObject, CompleteMultipartUpload, delete
// markers), the lifecycle worker's delete markers and the admin API's restore all mint here, so an id always has
// the form readers accept (s3/versions.ts parses ?versionId= against MINTED_VERSION_ID). It sits beside the index
// interfaces because lifecycle/ and admin/ may not import the S3 layer.
import { randomBytes } from 'node:crypto';
import type { BucketRecord, ObjectRecord } from './metadata-index.js';

/** Ids this server mints: 24 random bytes as 32 URL-safe characters (opaque to clients, as on S3). */
export const MINTED_VERSION_ID = /^[A-Za-z0-9_-]{32}$/;

/** The id of a version written now: a fresh one while versioning is Enabled, else the null version. */
export function mintVersionId(bucket: Pick<BucketRecord, 'versioning'> | undefined): string {
  return bucket?.versioning === 'Enabled' ? randomBytes(24).toString('base64url') : 'null';
}

/** The MD5 of no bytes: the ETag a delete marker carries. */
const EMPTY_ETAG = 'd41d8cd98f00b204e9800998ecf8427e';

/** A delete marker for `key` written now by `owner`: no bytes, no metadata, its own version id. */
export function newDeleteMarker(bucket: Pick<BucketRecord, 'name' | 'versioning'>, key: string, owner: string, lastModified = new Date()): ObjectRecord {
  return {
    bucket: bucket.name,
    key,
    versionId: mintVersionId(bucket),
    size: 0,
    etag: EMPTY_ETAG,
    lastModified,
    owner,
    storageClass: 'STANDARD',
    contentHeaders: {},
    userMetadata: {},
    tags: [],
    acl: 'private',
    blobs: [],
    deleteMarker: true,
  };
}
