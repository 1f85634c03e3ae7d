// PutBucketCors, GetBucketCors, DeleteBucketCors: which cross-origin browser requests the bucket answers.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html
import { S3Error } from '../../errors/s3-error.js';
import { verifyBodyDigest } from '../checksums/small-body-digest.js';
import type { S3Context } from '../context.js';
import { corsDocument, parseCorsConfiguration } from '../cors.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';

export async function putBucketCors(ctx: S3Context): Promise<S3Response> {
  const body = await ctx.readSmallBody();
  await verifyBodyDigest(ctx, body);
  await ctx.index.patchBucket(ctx.bucket, { cors: parseCorsConfiguration(body) });
  return emptyResponse(200);
}

export async function getBucketCors(ctx: S3Context): Promise<S3Response> {
  const rules = ctx.bucketRecord?.cors;
  if (rules === undefined) throw new S3Error('NoSuchCORSConfiguration', { fields: { BucketName: ctx.bucket } });
  return xmlResponse('CORSConfiguration', corsDocument(rules));
}

export async function deleteBucketCors(ctx: S3Context): Promise<S3Response> {
  await ctx.index.patchBucket(ctx.bucket, { cors: null });
  return emptyResponse(204);
}
