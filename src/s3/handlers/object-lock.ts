// PutObjectLockConfiguration, GetObjectLockConfiguration, PutObjectRetention, GetObjectRetention,
// PutObjectLegalHold, GetObjectLegalHold.
import { S3Error } from '../../errors/s3-error.js';
import type { DefaultRetention, Retention } from '../../storage/metadata-index.js';
import { decodeXml, listOf, textOf } from '../../xml/decode.js';
import type { ObjectLockConfiguration, ObjectLockLegalHold, ObjectLockRetention } from '../../xml/shapes.js';
import { verifyBodyDigest } from '../checksums/small-body-digest.js';
import type { S3Context } from '../context.js';
import { lockOverride, parseRetainUntil, parseRetentionMode } from '../object-lock-request.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';
import { parseVersionId, requestedObject, versionHeaders } from '../versions.js';

function requireLockEnabled(ctx: S3Context): void {
  if (!ctx.bucketRecord!.objectLockEnabled) throw new S3Error('InvalidRequest', { message: 'Bucket is missing Object Lock Configuration' });
}

/** Lock bodies must carry a digest (Content-MD5 or x-amz-checksum-*), as S3 requires. */
async function digestedBody(ctx: S3Context): Promise<Buffer> {
  const body = await ctx.readSmallBody();
  await verifyBodyDigest(ctx, body);
  return body;
}

function positiveInteger(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) === 0) {
    throw new S3Error('InvalidArgument', { message: 'Default retention period must be a positive integer value.', fields: { ArgumentName: 'DefaultRetention' } });
  }
  return Number(raw);
}

export async function putObjectLockConfiguration(ctx: S3Context): Promise<S3Response> {
  const bucket = ctx.bucketRecord!;
  const doc = decodeXml((await digestedBody(ctx)).toString('utf8'), 'ObjectLockConfiguration');
  if (textOf(doc.ObjectLockEnabled) !== 'Enabled') throw new S3Error('MalformedXML');
  let defaultRetention: DefaultRetention | null = null;
  const rule = listOf(doc.Rule)[0];
  if (rule !== undefined) {
    const retention = listOf(rule.DefaultRetention)[0];
    if (retention === undefined) throw new S3Error('MalformedXML');
    const days = positiveInteger(textOf(retention.Days));
    const years = positiveInteger(textOf(retention.Years));
    if ((days === undefined) === (years === undefined)) throw new S3Error('MalformedXML');
    defaultRetention = { mode: parseRetentionMode(textOf(retention.Mode), 'Mode'), ...(days !== undefined ? { days } : { years }) };
  }
  // Object Lock may be turned on for an existing bucket only once versioning is Enabled; never off.
  if (!bucket.objectLockEnabled && bucket.versioning !== 'Enabled') {
    throw new S3Error('InvalidBucketState', { message: "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration" });
  }
  await ctx.index.patchBucket(ctx.bucket, { objectLockEnabled: true, defaultRetention });
  return emptyResponse(200);
}

export async function getObjectLockConfiguration(ctx: S3Context): Promise<S3Response> {
  const bucket = ctx.bucketRecord!;
  if (!bucket.objectLockEnabled) throw new S3Error('ObjectLockConfigurationNotFoundError', { fields: { BucketName: ctx.bucket } });
  const retention = bucket.defaultRetention;
  const doc: ObjectLockConfiguration = {
    ObjectLockEnabled: 'Enabled',
    ...(retention
      ? { Rule: { DefaultRetention: { Mode: retention.mode, ...(retention.days !== undefined ? { Days: retention.days } : { Years: retention.years }) } } }
      : {}),
  };
  return xmlResponse('ObjectLockConfiguration', doc);
}

export async function putObjectRetention(ctx: S3Context): Promise<S3Response> {
  requireLockEnabled(ctx);
  const doc = decodeXml((await digestedBody(ctx)).toString('utf8'), 'Retention');
  const mode = textOf(doc.Mode);
  const until = textOf(doc.RetainUntilDate);
  let retention: Retention | undefined;
  if (mode !== undefined || until !== undefined) {
    if (mode === undefined || until === undefined) throw new S3Error('MalformedXML');
    retention = { mode: parseRetentionMode(mode, 'Mode'), retainUntil: parseRetainUntil(until, ctx.now, 'RetainUntilDate') };
  }
  const record = await requestedObject(ctx);
  await ctx.index.putRetention(ctx.bucket, ctx.key, parseVersionId(ctx.query.get('versionId')), retention, await lockOverride(ctx));
  return emptyResponse(200, versionHeaders(record, ctx.bucketRecord));
}

export async function getObjectRetention(ctx: S3Context): Promise<S3Response> {
  requireLockEnabled(ctx);
  const record = await requestedObject(ctx);
  if (record.retention === undefined) throw new S3Error('NoSuchObjectLockConfiguration');
  const doc: ObjectLockRetention = { Mode: record.retention.mode, RetainUntilDate: record.retention.retainUntil.toISOString() };
  return xmlResponse('Retention', doc, 200, versionHeaders(record, ctx.bucketRecord));
}

export async function putObjectLegalHold(ctx: S3Context): Promise<S3Response> {
  requireLockEnabled(ctx);
  const doc = decodeXml((await digestedBody(ctx)).toString('utf8'), 'LegalHold');
  const status = textOf(doc.Status);
  if (status !== 'ON' && status !== 'OFF') throw new S3Error('MalformedXML');
  const record = await requestedObject(ctx);
  await ctx.index.putLegalHold(ctx.bucket, ctx.key, parseVersionId(ctx.query.get('versionId')), status === 'ON');
  return emptyResponse(200, versionHeaders(record, ctx.bucketRecord));
}

export async function getObjectLegalHold(ctx: S3Context): Promise<S3Response> {
  requireLockEnabled(ctx);
  const record = await requestedObject(ctx);
  const doc: ObjectLockLegalHold = { Status: record.legalHold ? 'ON' : 'OFF' };
  return xmlResponse('LegalHold', doc, 200, versionHeaders(record, ctx.bucketRecord));
}
