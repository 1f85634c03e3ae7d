import { describe, expect, it } from 'vitest';
import { operationRules } from '../http/operations.js';
import { S3_ACTIONS, resourceArn, s3ActionFor } from './actions.js';

describe('s3ActionFor', () => {
  const operations = [...new Set(operationRules.map((r) => r.op))];

  it.each(operations)('maps %s to a known action at the routed level', (op) => {
    const target = s3ActionFor(op);
    const routedLevel = operationRules.find((r) => r.op === op)?.level;
    if (target.action.startsWith('s3:')) expect(S3_ACTIONS[target.action]).toBe(target.resource);
    // Bucket-routed requests that act on a key (multi-object delete, form upload) are authorized per object.
    if (op !== 'DeleteObjects' && op !== 'PostObject') expect(target.resource).toBe(routedLevel);
  });

  it.each([
    ['GetObject', 's3:GetObject', 'object'],
    ['HeadObject', 's3:GetObject', 'object'],
    ['ListObjects', 's3:ListBucket', 'bucket'],
    ['ListObjectsV2', 's3:ListBucket', 'bucket'],
    ['HeadBucket', 's3:ListBucket', 'bucket'],
    ['ListObjectVersions', 's3:ListBucketVersions', 'bucket'],
    ['ListMultipartUploads', 's3:ListBucketMultipartUploads', 'bucket'],
    ['CreateMultipartUpload', 's3:PutObject', 'object'],
    ['UploadPart', 's3:PutObject', 'object'],
    ['UploadPartCopy', 's3:PutObject', 'object'],
    ['CompleteMultipartUpload', 's3:PutObject', 'object'],
    ['PutObject', 's3:PutObject', 'object'],
    ['CopyObject', 's3:PutObject', 'object'],
    ['AbortMultipartUpload', 's3:AbortMultipartUpload', 'object'],
    ['ListParts', 's3:ListMultipartUploadParts', 'object'],
    ['DeleteObject', 's3:DeleteObject', 'object'],
    ['DeleteObjects', 's3:DeleteObject', 'object'],
    ['GetObjectTagging', 's3:GetObjectTagging', 'object'],
    ['GetObjectAttributes', 's3:GetObjectAttributes', 'object'],
    ['ListBuckets', 's3:ListAllMyBuckets', 'service'],
    ['CreateBucket', 's3:CreateBucket', 'bucket'],
    ['DeleteBucket', 's3:DeleteBucket', 'bucket'],
    ['GetBucketPolicy', 's3:GetBucketPolicy', 'bucket'],
    ['PutBucketPolicy', 's3:PutBucketPolicy', 'bucket'],
    ['DeleteBucketPolicy', 's3:DeleteBucketPolicy', 'bucket'],
    ['GetBucketPolicyStatus', 's3:GetBucketPolicyStatus', 'bucket'],
    ['GetBucketAcl', 's3:GetBucketAcl', 'bucket'],
    ['PutBucketAcl', 's3:PutBucketAcl', 'bucket'],
    ['GetObjectAcl', 's3:GetObjectAcl', 'object'],
    ['PutObjectAcl', 's3:PutObjectAcl', 'object'],
    ['GetPublicAccessBlock', 's3:GetBucketPublicAccessBlock', 'bucket'],
    ['PutPublicAccessBlock', 's3:PutBucketPublicAccessBlock', 'bucket'],
    ['DeletePublicAccessBlock', 's3:PutBucketPublicAccessBlock', 'bucket'],
    ['GetBucketEncryption', 's3:GetEncryptionConfiguration', 'bucket'],
    ['PutBucketEncryption', 's3:PutEncryptionConfiguration', 'bucket'],
    ['DeleteBucketEncryption', 's3:PutEncryptionConfiguration', 'bucket'],
    ['GetBucketTagging', 's3:GetBucketTagging', 'bucket'],
    ['PutBucketTagging', 's3:PutBucketTagging', 'bucket'],
    ['DeleteBucketTagging', 's3:PutBucketTagging', 'bucket'],
    ['GetBucketVersioning', 's3:GetBucketVersioning', 'bucket'],
    ['PutBucketVersioning', 's3:PutBucketVersioning', 'bucket'],
    ['GetBucketLocation', 's3:GetBucketLocation', 'bucket'],
    ['DeleteBucketCors', 's3:PutBucketCORS', 'bucket'],
    ['DeleteBucketLifecycle', 's3:PutLifecycleConfiguration', 'bucket'],
  ])('%s → %s (%s)', (op, action, resource) => {
    expect(s3ActionFor(op)).toEqual({ action, resource });
  });

  it.each([
    ['GetObject', 's3:GetObjectVersion'],
    ['HeadObject', 's3:GetObjectVersion'],
    ['DeleteObject', 's3:DeleteObjectVersion'],
    ['DeleteObjects', 's3:DeleteObjectVersion'],
    ['GetObjectAcl', 's3:GetObjectVersionAcl'],
    ['PutObjectAcl', 's3:PutObjectVersionAcl'],
    ['GetObjectTagging', 's3:GetObjectVersionTagging'],
    ['PutObject', 's3:PutObject'],
  ])('%s on a version → %s', (op, action) => {
    expect(s3ActionFor(op, { versioned: true }).action).toBe(action);
  });

  it('throws for an unknown operation', () => {
    expect(() => s3ActionFor('FlyToTheMoon')).toThrow(/FlyToTheMoon/);
    expect(() => s3ActionFor('toString')).toThrow();
  });
});

describe('resourceArn', () => {
  it.each([
    [undefined, undefined, '*'],
    ['b', undefined, 'arn:aws:s3:::b'],
    ['b', 'k', 'arn:aws:s3:::b/k'],
    ['b', 'a/b c', 'arn:aws:s3:::b/a/b c'],
    ['b', '', 'arn:aws:s3:::b/'],
  ])('%s %s → %s', (bucket, key, arn) => {
    expect(resourceArn(bucket, key)).toBe(arn);
  });
});
