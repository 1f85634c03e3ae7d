// PutBucketVersioning, GetBucketVersioning, ListObjectVersions.
import { S3Error } from '../../errors/s3-error.js';
import type { VersionSummary } from '../../storage/metadata-index.js';
import { decodeXml, textOf } from '../../xml/decode.js';
import type { ListedDeleteMarker, ListedVersion, ListVersionsResult, VersioningConfiguration } from '../../xml/shapes.js';
import { verifyBodyDigest } from '../checksums/small-body-digest.js';
import type { S3Context } from '../context.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';
import { listEncoding, nonNegativeInteger, requireXmlListable, type ListEncoding } from '../request-params.js';
import { parseVersionId } from '../versions.js';
import { isoTime, ownerOf, quoteEtag } from '../wire-format.js';
import { objectOwner } from '../../access/object-ownership.js';

export async function getBucketVersioning(ctx: S3Context): Promise<S3Response> {
  const state = ctx.bucketRecord!.versioning;
  // A bucket never versioned answers an empty configuration; MfaDelete is shown only once configured, never here.
  const doc: VersioningConfiguration = state === 'Unversioned' ? {} : { Status: state };
  return xmlResponse('VersioningConfiguration', doc);
}

/**
 * Enabled or Suspended; a bucket never goes back to unversioned. A bucket with Object Lock stays Enabled. This
 * server has no MFA devices, so MFA delete cannot be turned on (Disabled is accepted, as it changes nothing).
 */
export async function putBucketVersioning(ctx: S3Context): Promise<S3Response> {
  const body = await ctx.readSmallBody();
  await verifyBodyDigest(ctx, body, { required: false });
  const doc = decodeXml(body.toString('utf8'), 'VersioningConfiguration');
  const status = textOf(doc.Status);
  const mfaDelete = textOf(doc.MfaDelete);
  if ((status !== undefined && status !== 'Enabled' && status !== 'Suspended') || (mfaDelete !== undefined && mfaDelete !== 'Enabled' && mfaDelete !== 'Disabled')) {
    throw new S3Error('MalformedXML');
  }
  if (mfaDelete === 'Enabled' || ctx.headers.has('x-amz-mfa')) {
    throw new S3Error('NotImplemented', { message: 'MFA delete is not supported: this server has no MFA devices.' });
  }
  if (status === undefined) return emptyResponse(200);
  if (status === 'Suspended' && ctx.bucketRecord!.objectLockEnabled) {
    throw new S3Error('InvalidBucketState', { message: 'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.' });
  }
  await ctx.index.patchBucket(ctx.bucket, { versioning: status });
  return emptyResponse(200);
}

const MAX_KEYS = 1000;

/** `owner` maps a recorded owner to the one the bucket's Object Ownership shows (the bucket owner when enforced). */
function listedMarker(v: VersionSummary, encoding: ListEncoding, owner: (recorded: string) => string): ListedDeleteMarker {
  return { Key: encoding.encode(v.key), VersionId: v.versionId, IsLatest: v.isLatest, LastModified: isoTime(v.lastModified), Owner: ownerOf(owner(v.owner)) };
}

function listedVersion(v: VersionSummary, encoding: ListEncoding, owner: (recorded: string) => string): ListedVersion {
  return {
    Key: encoding.encode(v.key),
    VersionId: v.versionId,
    IsLatest: v.isLatest,
    LastModified: isoTime(v.lastModified),
    ETag: quoteEtag(v.etag),
    ...(v.checksumAlgorithm ? { ChecksumAlgorithm: v.checksumAlgorithm, ChecksumType: v.checksumType } : {}),
    Size: v.size,
    StorageClass: v.storageClass,
    Owner: ownerOf(owner(v.owner)),
  };
}

export async function listObjectVersions(ctx: S3Context): Promise<S3Response> {
  const encoding = listEncoding(ctx.query);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const keyMarker = ctx.query.get('key-marker') ?? '';
  const rawVersionIdMarker = ctx.query.get('version-id-marker') ?? '';
  const maxKeys = nonNegativeInteger(ctx.query.get('max-keys'), 'max-keys', MAX_KEYS, MAX_KEYS);
  if (rawVersionIdMarker !== '' && keyMarker === '') {
    throw new S3Error('InvalidArgument', {
      message: 'A version-id marker cannot be specified without a key marker.',
      fields: { ArgumentName: 'version-id-marker', ArgumentValue: rawVersionIdMarker },
    });
  }
  const versionIdMarker = rawVersionIdMarker === '' ? '' : (parseVersionId(rawVersionIdMarker) ?? '');
  const page = await ctx.index.listVersions({ bucket: ctx.bucket, prefix, delimiter, keyMarker, versionIdMarker, maxKeys });
  requireXmlListable(encoding, [
    prefix, delimiter, keyMarker, ...page.versions.map((v) => v.key), ...page.commonPrefixes, ...(page.nextKeyMarker !== undefined ? [page.nextKeyMarker] : []),
  ]);
  const owner = (recorded: string): string => objectOwner(ctx.bucketRecord!, recorded);
  const doc: ListVersionsResult = {
    Name: ctx.bucket,
    Prefix: encoding.encode(prefix),
    KeyMarker: encoding.encode(keyMarker),
    VersionIdMarker: versionIdMarker,
    ...(page.nextKeyMarker !== undefined ? { NextKeyMarker: encoding.encode(page.nextKeyMarker) } : {}),
    ...(page.nextVersionIdMarker !== undefined ? { NextVersionIdMarker: page.nextVersionIdMarker } : {}),
    MaxKeys: maxKeys,
    ...(delimiter ? { Delimiter: encoding.encode(delimiter) } : {}),
    ...(encoding.urlEncoded ? { EncodingType: 'url' } : {}),
    IsTruncated: page.isTruncated,
    Version: page.versions.filter((v) => !v.deleteMarker).map((v) => listedVersion(v, encoding, owner)),
    DeleteMarker: page.versions.filter((v) => v.deleteMarker).map((v) => listedMarker(v, encoding, owner)),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encoding.encode(p) })),
  };
  return xmlResponse('ListVersionsResult', doc);
}
