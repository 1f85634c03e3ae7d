import { describe, expect, it } from 'vitest';
import { S3_ACTIONS } from '../policy/actions.js';
import { actionOf, operations, resolveOperation, type TargetLevel } from './operations.js';

function route(method: string, level: TargetLevel, query = '', headers: Record<string, string> = {}) {
  return resolveOperation({ method, level, query: new URLSearchParams(query), headers: new Map(Object.entries(headers)) })?.name;
}

describe('operation table', () => {
  // Requests as they appear in the AWS S3 API reference examples.
  it.each([
    ['GET', 'service', '', {}, 'ListBuckets'],
    ['PUT', 'bucket', '', {}, 'CreateBucket'],
    ['HEAD', 'bucket', '', {}, 'HeadBucket'],
    ['DELETE', 'bucket', '', {}, 'DeleteBucket'],
    ['GET', 'bucket', 'location', {}, 'GetBucketLocation'],
    ['GET', 'bucket', 'list-type=2&prefix=a', {}, 'ListObjectsV2'],
    ['GET', 'bucket', 'prefix=a&marker=b', {}, 'ListObjects'],
    ['GET', 'bucket', 'versioning', {}, 'GetBucketVersioning'],
    ['GET', 'bucket', 'uploads', {}, 'ListMultipartUploads'],
    ['POST', 'bucket', 'delete', {}, 'DeleteObjects'],
    ['PUT', 'object', '', {}, 'PutObject'],
    ['PUT', 'object', '', { 'x-amz-copy-source': '/b/k' }, 'CopyObject'],
    ['PUT', 'object', 'partNumber=1&uploadId=x', {}, 'UploadPart'],
    ['PUT', 'object', 'partNumber=1&uploadId=x', { 'x-amz-copy-source': '/b/k' }, 'UploadPartCopy'],
    ['POST', 'object', 'uploads', {}, 'CreateMultipartUpload'],
    ['POST', 'object', 'uploadId=x', {}, 'CompleteMultipartUpload'],
    ['DELETE', 'object', 'uploadId=x', {}, 'AbortMultipartUpload'],
    ['GET', 'object', 'uploadId=x', {}, 'ListParts'],
    ['GET', 'object', '', {}, 'GetObject'],
    ['GET', 'object', 'versionId=null', {}, 'GetObject'],
    ['GET', 'object', 'tagging', {}, 'GetObjectTagging'],
    ['GET', 'object', 'attributes', {}, 'GetObjectAttributes'],
    ['HEAD', 'object', '', {}, 'HeadObject'],
    ['DELETE', 'object', '', {}, 'DeleteObject'],
  ] as const)('%s %s ?%s → %s', (method, level, query, headers, expected) => {
    expect(route(method, level, query, headers)).toBe(expected);
  });

  it('leaves unknown method/level combinations unresolved', () => {
    expect(route('PATCH', 'object')).toBeUndefined();
    expect(route('PUT', 'service')).toBeUndefined();
    expect(route('POST', 'object')).toBeUndefined();
  });
});

describe('the action column', () => {
  const find = (name: string) => operations.find((o) => o.name === name)!;
  const names = operations.map((o) => o.name);

  it.each(names)('maps %s to a known action of the routed level', (name) => {
    const row = find(name);
    for (const action of [row.action, ...('versionedAction' in row ? [row.versionedAction] : [])]) {
      if (!action.startsWith('s3:')) continue;
      // Bucket-routed requests that act on a key (multi-object delete, form upload) are authorized per object.
      const routed = name === 'DeleteObjects' || name === 'PostObject' ? 'object' : row.level;
      expect(S3_ACTIONS[action]).toBe(routed);
    }
  });

  it('has one row per operation name', () => {
    expect(new Set(names).size).toBe(names.length);
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
  ])('%s → %s (%s)', (name, action, resource) => {
    expect(find(name).action).toBe(action);
    expect(S3_ACTIONS[action]).toBe(resource);
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
  ])('%s on a version → %s', (name, action) => {
    expect(actionOf(find(name), new URLSearchParams('versionId=v1'))).toBe(action);
  });
});
