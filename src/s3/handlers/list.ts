// ListObjects (v1) and ListObjectsV2.
import type { ListPage, ObjectSummary } from '../../storage/metadata-index.js';
import type { ListBucketResult, ListedObject } from '../../xml/shapes.js';
import type { S3Context } from '../context.js';
import { decodeContinuationToken, encodeContinuationToken } from '../continuation-token.js';
import { xmlResponse, type S3Response } from '../respond.js';
import { listEncoding, nonNegativeInteger, requireXmlListable } from '../request-params.js';
import { isoTime, ownerOf, quoteEtag } from '../wire-format.js';
import { objectOwner } from '../../access/object-ownership.js';

const MAX_KEYS = 1000;

interface ListParams {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  encode: (value: string) => string;
  urlEncoded: boolean;
}

function listParams(ctx: S3Context): ListParams {
  return {
    prefix: ctx.query.get('prefix') ?? '',
    delimiter: ctx.query.get('delimiter') ?? '',
    maxKeys: nonNegativeInteger(ctx.query.get('max-keys'), 'max-keys', MAX_KEYS, MAX_KEYS),
    ...listEncoding(ctx.query),
  };
}

/** `owner`: the listed object's owner as the bucket's Object Ownership makes it, when the listing shows owners. */
function listedObject(o: ObjectSummary, p: ListParams, owner: ((recorded: string) => string) | undefined): ListedObject {
  return {
    Key: p.encode(o.key),
    LastModified: isoTime(o.lastModified),
    ETag: quoteEtag(o.etag),
    ...(o.checksumAlgorithm ? { ChecksumAlgorithm: o.checksumAlgorithm, ChecksumType: o.checksumType } : {}),
    Size: o.size,
    ...(owner ? { Owner: ownerOf(owner(o.owner)) } : {}),
    StorageClass: o.storageClass,
  };
}

/** Every value a listing answer carries as text, besides names sklad makes itself. */
function* listedValues(p: ListParams, page: ListPage, ...echoed: string[]): Iterable<string> {
  yield p.prefix;
  yield p.delimiter;
  yield* echoed;
  for (const o of page.objects) yield o.key;
  yield* page.commonPrefixes;
}

function commonFields(ctx: S3Context, p: ListParams, page: ListPage, withOwner: boolean) {
  return {
    Name: ctx.bucket,
    Prefix: p.encode(p.prefix),
    MaxKeys: p.maxKeys,
    ...(p.delimiter ? { Delimiter: p.encode(p.delimiter) } : {}),
    ...(p.urlEncoded ? { EncodingType: 'url' } : {}),
    IsTruncated: page.isTruncated,
    Contents: page.objects.map((o) => listedObject(o, p, withOwner ? (recorded) => objectOwner(ctx.bucketRecord!, recorded) : undefined)),
    CommonPrefixes: page.commonPrefixes.map((prefix) => ({ Prefix: p.encode(prefix) })),
  };
}

export async function listObjects(ctx: S3Context): Promise<S3Response> {
  const p = listParams(ctx);
  const marker = ctx.query.get('marker') ?? '';
  const page = await ctx.index.list({ bucket: ctx.bucket, prefix: p.prefix, delimiter: p.delimiter, after: marker, maxKeys: p.maxKeys });
  requireXmlListable(p, listedValues(p, page, marker));
  const doc: ListBucketResult = {
    ...commonFields(ctx, p, page, true),
    Marker: p.encode(marker),
    // S3 documents NextMarker only with a delimiter; clients without one use the last key, which is the same value.
    ...(page.isTruncated && page.nextAfter !== undefined ? { NextMarker: p.encode(page.nextAfter) } : {}),
  };
  return xmlResponse('ListBucketResult', doc);
}

export async function listObjectsV2(ctx: S3Context): Promise<S3Response> {
  const p = listParams(ctx);
  const rawToken = ctx.query.get('continuation-token');
  const tokenAfter = decodeContinuationToken(rawToken);
  const token = tokenAfter === undefined ? undefined : rawToken;
  const startAfter = ctx.query.get('start-after') ?? '';
  // Bytewise (UTF-8) order, as keys are listed; JS string comparison would use UTF-16 order.
  const after = tokenAfter !== undefined && Buffer.compare(Buffer.from(tokenAfter), Buffer.from(startAfter)) > 0 ? tokenAfter : startAfter;
  const page = await ctx.index.list({ bucket: ctx.bucket, prefix: p.prefix, delimiter: p.delimiter, after, maxKeys: p.maxKeys });
  requireXmlListable(p, listedValues(p, page, startAfter));
  const doc: ListBucketResult = {
    ...commonFields(ctx, p, page, ctx.query.get('fetch-owner') === 'true'),
    KeyCount: page.objects.length + page.commonPrefixes.length,
    ...(token ? { ContinuationToken: token } : {}),
    ...(startAfter ? { StartAfter: p.encode(startAfter) } : {}),
    ...(page.isTruncated && page.nextAfter !== undefined ? { NextContinuationToken: encodeContinuationToken(page.nextAfter) } : {}),
  };
  return xmlResponse('ListBucketResult', doc);
}
