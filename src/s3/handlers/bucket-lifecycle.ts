// PutBucketLifecycleConfiguration (and the older PutBucketLifecycle: same sub-resource, rule-level Prefix),
// GetBucketLifecycleConfiguration, DeleteBucketLifecycle. The rules are enforced by the lifecycle worker.
import { S3Error } from '../../errors/s3-error.js';
import { verifyBodyDigest } from '../checksums/small-body-digest.js';
import type { S3Context } from '../context.js';
import { lifecycleDocument, parseLifecycleConfiguration } from '../lifecycle-configuration.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';

/** S3 reports the minimum size it transitions; nothing transitions here, so its default is all there is to say. */
const TRANSITION_MINIMUM = { 'x-amz-transition-default-minimum-object-size': 'all_storage_classes_128K' };

export async function putBucketLifecycleConfiguration(ctx: S3Context): Promise<S3Response> {
  const body = await ctx.readSmallBody();
  await verifyBodyDigest(ctx, body);
  const lifecycle = parseLifecycleConfiguration(body.toString('utf8'));
  await ctx.index.patchBucket(ctx.bucket, { lifecycle });
  return emptyResponse(200, TRANSITION_MINIMUM);
}

export async function getBucketLifecycleConfiguration(ctx: S3Context): Promise<S3Response> {
  const lifecycle = ctx.bucketRecord?.lifecycle;
  if (lifecycle === undefined) throw new S3Error('NoSuchLifecycleConfiguration', { fields: { BucketName: ctx.bucket } });
  return xmlResponse('LifecycleConfiguration', lifecycleDocument(lifecycle), 200, TRANSITION_MINIMUM);
}

export async function deleteBucketLifecycle(ctx: S3Context): Promise<S3Response> {
  await ctx.index.patchBucket(ctx.bucket, { lifecycle: null });
  return emptyResponse(204);
}
