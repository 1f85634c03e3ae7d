// PutBucketOwnershipControls, GetBucketOwnershipControls, DeleteBucketOwnershipControls, and the
// x-amz-object-ownership header of CreateBucket: the bucket's S3 Object Ownership setting, which decides who owns
// new objects and whether ACLs count (access/object-ownership.ts, request-acl.ts, policy/decide.ts).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
import { DEFAULT_OBJECT_OWNERSHIP, OBJECT_OWNERSHIPS } from '../../access/object-ownership.js';
import { S3Error } from '../../errors/s3-error.js';
import { storedGrants } from '../../policy/acl.js';
import type { ObjectOwnership } from '../../storage/metadata-index.js';
import { decodeXml, listOf, textOf } from '../../xml/decode.js';
import type { OwnershipControls } from '../../xml/shapes.js';
import { verifyBodyDigest } from '../checksums/small-body-digest.js';
import type { S3Context } from '../context.js';
import { sharesAccess } from '../request-acl.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';

function isObjectOwnership(value: string | undefined): value is ObjectOwnership {
  return (OBJECT_OWNERSHIPS as readonly (string | undefined)[]).includes(value);
}

/**
 * CreateBucket's Object Ownership: x-amz-object-ownership, which needs s3:PutBucketOwnershipControls as on S3,
 * else the default (BucketOwnerEnforced).
 */
export async function requestedObjectOwnership(ctx: S3Context): Promise<ObjectOwnership> {
  const header = ctx.headers.get('x-amz-object-ownership');
  if (header === undefined) return DEFAULT_OBJECT_OWNERSHIP;
  if (!isObjectOwnership(header)) {
    throw new S3Error('InvalidArgument', { message: 'Invalid x-amz-object-ownership header', fields: { ArgumentName: 'x-amz-object-ownership', ArgumentValue: header } });
  }
  if (!(await ctx.access.allowsOnNewBucket('s3:PutBucketOwnershipControls', ctx.bucket))) throw new S3Error('AccessDenied');
  return header;
}

export async function putBucketOwnershipControls(ctx: S3Context): Promise<S3Response> {
  const body = await ctx.readSmallBody();
  await verifyBodyDigest(ctx, body, { required: false });
  const doc = decodeXml(body.toString('utf8'), 'OwnershipControls');
  const rules = listOf(doc.Rule);
  const value = rules.length === 1 ? textOf(rules[0]!.ObjectOwnership) : undefined;
  if (!isObjectOwnership(value)) throw new S3Error('MalformedXML');
  const bucket = ctx.bucketRecord!;
  // ACLs that share the bucket must be moved to a policy first ("Prerequisites for disabling ACLs").
  if (value === 'BucketOwnerEnforced' && sharesAccess(storedGrants(bucket.acl, bucket.owner, bucket.owner), bucket.owner)) {
    throw new S3Error('InvalidBucketAclWithObjectOwnership');
  }
  await ctx.index.patchBucket(ctx.bucket, { objectOwnership: value });
  return emptyResponse(200);
}

export async function getBucketOwnershipControls(ctx: S3Context): Promise<S3Response> {
  const ownership = ctx.bucketRecord!.objectOwnership;
  if (ownership === undefined) throw new S3Error('OwnershipControlsNotFoundError', { fields: { BucketName: ctx.bucket } });
  const doc: OwnershipControls = { Rule: { ObjectOwnership: ownership } };
  return xmlResponse('OwnershipControls', doc);
}

/** Without ownership controls a bucket behaves as ObjectWriter, as on S3. */
export async function deleteBucketOwnershipControls(ctx: S3Context): Promise<S3Response> {
  await ctx.index.patchBucket(ctx.bucket, { objectOwnership: null });
  return emptyResponse(204);
}
