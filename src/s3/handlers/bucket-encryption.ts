// PutBucketEncryption, GetBucketEncryption, DeleteBucketEncryption: the default encryption of new objects.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html
import { S3Error } from '../../errors/s3-error.js';
import type { DefaultEncryption } from '../../storage/metadata-index.js';
import { decodeXml, listOf, textOf, type XmlNode } from '../../xml/decode.js';
import type { ServerSideEncryptionConfiguration } from '../../xml/shapes.js';
import { verifyBodyDigest } from '../checksums/small-body-digest.js';
import type { S3Context } from '../context.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';

function kmsRefused(algorithm: string): S3Error {
  return new S3Error('NotImplemented', {
    message: `Default encryption with AWS KMS keys (${algorithm}) is not supported by this server: use AES256 (SSE-S3).`,
  });
}

/** Leaf texts of an element that may repeat. */
function texts(node: XmlNode | XmlNode[] | undefined): string[] {
  if (node === undefined) return [];
  return (Array.isArray(node) ? node : [node]).map((n) => textOf(n) ?? '');
}

/** BlockedEncryptionTypes: NONE is what sklad does anyway; blocking SSE-C is not implemented. */
function checkBlockedTypes(node: XmlNode | XmlNode[] | undefined): void {
  for (const blocked of listOf(node)) {
    for (const type of texts(blocked.EncryptionType)) {
      if (type === 'SSE-C') throw new S3Error('NotImplemented', { message: 'Blocking SSE-C (BlockedEncryptionTypes) is not supported by this server.' });
      if (type !== 'NONE') throw new S3Error('MalformedXML');
    }
  }
}

function parseConfiguration(body: Buffer): DefaultEncryption {
  const doc = decodeXml(body.toString('utf8'), 'ServerSideEncryptionConfiguration');
  const rules = listOf(doc.Rule);
  // S3 takes exactly one rule: none or several is MalformedXML.
  if (rules.length !== 1) throw new S3Error('MalformedXML');
  const rule = rules[0]!;
  checkBlockedTypes(rule.BlockedEncryptionTypes);
  const bucketKey = textOf(rule.BucketKeyEnabled);
  if (bucketKey !== undefined && bucketKey !== 'true' && bucketKey !== 'false') throw new S3Error('MalformedXML');
  const byDefault = listOf(rule.ApplyServerSideEncryptionByDefault);
  if (byDefault.length > 1) throw new S3Error('MalformedXML');
  // A rule without ApplyServerSideEncryptionByDefault keeps S3's base level: SSE-S3.
  if (byDefault.length === 0) return 'AES256';
  const algorithm = textOf(byDefault[0]!.SSEAlgorithm);
  const kmsKeyId = textOf(byDefault[0]!.KMSMasterKeyID);
  if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') throw kmsRefused(algorithm);
  if (algorithm !== 'AES256') throw new S3Error('MalformedXML');
  if (kmsKeyId !== undefined) {
    throw new S3Error('InvalidArgument', {
      message: 'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
      fields: { ArgumentName: 'ApplyServerSideEncryptionByDefault' },
    });
  }
  return algorithm;
}

export async function putBucketEncryption(ctx: S3Context): Promise<S3Response> {
  const body = await ctx.readSmallBody();
  await verifyBodyDigest(ctx, body);
  await ctx.index.patchBucket(ctx.bucket, { defaultEncryption: parseConfiguration(body) });
  return emptyResponse(200);
}

/**
 * A bucket without a configuration answers ServerSideEncryptionConfigurationNotFoundError (S3 before
 * 2023); with --encrypt-all, every bucket reports the SSE-S3 default it gets, as S3 does today.
 */
export async function getBucketEncryption(ctx: S3Context): Promise<S3Response> {
  const algorithm = ctx.bucketRecord?.defaultEncryption ?? (ctx.settings.encryptAll ? 'AES256' : undefined);
  if (algorithm === undefined) throw new S3Error('ServerSideEncryptionConfigurationNotFoundError', { fields: { BucketName: ctx.bucket } });
  const doc: ServerSideEncryptionConfiguration = {
    Rule: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: algorithm }, BucketKeyEnabled: false }],
  };
  return xmlResponse('ServerSideEncryptionConfiguration', doc);
}

export async function deleteBucketEncryption(ctx: S3Context): Promise<S3Response> {
  await ctx.index.patchBucket(ctx.bucket, { defaultEncryption: null });
  return emptyResponse(204);
}
