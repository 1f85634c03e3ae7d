// PutPublicAccessBlock, GetPublicAccessBlock, DeletePublicAccessBlock: the bucket-level switches that keep
// ACLs and policies from making a bucket public. Enforced in request-acl.ts, bucket-policy.ts and policy/decide.ts.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html
import { S3Error } from '../../errors/s3-error.js';
import type { PublicAccessBlockConfig } from '../../storage/metadata-index.js';
import { decodeXml, textOf } from '../../xml/decode.js';
import type { PublicAccessBlockConfiguration } from '../../xml/shapes.js';
import { verifyBodyDigest } from '../checksums/small-body-digest.js';
import type { S3Context } from '../context.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';

const SWITCHES = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

function flag(value: string | undefined): boolean {
  if (value === undefined) return false;
  const lower = value.toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw new S3Error('MalformedXML');
  return lower === 'true';
}

export async function putPublicAccessBlock(ctx: S3Context): Promise<S3Response> {
  const body = await ctx.readSmallBody();
  await verifyBodyDigest(ctx, body, { required: false }); // checked when sent, as S3 does for this operation
  const doc = decodeXml(body.toString('utf8'), 'PublicAccessBlockConfiguration');
  const [blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets] = SWITCHES.map((name) => flag(textOf(doc[name])));
  const config: PublicAccessBlockConfig = {
    blockPublicAcls: blockPublicAcls!,
    ignorePublicAcls: ignorePublicAcls!,
    blockPublicPolicy: blockPublicPolicy!,
    restrictPublicBuckets: restrictPublicBuckets!,
  };
  await ctx.index.patchBucket(ctx.bucket, { publicAccessBlock: config });
  return emptyResponse(200);
}

export async function getPublicAccessBlock(ctx: S3Context): Promise<S3Response> {
  const config = ctx.bucketRecord?.publicAccessBlock;
  if (config === undefined) throw new S3Error('NoSuchPublicAccessBlockConfiguration', { fields: { BucketName: ctx.bucket } });
  const doc: PublicAccessBlockConfiguration = {
    BlockPublicAcls: config.blockPublicAcls,
    IgnorePublicAcls: config.ignorePublicAcls,
    BlockPublicPolicy: config.blockPublicPolicy,
    RestrictPublicBuckets: config.restrictPublicBuckets,
  };
  return xmlResponse('PublicAccessBlockConfiguration', doc);
}

export async function deletePublicAccessBlock(ctx: S3Context): Promise<S3Response> {
  await ctx.index.patchBucket(ctx.bucket, { publicAccessBlock: null });
  return emptyResponse(204);
}
