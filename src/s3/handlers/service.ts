// ListBuckets.
import type { S3Context } from '../context.js';
import { xmlResponse, type S3Response } from '../respond.js';
import { isoTime, ownerOf } from '../wire-format.js';
import type { ListAllMyBucketsResult } from '../../xml/shapes.js';

export async function listBuckets(ctx: S3Context): Promise<S3Response> {
  const prefix = ctx.query.get('prefix') ?? '';
  const all = await ctx.index.listBuckets();
  const visible = all.filter((b) => b.name.startsWith(prefix));
  const doc: ListAllMyBucketsResult = {
    Owner: ownerOf(ctx.principal.userId),
    Buckets: {
      Bucket: visible.map((b) => ({ Name: b.name, CreationDate: isoTime(b.createdAt), BucketRegion: b.region })),
    },
    ...(prefix ? { Prefix: prefix } : {}),
  };
  return xmlResponse('ListAllMyBucketsResult', doc);
}
