// ListBuckets.
import { S3Error } from '../../errors/s3-error.js';
import type { S3Context } from '../context.js';
import { xmlResponse, type S3Response } from '../respond.js';
import { isoTime, ownerOf } from '../wire-format.js';
import type { ListAllMyBucketsResult } from '../../xml/shapes.js';

export async function listBuckets(ctx: S3Context): Promise<S3Response> {
  if (ctx.principal.anonymous) throw new S3Error('AccessDenied');
  const prefix = ctx.query.get('prefix') ?? '';
  const all = await ctx.index.listBuckets();
  // A user sees the buckets it owns; root, and users whose policy allows s3:ListAllMyBuckets, see all.
  const seesAll = ctx.principal.isRoot || (await ctx.access.allows('s3:ListAllMyBuckets', ''));
  const visible = all.filter((b) => (seesAll || b.owner === ctx.principal.userId) && b.name.startsWith(prefix));
  const doc: ListAllMyBucketsResult = {
    Owner: ownerOf(ctx.principal.userId),
    Buckets: {
      Bucket: visible.map((b) => ({ Name: b.name, CreationDate: isoTime(b.createdAt), BucketRegion: b.region })),
    },
    ...(prefix ? { Prefix: prefix } : {}),
  };
  return xmlResponse('ListAllMyBucketsResult', doc);
}
