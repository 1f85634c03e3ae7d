// PutBucketWebsite, GetBucketWebsite, DeleteBucketWebsite: the bucket's static website configuration.
// The website itself is served by the website endpoint (src/website/).
import { S3Error } from '../../errors/s3-error.js';
import { verifyBodyDigest } from '../checksums/small-body-digest.js';
import type { S3Context } from '../context.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';
import { parseWebsiteConfiguration, websiteDocument } from '../website.js';

export async function putBucketWebsite(ctx: S3Context): Promise<S3Response> {
  const body = await ctx.readSmallBody();
  await verifyBodyDigest(ctx, body, { required: false });
  await ctx.index.patchBucket(ctx.bucket, { website: parseWebsiteConfiguration(body) });
  return emptyResponse(200);
}

export async function getBucketWebsite(ctx: S3Context): Promise<S3Response> {
  const config = ctx.bucketRecord?.website;
  if (config === undefined) throw new S3Error('NoSuchWebsiteConfiguration', { fields: { BucketName: ctx.bucket } });
  return xmlResponse('WebsiteConfiguration', websiteDocument(config));
}

export async function deleteBucketWebsite(ctx: S3Context): Promise<S3Response> {
  await ctx.index.patchBucket(ctx.bucket, { website: null });
  return emptyResponse(204);
}
