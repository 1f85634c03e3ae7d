import { describe, expect, it } from 'vitest';
import { canonicalJson, GENESIS_HASH, recordHash } from './chain.js';
import { isAudited, isDenial, isReadOperation } from './classify.js';
import { operationRules } from '../http/operations.js';

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
  it('treats Get*, Head*, List* and Select as reads and every other routed operation as a write', () => {
    const ops = new Set(operationRules.map((r) => r.op));
    const reads = [...ops].filter(isReadOperation);
    const writes = [...ops].filter((op) => !isReadOperation(op));
    for (const op of ['GetObject', 'HeadObject', 'ListObjectsV2', 'ListBuckets', 'GetBucketPolicy', 'SelectObjectContent']) expect(reads).toContain(op);
    for (const op of ['PutObject', 'DeleteObject', 'DeleteObjects', 'CopyObject', 'CreateBucket', 'DeleteBucket', 'PutBucketPolicy', 'PutBucketAcl', 'PutObjectAcl', 'CompleteMultipartUpload', 'UploadPart', 'PostObject']) {
      expect(writes).toContain(op);
    }
    // Every write-looking verb is a write, so a new row in the routing table is audited without a list to update.
    for (const op of writes) expect(op).toMatch(/^(Put|Delete|Create|Copy|Complete|Abort|Upload|Post|Restore)/);
  });

  it('keeps every refused request, read or not, but not a quarantined object or a missing key', () => {
    expect(isAudited('GetObject', 403, 'AccessDenied')).toBe(true);
    expect(isAudited('ListBuckets', 403, 'SignatureDoesNotMatch')).toBe(true);
    expect(isAudited('GetObject', 403, 'InvalidAccessKeyId')).toBe(true);
    expect(isAudited(undefined, 400, 'AuthorizationHeaderMalformed')).toBe(true);
    expect(isDenial(403, 'InvalidObjectState')).toBe(false);
    expect(isAudited('GetObject', 404, 'NoSuchKey')).toBe(false);
    expect(isAudited('GetObject', 200, undefined)).toBe(false);
    expect(isAudited('PutObject', 404, 'NoSuchBucket')).toBe(true);
    expect(isAudited(undefined, 405, 'MethodNotAllowed')).toBe(false);
  });
});
