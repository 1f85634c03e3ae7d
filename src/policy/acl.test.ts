import { describe, expect, it } from 'vitest';
import {
  ALL_USERS,
  AUTHENTICATED_USERS,
  CANNED_ACLS,
  LOG_DELIVERY,
  aclAllows,
  cannedGrants,
  grantsFromHeaders,
  isPublicAcl,
  permissionsFor,
  type Grant,
  type Permission,
} from './acl.js';
import { PolicyError } from './errors.js';
import type { PolicyPrincipal } from './evaluate.js';

const alice: PolicyPrincipal = { kind: 'user', name: 'alice' };
const bob: PolicyPrincipal = { kind: 'user', name: 'bob' };
const anonymous: PolicyPrincipal = { kind: 'anonymous' };

/** Grants rendered compactly: "alice:FULL_CONTROL", "AllUsers:READ". */
function summary(grants: Grant[]): string[] {
  return grants.map((g) => `${g.grantee.type === 'Group' ? (g.grantee.uri.split('/').pop() ?? '') : g.grantee.id}:${g.permission}`);
}

describe('cannedGrants (S3 canned ACL table)', () => {
  it.each([
    ['private', ['alice:FULL_CONTROL']],
    ['public-read', ['alice:FULL_CONTROL', 'AllUsers:READ']],
    ['public-read-write', ['alice:FULL_CONTROL', 'AllUsers:READ', 'AllUsers:WRITE']],
    ['authenticated-read', ['alice:FULL_CONTROL', 'AuthenticatedUsers:READ']],
    ['aws-exec-read', ['alice:FULL_CONTROL']],
    ['bucket-owner-read', ['alice:FULL_CONTROL', 'bob:READ']],
    ['bucket-owner-full-control', ['alice:FULL_CONTROL', 'bob:FULL_CONTROL']],
    ['log-delivery-write', ['alice:FULL_CONTROL', 'LogDelivery:WRITE', 'LogDelivery:READ_ACP']],
  ])('%s', (canned, expected) => {
    expect(summary(cannedGrants(canned, { owner: 'alice', bucketOwner: 'bob' }))).toEqual(expected);
  });

  it('adds no second grant when the bucket owner owns the object', () => {
    expect(summary(cannedGrants('bucket-owner-full-control', { owner: 'alice', bucketOwner: 'alice' }))).toEqual(['alice:FULL_CONTROL']);
    expect(summary(cannedGrants('bucket-owner-read', { owner: 'alice' }))).toEqual(['alice:FULL_CONTROL']);
  });

  it('covers every canned ACL name and rejects others', () => {
    for (const name of CANNED_ACLS) expect(() => cannedGrants(name, { owner: 'o' })).not.toThrow();
    expect(() => cannedGrants('public', { owner: 'o' })).toThrow(PolicyError);
    try {
      cannedGrants('Private', { owner: 'o' });
    } catch (e) {
      expect((e as PolicyError).code).toBe('InvalidArgument');
    }
  });
});

describe('grantsFromHeaders', () => {
  it('returns undefined without grant headers', () => {
    expect(grantsFromHeaders(new Map([['x-amz-acl', 'private']]), 'alice')).toBeUndefined();
  });

  it('parses every header, several grantees, quoted or not', () => {
    const headers = new Map([
      ['x-amz-grant-read', `uri="${ALL_USERS}", id="bob"`],
      ['x-amz-grant-write', 'id=carol'],
      ['X-Amz-Grant-Read-Acp', `uri="${AUTHENTICATED_USERS}"`],
      ['x-amz-grant-write-acp', 'id="alice"'],
      ['x-amz-grant-full-control', `id="alice",uri="${LOG_DELIVERY}"`],
    ]);
    const grants = grantsFromHeaders(headers, 'alice');
    expect(summary(grants ?? [])).toEqual([
      'AllUsers:READ',
      'bob:READ',
      'carol:WRITE',
      'AuthenticatedUsers:READ_ACP',
      'alice:WRITE_ACP',
      'alice:FULL_CONTROL',
      'LogDelivery:FULL_CONTROL',
    ]);
    // As in S3, the owner is not added implicitly.
    expect(summary(grantsFromHeaders(new Map([['x-amz-grant-read', 'id="bob"']]), 'alice') ?? [])).toEqual(['bob:READ']);
  });

  it.each([
    ['x-amz-grant-read', 'emailAddress="a@example.com"', 'UnresolvableGrantByEmailAddress', /does not match any account/],
    ['x-amz-grant-read', 'uri="http://example.com/group"', 'InvalidArgument', /Invalid group uri/],
    ['x-amz-grant-read', 'id=""', 'InvalidArgument', /Invalid id/],
    ['x-amz-grant-read', 'name="x"', 'InvalidArgument', /Invalid grantee type/],
    ['x-amz-grant-read', 'bob', 'InvalidArgument', /Invalid grant/],
    ['x-amz-grant-write', 'id="a", ', 'InvalidArgument', /Invalid grant/],
  ])('%s: %s → %s', (header, value, code, message) => {
    let error: unknown;
    try {
      grantsFromHeaders(new Map([[header, value]]), 'alice');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).code).toBe(code);
    expect((error as PolicyError).message).toMatch(message);
  });
});

