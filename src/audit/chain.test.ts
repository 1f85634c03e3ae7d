import { describe, expect, it } from 'vitest';
import { canonicalJson, GENESIS_HASH, recordHash } from './chain.js';
import { isAudited, isDenial } from './classify.js';
import { operations } from '../s3/operations.js';

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ x: 'é"\n' })).toBe(JSON.stringify({ x: 'é"\n' }));
  });

  it('makes the hash independent of field order and dependent on every value and on prev', () => {
    const base = { seq: 1, time: 't', action: 'PutObject', principal: 'anonymous' as const, result: 'success' as const, prev: GENESIS_HASH };
    const reordered = { prev: GENESIS_HASH, result: 'success' as const, principal: 'anonymous' as const, action: 'PutObject', time: 't', seq: 1 };
    expect(recordHash(base)).toBe(recordHash(reordered));
    expect(recordHash({ ...base, action: 'DeleteObject' })).not.toBe(recordHash(base));
    expect(recordHash({ ...base, prev: '1'.repeat(64) })).not.toBe(recordHash(base));
    expect(recordHash({ ...base, hash: 'ignored' })).toBe(recordHash(base));
  });
});

describe('what the audit log keeps', () => {
  it('keeps writes and not reads, as the operation table says', () => {
    const readOnly = (name: string): boolean => operations.find((o) => o.name === name)!.readOnly;
    for (const op of ['GetObject', 'HeadObject', 'ListObjectsV2', 'ListBuckets', 'GetBucketPolicy', 'SelectObjectContent']) {
      expect(isAudited(readOnly(op), 200, undefined)).toBe(false);
    }
    for (const op of ['PutObject', 'DeleteObject', 'DeleteObjects', 'CopyObject', 'CreateBucket', 'DeleteBucket', 'PutBucketPolicy', 'PutBucketAcl', 'PutObjectAcl', 'CompleteMultipartUpload', 'UploadPart', 'PostObject']) {
      expect(isAudited(readOnly(op), 200, undefined)).toBe(true);
    }
  });

  it('keeps every refused request, read or not, but not a quarantined object or a missing key', () => {
    expect(isAudited(true, 403, 'AccessDenied')).toBe(true);
    expect(isAudited(true, 403, 'SignatureDoesNotMatch')).toBe(true);
    expect(isAudited(true, 403, 'InvalidAccessKeyId')).toBe(true);
    expect(isAudited(undefined, 400, 'AuthorizationHeaderMalformed')).toBe(true);
    expect(isDenial(403, 'InvalidObjectState')).toBe(false);
    expect(isAudited(true, 404, 'NoSuchKey')).toBe(false);
    expect(isAudited(true, 200, undefined)).toBe(false);
    expect(isAudited(false, 404, 'NoSuchBucket')).toBe(true);
    expect(isAudited(undefined, 405, 'MethodNotAllowed')).toBe(false);
  });
});
