import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cannedGrants, type Grant } from './acl.js';
import { decide, type AccessDecision, type AccessQuestion, type PublicAccessBlock } from './decide.js';
import { parsePolicy, type PolicyDocument } from './document.js';
import type { PolicyPrincipal } from './evaluate.js';

const BUCKET = 'shared';
const owner: PolicyPrincipal = { kind: 'user', name: 'olga' };
const alice: PolicyPrincipal = { kind: 'user', name: 'alice' };
const anonymous: PolicyPrincipal = { kind: 'anonymous' };
const root: PolicyPrincipal = { kind: 'root' };

const bucketPolicy = (...statements: object[]): PolicyDocument =>
  parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), { kind: 'bucket', bucket: BUCKET });
const identityPolicy = (...statements: object[]): PolicyDocument =>
  parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), { kind: 'identity' });

const OBJECTS = `arn:aws:s3:::${BUCKET}/*`;
const publicReadPolicy = bucketPolicy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS });
const denyDeletePolicy = bucketPolicy({ Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: OBJECTS });
const aliceReadsPolicy = bucketPolicy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::sklad:user/alice' }, Action: 's3:GetObject', Resource: OBJECTS });
const denyAllPolicy = bucketPolicy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${BUCKET}`, OBJECTS] });
const aliceMayGet = identityPolicy({ Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECTS });
const aliceMayNotDelete = identityPolicy({ Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' });
const privateAcl = cannedGrants('private', { owner: 'olga' });
const publicReadAcl = cannedGrants('public-read', { owner: 'olga' });
const publicReadWriteAcl = cannedGrants('public-read-write', { owner: 'olga' });
const authReadAcl = cannedGrants('authenticated-read', { owner: 'olga' });
const block = (over: Partial<PublicAccessBlock>): PublicAccessBlock => ({
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
  ...over,
});

function ask(principal: PolicyPrincipal, action: string, key: string | undefined, extra: Partial<AccessQuestion> = {}): AccessDecision {
  return decide({
    facts: { principal, action, resource: key === undefined ? `arn:aws:s3:::${BUCKET}` : `arn:aws:s3:::${BUCKET}/${key}`, context: {} },
    level: key === undefined ? 'bucket' : 'object',
    bucketOwner: 'olga',
    bucketAcl: privateAcl,
    ...extra,
  });
}

describe('decide', () => {
  it.each<[string, PolicyPrincipal, string, string | undefined, Partial<AccessQuestion>, AccessDecision['reason']]>([
    // Root has full access, except what a bucket policy explicitly denies it …
    ['root', root, 's3:DeleteObject', 'k', {}, 'root'],
    ['root vs bucket-policy deny', root, 's3:DeleteObject', 'k', { bucketPolicy: denyDeletePolicy }, 'explicit-deny'],
    ['root is not denied what the policy does not deny', root, 's3:GetObject', 'k', { bucketPolicy: denyDeletePolicy }, 'root'],
    // … and can always read, replace and delete the bucket policy, whatever it says, as can the bucket owner.
    ['root gets a deny-all policy', root, 's3:GetBucketPolicy', undefined, { bucketPolicy: denyAllPolicy }, 'root'],
    ['root replaces a deny-all policy', root, 's3:PutBucketPolicy', undefined, { bucketPolicy: denyAllPolicy }, 'root'],
    ['root deletes a deny-all policy', root, 's3:DeleteBucketPolicy', undefined, { bucketPolicy: denyAllPolicy }, 'root'],
    ['root is denied the rest by a deny-all policy', root, 's3:ListBucket', undefined, { bucketPolicy: denyAllPolicy }, 'explicit-deny'],
    ['owner deletes a deny-all policy', owner, 's3:DeleteBucketPolicy', undefined, { bucketPolicy: denyAllPolicy }, 'owner'],
    ['owner replaces a deny-all policy', owner, 's3:PutBucketPolicy', undefined, { bucketPolicy: denyAllPolicy }, 'owner'],
    ['others get no safety valve', alice, 's3:PutBucketPolicy', undefined, { bucketPolicy: denyAllPolicy, identityPolicy: identityPolicy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) }, 'explicit-deny'],
    ['the owner safety valve does not pass its own identity deny', owner, 's3:DeleteBucketPolicy', undefined, { identityPolicy: identityPolicy({ Effect: 'Deny', Action: 's3:DeleteBucketPolicy', Resource: '*' }) }, 'explicit-deny'],
    ['root on the service', root, 's3:ListAllMyBuckets', undefined, { level: 'service', bucketOwner: undefined }, 'root'],
    // Owners have full control of their bucket and its objects …
    ['owner reads', owner, 's3:GetObject', 'k', {}, 'owner'],
    ['owner sets policy', owner, 's3:PutBucketPolicy', undefined, {}, 'owner'],
    // … but an explicit Deny binds them too.
    ['owner vs bucket-policy deny', owner, 's3:DeleteObject', 'k', { bucketPolicy: denyDeletePolicy }, 'explicit-deny'],
    ['owner vs own identity deny', owner, 's3:DeleteObject', 'k', { identityPolicy: aliceMayNotDelete }, 'explicit-deny'],
    // Others: nothing by default.
    ['stranger', alice, 's3:GetObject', 'k', {}, 'implicit-deny'],
    ['anonymous', anonymous, 's3:GetObject', 'k', {}, 'implicit-deny'],
    // Either the identity policy or the bucket policy is enough within one account.
    ['identity policy allows', alice, 's3:GetObject', 'k', { identityPolicy: aliceMayGet }, 'identity-policy'],
    ['bucket policy allows', alice, 's3:GetObject', 'k', { bucketPolicy: aliceReadsPolicy }, 'bucket-policy'],
    ['identity allow, bucket deny', alice, 's3:DeleteObject', 'k', { identityPolicy: identityPolicy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), bucketPolicy: denyDeletePolicy }, 'explicit-deny'],
    ['bucket allow, identity deny', alice, 's3:DeleteObject', 'k', { identityPolicy: aliceMayNotDelete, bucketPolicy: bucketPolicy({ Effect: 'Allow', Principal: '*', Action: 's3:DeleteObject', Resource: OBJECTS }) }, 'explicit-deny'],
    ['deny also beats ACLs', alice, 's3:DeleteObject', 'k', { bucketPolicy: denyDeletePolicy, bucketAcl: publicReadWriteAcl }, 'explicit-deny'],
    // Anonymous principals have no identity policy; only bucket policies and ACLs can let them in.
    ['anonymous + public policy', anonymous, 's3:GetObject', 'k', { bucketPolicy: publicReadPolicy }, 'bucket-policy'],
    ['anonymous + public-read object ACL', anonymous, 's3:GetObject', 'k', { objectAcl: publicReadAcl }, 'acl'],
    ['anonymous + public-read bucket ACL lists', anonymous, 's3:ListBucket', undefined, { bucketAcl: publicReadAcl }, 'acl'],
    ['public-read bucket ACL does not expose objects', anonymous, 's3:GetObject', 'k', { bucketAcl: publicReadAcl, objectAcl: privateAcl }, 'implicit-deny'],
    ['public-read-write bucket ACL lets anyone write', anonymous, 's3:PutObject', 'k', { bucketAcl: publicReadWriteAcl }, 'acl'],
    ['authenticated-read excludes anonymous', anonymous, 's3:GetObject', 'k', { objectAcl: authReadAcl }, 'implicit-deny'],
    ['authenticated-read includes users', alice, 's3:GetObject', 'k', { objectAcl: authReadAcl }, 'acl'],
    ['user grant in object ACL', alice, 's3:GetObject', 'k', { objectAcl: [...privateAcl, { grantee: { type: 'CanonicalUser', id: 'alice' }, permission: 'READ' }] }, 'acl'],
    ['object ACL is ignored for bucket requests', alice, 's3:ListBucket', undefined, { objectAcl: publicReadAcl }, 'implicit-deny'],
    // Object owners always keep READ_ACP/WRITE_ACP on their objects.
    ['object owner reads its ACL', alice, 's3:GetObjectAcl', 'k', { objectOwner: 'alice', objectAcl: [] }, 'acl'],
    ['object owner writes its ACL', alice, 's3:PutObjectAcl', 'k', { objectOwner: 'alice', objectAcl: [] }, 'acl'],
    ['object ownership is not read access', alice, 's3:GetObject', 'k', { objectOwner: 'alice', objectAcl: [] }, 'implicit-deny'],
    // IgnorePublicAcls drops grants to AllUsers/AuthenticatedUsers, but not grants to named users.
    ['ignorePublicAcls vs public-read', anonymous, 's3:GetObject', 'k', { objectAcl: publicReadAcl, publicAccessBlock: block({ ignorePublicAcls: true }) }, 'implicit-deny'],
    ['ignorePublicAcls vs authenticated-read', alice, 's3:GetObject', 'k', { objectAcl: authReadAcl, publicAccessBlock: block({ ignorePublicAcls: true }) }, 'implicit-deny'],
    ['ignorePublicAcls vs bucket write', anonymous, 's3:PutObject', 'k', { bucketAcl: publicReadWriteAcl, publicAccessBlock: block({ ignorePublicAcls: true }) }, 'implicit-deny'],
    ['ignorePublicAcls keeps user grants', alice, 's3:GetObject', 'k', { objectAcl: [{ grantee: { type: 'CanonicalUser', id: 'alice' }, permission: 'READ' }], publicAccessBlock: block({ ignorePublicAcls: true }) }, 'acl'],
    ['ignorePublicAcls leaves policies alone', anonymous, 's3:GetObject', 'k', { bucketPolicy: publicReadPolicy, publicAccessBlock: block({ ignorePublicAcls: true }) }, 'bucket-policy'],
    // RestrictPublicBuckets: a public policy helps only the owner (and root).
    ['restrictPublicBuckets vs anonymous', anonymous, 's3:GetObject', 'k', { bucketPolicy: publicReadPolicy, publicAccessBlock: block({ restrictPublicBuckets: true }) }, 'implicit-deny'],
    ['restrictPublicBuckets vs other users', alice, 's3:GetObject', 'k', { bucketPolicy: publicReadPolicy, publicAccessBlock: block({ restrictPublicBuckets: true }) }, 'implicit-deny'],
    ['restrictPublicBuckets keeps the owner', owner, 's3:GetObject', 'k', { bucketPolicy: publicReadPolicy, publicAccessBlock: block({ restrictPublicBuckets: true }) }, 'owner'],
    ['restrictPublicBuckets keeps non-public policies', alice, 's3:GetObject', 'k', { bucketPolicy: aliceReadsPolicy, publicAccessBlock: block({ restrictPublicBuckets: true }) }, 'bucket-policy'],
    ['restrictPublicBuckets keeps identity policies', alice, 's3:GetObject', 'k', { identityPolicy: aliceMayGet, bucketPolicy: publicReadPolicy, publicAccessBlock: block({ restrictPublicBuckets: true }) }, 'identity-policy'],
    ['restrictPublicBuckets still applies denies', owner, 's3:DeleteObject', 'k', { bucketPolicy: bucketPolicy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS }, { Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: OBJECTS }), publicAccessBlock: block({ restrictPublicBuckets: true }) }, 'explicit-deny'],
    ['restrictPublicBuckets does not touch ACLs', anonymous, 's3:GetObject', 'k', { objectAcl: publicReadAcl, publicAccessBlock: block({ restrictPublicBuckets: true }) }, 'acl'],
    ['blockPublicPolicy does not change evaluation', anonymous, 's3:GetObject', 'k', { bucketPolicy: publicReadPolicy, publicAccessBlock: block({ blockPublicPolicy: true, blockPublicAcls: true }) }, 'bucket-policy'],
    // Service-level requests: only identity policies (and root) apply.
    ['user lists buckets by identity policy', alice, 's3:ListAllMyBuckets', undefined, { level: 'service', bucketOwner: undefined, bucketAcl: undefined, identityPolicy: identityPolicy({ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }) }, 'identity-policy'],
    ['user without policy cannot list buckets', alice, 's3:ListAllMyBuckets', undefined, { level: 'service', bucketOwner: undefined, bucketAcl: undefined }, 'implicit-deny'],
    ['anonymous ignores identity policy', anonymous, 's3:GetObject', 'k', { identityPolicy: aliceMayGet }, 'implicit-deny'],
    // Bucket owner enforced: ACLs grant nothing; policies and ownership still do.
    ['ACLs disabled: public-read object', anonymous, 's3:GetObject', 'k', { objectAcl: publicReadAcl, aclsDisabled: true }, 'implicit-deny'],
    ['ACLs disabled: public-read-write bucket', anonymous, 's3:PutObject', 'k', { bucketAcl: publicReadWriteAcl, aclsDisabled: true }, 'implicit-deny'],
    ['ACLs disabled: user grant', alice, 's3:GetObject', 'k', { objectAcl: [{ grantee: { type: 'CanonicalUser', id: 'alice' }, permission: 'READ' }], aclsDisabled: true }, 'implicit-deny'],
    ['ACLs disabled: writer is no object owner', alice, 's3:PutObjectAcl', 'k', { objectOwner: 'alice', objectAcl: [], aclsDisabled: true }, 'implicit-deny'],
    ['ACLs disabled: policies still allow', anonymous, 's3:GetObject', 'k', { bucketPolicy: publicReadPolicy, aclsDisabled: true }, 'bucket-policy'],
    ['ACLs disabled: owner keeps everything', owner, 's3:GetObject', 'k', { aclsDisabled: true }, 'owner'],
  ])('%s', (_name, principal, action, key, extra, reason) => {
    const decision = ask(principal, action, key, extra);
    expect(decision.reason).toBe(reason);
    expect(decision.allowed).toBe(!['explicit-deny', 'implicit-deny'].includes(reason));
  });

  it('admin actions are decided by the identity policy alone', () => {
    const q = (identity?: PolicyDocument): AccessQuestion => ({
      facts: { principal: alice, action: 'admin:CreateUser', resource: '*', context: {} },
      level: 'service',
      identityPolicy: identity,
    });
    expect(decide(q(identityPolicy({ Effect: 'Allow', Action: 'admin:*', Resource: '*' }))).allowed).toBe(true);
    expect(decide(q(identityPolicy({ Effect: 'Allow', Action: 'admin:List*', Resource: '*' }))).allowed).toBe(false);
    expect(decide(q()).allowed).toBe(false);
  });

  it('conditions reach the decision through the request context', () => {
    const policy = bucketPolicy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } });
    const base: AccessQuestion = { facts: { principal: anonymous, action: 's3:GetObject', resource: `arn:aws:s3:::${BUCKET}/k`, context: {} }, level: 'object', bucketOwner: 'olga', bucketPolicy: policy };
    expect(decide({ ...base, facts: { ...base.facts, context: { 'aws:SourceIp': '::ffff:10.1.2.3' } } }).allowed).toBe(true);
    expect(decide({ ...base, facts: { ...base.facts, context: { 'aws:SourceIp': '192.168.1.1' } } }).allowed).toBe(false);
  });

  it('a Deny-everything bucket policy denies every principal, root included, whatever else allows', () => {
    const denyAll = denyAllPolicy;
    const principals: PolicyPrincipal[] = [root, owner, alice, anonymous];
    const acls: Grant[][] = [privateAcl, publicReadAcl, publicReadWriteAcl];
    fc.assert(
      fc.property(
        fc.constantFrom(...principals),
        fc.constantFrom('s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:GetObjectAcl'),
        fc.constantFrom(...acls),
        fc.boolean(),
        (principal, action, acl, withIdentity) => {
          const d = ask(principal, action, 'k', {
            bucketPolicy: denyAll,
            bucketAcl: acl,
            objectAcl: acl,
            identityPolicy: withIdentity ? identityPolicy({ Effect: 'Allow', Action: '*', Resource: '*' }) : undefined,
          });
          expect(d).toEqual({ allowed: false, reason: 'explicit-deny' });
        },
      ),
    );
  });
});