describe('aclAllows (ACL permission → action mapping)', () => {
  const grant = (permission: Permission, who: string): Grant =>
    who === 'AllUsers' ? { grantee: { type: 'Group', uri: ALL_USERS }, permission } : { grantee: { type: 'CanonicalUser', id: who }, permission };

  it.each([
    // level, permission, action, allowed
    ['bucket', 'READ', 's3:ListBucket', true],
    ['bucket', 'READ', 's3:ListBucketVersions', true],
    ['bucket', 'READ', 's3:ListBucketMultipartUploads', true],
    ['bucket', 'READ', 's3:GetObject', false],
    ['bucket', 'READ', 's3:PutObject', false],
    ['bucket', 'WRITE', 's3:PutObject', true],
    ['bucket', 'WRITE', 's3:DeleteObject', true],
    ['bucket', 'WRITE', 's3:AbortMultipartUpload', true],
    ['bucket', 'WRITE', 's3:ListMultipartUploadParts', true],
    ['bucket', 'WRITE', 's3:DeleteObjectVersion', false],
    ['bucket', 'WRITE', 's3:ListBucket', false],
    ['bucket', 'READ_ACP', 's3:GetBucketAcl', true],
    ['bucket', 'READ_ACP', 's3:PutBucketAcl', false],
    ['bucket', 'WRITE_ACP', 's3:PutBucketAcl', true],
    ['bucket', 'FULL_CONTROL', 's3:ListBucket', true],
    ['bucket', 'FULL_CONTROL', 's3:PutObject', true],
    ['bucket', 'FULL_CONTROL', 's3:PutBucketAcl', true],
    ['bucket', 'FULL_CONTROL', 's3:GetBucketAcl', true],
    ['bucket', 'FULL_CONTROL', 's3:DeleteBucket', false],
    ['bucket', 'FULL_CONTROL', 's3:PutBucketPolicy', false],
    ['object', 'READ', 's3:GetObject', true],
    ['object', 'READ', 's3:GetObjectVersion', true],
    ['object', 'READ', 's3:GetObjectAcl', false],
    ['object', 'READ_ACP', 's3:GetObjectAcl', true],
    ['object', 'READ_ACP', 's3:GetObjectVersionAcl', true],
    ['object', 'WRITE_ACP', 's3:PutObjectAcl', true],
    ['object', 'WRITE_ACP', 's3:GetObject', false],
    ['object', 'WRITE', 's3:PutObject', false],
    ['object', 'FULL_CONTROL', 's3:GetObject', true],
    ['object', 'FULL_CONTROL', 's3:PutObjectAcl', true],
    ['object', 'FULL_CONTROL', 's3:DeleteObject', false],
    ['object', 'FULL_CONTROL', 's3:GetObjectTagging', false],
  ] as const)('%s %s allows %s → %s', (level, permission, action, expected) => {
    expect(aclAllows([grant(permission, 'alice')], alice, action, level)).toBe(expected);
    // The same grant to someone else never helps.
    expect(aclAllows([grant(permission, 'bob')], alice, action, level)).toBe(false);
  });

  it('matches actions case-insensitively', () => {
    expect(permissionsFor('S3:GETOBJECT', 'object')).toEqual(['READ', 'FULL_CONTROL']);
  });

  it('AllUsers includes anonymous; AuthenticatedUsers only signed principals; LogDelivery nobody', () => {
    const all: Grant = { grantee: { type: 'Group', uri: ALL_USERS }, permission: 'READ' };
    const auth: Grant = { grantee: { type: 'Group', uri: AUTHENTICATED_USERS }, permission: 'READ' };
    const log: Grant = { grantee: { type: 'Group', uri: LOG_DELIVERY }, permission: 'WRITE' };
    expect(aclAllows([all], anonymous, 's3:GetObject', 'object')).toBe(true);
    expect(aclAllows([auth], anonymous, 's3:GetObject', 'object')).toBe(false);
    expect(aclAllows([auth], bob, 's3:GetObject', 'object')).toBe(true);
    expect(aclAllows([auth], { kind: 'root' }, 's3:GetObject', 'object')).toBe(true);
    expect(aclAllows([log], anonymous, 's3:PutObject', 'bucket')).toBe(false);
    expect(aclAllows([log], bob, 's3:PutObject', 'bucket')).toBe(false);
  });

  it('a canonical-user grant never matches anonymous', () => {
    expect(aclAllows([grant('READ', 'anonymous')], anonymous, 's3:GetObject', 'object')).toBe(false);
  });
});

describe('isPublicAcl', () => {
  it.each([
    ['private', false],
    ['public-read', true],
    ['public-read-write', true],
    ['authenticated-read', true],
    ['bucket-owner-full-control', false],
    ['log-delivery-write', false],
  ])('%s → %s', (canned, expected) => {
    expect(isPublicAcl(cannedGrants(canned, { owner: 'alice', bucketOwner: 'bob' }))).toBe(expected);
  });
});
