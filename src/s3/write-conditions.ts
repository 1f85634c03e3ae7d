// Conditional writes and deletes as requests state them: If-Match / If-None-Match on PutObject, CopyObject and
// CompleteMultipartUpload, and If-Match / x-amz-if-match-last-modified-time / x-amz-if-match-size on
// DeleteObject (DeleteObjects carries the same three per key in its XML). The rules themselves live in one
// place, storage/write-condition.ts, which the index applies again inside its transaction.
import { S3Error } from '../errors/s3-error.js';
import type { WriteCondition } from '../storage/metadata-index.js';
import { checkWriteCondition } from '../storage/write-condition.js';
import { parseHttpDate } from './conditions.js';
import type { S3Context } from './context.js';
import { nonNegativeInteger } from './request-params.js';
import { unquoteEtag } from './wire-format.js';

/** If-None-Match (`*` or an ETag) and If-Match (an ETag or `*`) of a write. */
export function writeConditionFrom(headers: Map<string, string>): WriteCondition | undefined {
  const ifNoneMatch = headers.get('if-none-match')?.trim();
  const ifMatch = headers.get('if-match')?.trim();
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  const condition: WriteCondition = {};
  if (ifNoneMatch !== undefined) condition.ifNoneMatch = ifNoneMatch === '*' ? true : unquoteEtag(ifNoneMatch);
  if (ifMatch !== undefined) condition.ifMatch = ifMatch === '*' ? '*' : unquoteEtag(ifMatch);
  return condition;
}

/** The conditions of a delete as values: from DeleteObject's headers or a DeleteObjects entry. */
export function deleteCondition(values: { ifMatch?: string; lastModifiedTime?: string; size?: string }, names = DELETE_HEADERS): WriteCondition | undefined {
  const condition: WriteCondition = {};
  if (values.ifMatch !== undefined) condition.ifMatch = values.ifMatch.trim() === '*' ? '*' : unquoteEtag(values.ifMatch.trim());
  if (values.lastModifiedTime !== undefined) {
    const ms = parseHttpDate(values.lastModifiedTime);
    if (ms === undefined) {
      throw new S3Error('InvalidArgument', { message: `Invalid ${names.lastModifiedTime}`, fields: { ArgumentName: names.lastModifiedTime, ArgumentValue: values.lastModifiedTime } });
    }
    condition.ifMatchLastModifiedTime = new Date(ms);
  }
  if (values.size !== undefined) condition.ifMatchSize = nonNegativeInteger(values.size.trim(), names.size, 0);
  return Object.keys(condition).length === 0 ? undefined : condition;
}

const DELETE_HEADERS = { lastModifiedTime: 'x-amz-if-match-last-modified-time', size: 'x-amz-if-match-size' };

export function deleteConditionFrom(headers: Map<string, string>): WriteCondition | undefined {
  return deleteCondition({
    ifMatch: headers.get('if-match'),
    lastModifiedTime: headers.get('x-amz-if-match-last-modified-time'),
    size: headers.get('x-amz-if-match-size'),
  });
}

/** Fails early, before any byte is read, when a write condition already cannot hold; the commit re-checks atomically. */
export async function precheckCondition(ctx: S3Context, condition: WriteCondition | undefined): Promise<void> {
  if (condition === undefined) return;
  const current = await ctx.index.getObject(ctx.bucket, ctx.key);
  checkWriteCondition(ctx.key, current, condition);
}
