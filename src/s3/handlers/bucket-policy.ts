// PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy, GetBucketPolicyStatus.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html
import { S3Error } from '../../errors/s3-error.js';
import { parsePolicy } from '../../policy/document.js';
import { isPolicyError } from '../../policy/errors.js';
import { isPublicPolicy } from '../../policy/public.js';
import type { PolicyStatus } from '../../xml/shapes.js';
import { verifyBodyDigest } from '../checksums/small-body-digest.js';
import type { S3Context } from '../context.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';

/** S3's limit on a bucket policy document. */
const MAX_POLICY_BYTES = 20 * 1024;

function storedPolicy(ctx: S3Context): string {
  const policy = ctx.bucketRecord?.policy;
  if (policy === undefined) throw new S3Error('NoSuchBucketPolicy', { fields: { BucketName: ctx.bucket } });
  return policy;
}

export async function putBucketPolicy(ctx: S3Context): Promise<S3Response> {
  const body = await ctx.readSmallBody(MAX_POLICY_BYTES).catch((e: unknown) => {
    throw e instanceof S3Error && e.code === 'MalformedXML' ? new S3Error('MalformedPolicy', { message: 'Policies must not exceed 20 KB' }) : e;
  });
  await verifyBodyDigest(ctx, body, { required: false }); // checked when sent, as S3 does for this operation
  const text = body.toString('utf8');
  let doc;
  try {
    doc = parsePolicy(text, { kind: 'bucket', bucket: ctx.bucket });
  } catch (e) {
    if (isPolicyError(e)) throw new S3Error('MalformedPolicy', { message: e.message });
    throw e;
  }
  if (ctx.bucketRecord?.publicAccessBlock?.blockPublicPolicy && isPublicPolicy(doc)) {
    throw new S3Error('AccessDenied', { message: 'Public policies are blocked for this bucket (BlockPublicPolicy).' });
  }
  await ctx.index.patchBucket(ctx.bucket, { policy: text });
  return emptyResponse(204);
}

export async function getBucketPolicy(ctx: S3Context): Promise<S3Response> {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: storedPolicy(ctx) };
}

export async function deleteBucketPolicy(ctx: S3Context): Promise<S3Response> {
  await ctx.index.patchBucket(ctx.bucket, { policy: null });
  return emptyResponse(204);
}

export async function getBucketPolicyStatus(ctx: S3Context): Promise<S3Response> {
  const doc: PolicyStatus = { IsPublic: isPublicPolicy(parsePolicy(storedPolicy(ctx), { kind: 'bucket', bucket: ctx.bucket })) };
  return xmlResponse('PolicyStatus', doc);
}
