// Get/Put/DeleteObjectTagging and Get/Put/DeleteBucketTagging.
import { requestTagKeys } from '../../access/access-control.js';
import { S3Error } from '../../errors/s3-error.js';
import type { Tag } from '../../storage/metadata-index.js';
import type { Tagging } from '../../xml/shapes.js';
import type { S3Context } from '../context.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';
import { parseVersionId, requestedObject, versionHeaders } from '../versions.js';
import { tagsFromDocument } from '../tagging.js';

const MAX_BUCKET_TAGS = 50;

function taggingDocument(tags: Tag[]): Tagging {
  return { TagSet: { Tag: tags.map((t) => ({ Key: t.key, Value: t.value })) } };
}

async function requestedTags(ctx: S3Context, max: number): Promise<Tag[]> {
  return tagsFromDocument((await ctx.readSmallBody()).toString('utf8'), max);
}

export async function getObjectTagging(ctx: S3Context): Promise<S3Response> {
  const record = await requestedObject(ctx);
  return xmlResponse('Tagging', taggingDocument(record.tags), 200, versionHeaders(record, ctx.bucketRecord));
}

export async function putObjectTagging(ctx: S3Context): Promise<S3Response> {
  // Authorized here, once the body gives s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys their values.
  const tags = await requestedTags(ctx, 10);
  await ctx.access.require(ctx.action, ctx.bucket, ctx.key, requestTagKeys(tags));
  return setObjectTags(ctx, tags, 200);
}

export async function deleteObjectTagging(ctx: S3Context): Promise<S3Response> {
  return setObjectTags(ctx, [], 204);
}

async function setObjectTags(ctx: S3Context, tags: Tag[], status: number): Promise<S3Response> {
  const record = await requestedObject(ctx);
  await ctx.index.putObjectTags(ctx.bucket, ctx.key, tags, parseVersionId(ctx.query.get('versionId')));
  return emptyResponse(status, versionHeaders(record, ctx.bucketRecord));
}

export async function getBucketTagging(ctx: S3Context): Promise<S3Response> {
  const tags = ctx.bucketRecord!.tags;
  if (tags === undefined) throw new S3Error('NoSuchTagSet', { fields: { BucketName: ctx.bucket } });
  return xmlResponse('Tagging', taggingDocument(tags));
}

export async function putBucketTagging(ctx: S3Context): Promise<S3Response> {
  await ctx.index.patchBucket(ctx.bucket, { tags: await requestedTags(ctx, MAX_BUCKET_TAGS) });
  return emptyResponse(204);
}

export async function deleteBucketTagging(ctx: S3Context): Promise<S3Response> {
  await ctx.index.patchBucket(ctx.bucket, { tags: null });
  return emptyResponse(204);
}
