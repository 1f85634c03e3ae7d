// Tags sent with a write (x-amz-tagging on PutObject, CopyObject with REPLACE, CreateMultipartUpload) are a
// tagging of the new object: S3 authorizes them as s3:PutObjectTagging besides the write itself, with the
// request's tags as s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys.
import { requestTagKeys } from '../access/access-control.js';
import type { Tag } from '../storage/metadata-index.js';
import type { S3Context } from './context.js';

export async function requireTaggingPermission(ctx: S3Context, tags: readonly Tag[]): Promise<void> {
  if (tags.length === 0 && !ctx.headers.has('x-amz-tagging')) return;
  await ctx.access.require('s3:PutObjectTagging', ctx.bucket, ctx.key, requestTagKeys(tags));
}
