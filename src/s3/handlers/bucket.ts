// CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation.
import { S3Error } from '../../errors/s3-error.js';
import { decodeXml, textOf } from '../../xml/decode.js';
import { newBucketAcl } from '../request-acl.js';
import { requestedObjectOwnership } from './ownership-controls.js';
import type { S3Context } from '../context.js';
import { validateBucketName } from '../names.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';
import { deleteBlobs } from '../store-object.js';

async function requestedLocation(ctx: S3Context): Promise<string | undefined> {
  const body = await ctx.readSmallBody();
  if (body.length === 0) return undefined;
  const config = decodeXml(body.toString('utf8'), 'CreateBucketConfiguration');
  const location = textOf(config.LocationConstraint as never);
  return location === '' ? undefined : location;
}

export async function createBucket(ctx: S3Context): Promise<S3Response> {
  validateBucketName(ctx.bucket);
  const objectOwnership = await requestedObjectOwnership(ctx);
  const acl = await newBucketAcl(ctx, objectOwnership);
  // Object Lock at creation turns versioning on for good.
  const objectLock = ctx.headers.get('x-amz-bucket-object-lock-enabled')?.toLowerCase() === 'true';
  const location = await requestedLocation(ctx);
  // S3 rejects any region other than the endpoint's own: here the configured region, or when none is configured
  // the region the request was signed with (a client configured for eu-west-1 creates its buckets there).
  if (location !== undefined && location !== ctx.region) {
    throw new S3Error('InvalidLocationConstraint', {
      message: `The ${location} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      fields: { LocationConstraint: location },
    });
  }
  await ctx.index.createBucket({
    name: ctx.bucket,
    owner: ctx.principal.userId,
    region: location ?? ctx.settings.region,
    createdAt: ctx.now,
    acl,
    versioning: objectLock ? 'Enabled' : 'Unversioned',
    ...(objectLock ? { objectLockEnabled: true } : {}),
    objectOwnership,
  });
  return emptyResponse(200, { location: `/${ctx.bucket}` });
}

export async function headBucket(ctx: S3Context): Promise<S3Response> {
  return emptyResponse(200, { 'x-amz-bucket-region': ctx.bucketRecord!.region, 'x-amz-access-point-alias': 'false' });
}

export async function deleteBucket(ctx: S3Context): Promise<S3Response> {
  const orphans = await ctx.index.deleteBucket(ctx.bucket);
  await deleteBlobs(ctx, orphans);
  return emptyResponse(204);
}

export async function getBucketLocation(ctx: S3Context): Promise<S3Response> {
  // us-east-1 buckets answer with an empty LocationConstraint.
  const region = ctx.bucketRecord!.region;
  return xmlResponse('LocationConstraint', { '#text': region === 'us-east-1' ? '' : region });
}
