// Evaluates S3 conditional-write headers (If-Match / If-None-Match) against the current object,
// inside an index implementation's write transaction so the check and the write are one step.
import { S3Error } from '../errors/s3-error.js';
import type { WriteCondition } from './metadata-index.js';

/** What a condition needs to know about the current object under a key. */
export interface CurrentObjectState {
  etag: string;
  deleteMarker: boolean;
}

function unquote(etag: string): string {
  const trimmed = etag.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

/**
 * Throws NoSuchKey or PreconditionFailed when `condition` does not hold. A delete marker counts as
 * no object, as for GET (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
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
    if (wanted !== '*' && wanted !== unquote(current.etag)) {
      throw new S3Error('PreconditionFailed', { fields: { Condition: 'If-Match' } });
    }
  }
  if (condition.ifNoneMatch && exists) {
    throw new S3Error('PreconditionFailed', { fields: { Condition: 'If-None-Match' } });
  }
}
