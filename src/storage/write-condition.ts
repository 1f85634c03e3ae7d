// The one place conditional-write and conditional-delete rules live: If-Match / If-None-Match on PutObject,
// CopyObject and CompleteMultipartUpload, and If-Match / x-amz-if-match-last-modified-time /
// x-amz-if-match-size on DeleteObject(s). Handlers call it for an early answer before reading a body; every
// index implementation calls it again inside its write transaction, so the check and the write are one step.
import { S3Error } from '../errors/s3-error.js';
import type { WriteCondition } from './metadata-index.js';

/** What a condition needs to know about the current version under a key. */
export interface CurrentObjectState {
  etag: string;
  deleteMarker: boolean;
  lastModified: Date;
  size: number;
}

function unquote(etag: string): string {
  const trimmed = etag.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

function failed(condition: string): S3Error {
  return new S3Error('PreconditionFailed', { fields: { Condition: condition } });
}

/** Whether a write has no condition to check. */
export function isUnconditional(condition: WriteCondition | undefined): boolean {
  return condition === undefined || Object.values(condition).every((v) => v === undefined);
}

/**
 * Throws NoSuchKey or PreconditionFailed when `condition` does not hold. A delete marker counts as no object,
 * as for GET (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html and
 * conditional-deletes.html). Order: If-Match (existence, then ETag), the delete-only last-modified and size
 * matches (which hold vacuously when there is no object), then If-None-Match.
 */
export function checkWriteCondition(
  key: string,
  current: CurrentObjectState | undefined,
  condition: WriteCondition | undefined,
): void {
  if (!condition) return;
  const exists = current !== undefined && !current.deleteMarker;
  if (condition.ifMatch !== undefined) {
    if (!exists) throw new S3Error('NoSuchKey', { fields: { Key: key } });
    const wanted = unquote(condition.ifMatch);
    if (wanted !== '*' && wanted !== unquote(current.etag)) throw failed('If-Match');
  }
  if (exists && condition.ifMatchLastModifiedTime !== undefined) {
    // Timestamps travel with second precision.
    const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);
    if (seconds(current.lastModified) !== seconds(condition.ifMatchLastModifiedTime)) throw failed('x-amz-if-match-last-modified-time');
  }
  if (exists && condition.ifMatchSize !== undefined && current.size !== condition.ifMatchSize) {
    throw failed('x-amz-if-match-size');
  }
  const ifNoneMatch = condition.ifNoneMatch;
  if (exists && ifNoneMatch !== undefined && ifNoneMatch !== false) {
    if (ifNoneMatch === true || unquote(ifNoneMatch) === '*' || unquote(ifNoneMatch) === unquote(current.etag)) {
      throw failed('If-None-Match');
    }
  }
}
