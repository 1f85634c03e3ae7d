import { describe, expect, it } from 'vitest';
import { resolveOperation, type TargetLevel } from './operations.js';

function route(method: string, level: TargetLevel, query = '', headers: Record<string, string> = {}) {
  return resolveOperation({ method, level, query: new URLSearchParams(query), headers: new Map(Object.entries(headers)) });
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
