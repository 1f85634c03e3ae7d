// ListBuckets.
import { S3Error } from '../../errors/s3-error.js';
import type { S3Context } from '../context.js';
import { decodeContinuationToken, encodeContinuationToken } from '../continuation-token.js';
import { xmlResponse, type S3Response } from '../respond.js';
import { isoTime, ownerOf } from '../wire-format.js';
import type { ListAllMyBucketsResult } from '../../xml/shapes.js';

/** S3's page size when a paginated ListBuckets asks for none, and the largest max-buckets it accepts. */
const MAX_BUCKETS = 10_000;

function maxBucketsFrom(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!/^\d{1,6}$/.test(raw) || n < 1 || n > MAX_BUCKETS) {
    throw new S3Error('InvalidArgument', {
      message: `Argument max-buckets must be an integer between 1 and ${MAX_BUCKETS}`,
      fields: { ArgumentName: 'max-buckets', ArgumentValue: raw },
    });
  }
  return n;
}

export async function listBuckets(ctx: S3Context): Promise<S3Response> {
  const prefix = ctx.query.get('prefix') ?? '';
  const region = ctx.query.get('bucket-region');
  const maxBuckets = maxBucketsFrom(ctx.query.get('max-buckets'));
  const after = decodeContinuationToken(ctx.query.get('continuation-token'));
  // Without any of the 2024 parameters S3 answers every bucket in one page, as it always did.
  const paginated = maxBuckets !== undefined || after !== undefined || prefix !== '' || region !== null;
  const all = await ctx.index.listBuckets();
  // Names are ASCII (bucket naming rules), so string order is S3's byte order.
  const visible = all.filter((b) =>
    b.name.startsWith(prefix) &&
    (region === null || b.region === region) &&
    (after === undefined || b.name > after));
  const page = paginated ? visible.slice(0, maxBuckets ?? MAX_BUCKETS) : visible;
  const last = page.at(-1);
  const doc: ListAllMyBucketsResult = {
    Owner: ownerOf(ctx.principal.userId),
    Buckets: {
      Bucket: page.map((b) => ({ Name: b.name, CreationDate: isoTime(b.createdAt), BucketRegion: b.region })),
    },
    ...(page.length < visible.length && last ? { ContinuationToken: encodeContinuationToken(last.name) } : {}),
    ...(prefix ? { Prefix: prefix } : {}),
  };
  return xmlResponse('ListAllMyBucketsResult', doc);
}
