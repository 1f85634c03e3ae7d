// The one access decision: identity policy, bucket policy, ACLs, ownership and Block Public Access combined the
// way AWS combines them for requests within one account ("Policy evaluation for requests within a single account",
// "How Amazon S3 authorizes a request"), simplified for sklad: one account whose users own buckets separately.

import { aclAllows, isPublicGrant, type Grant } from './acl.js';
import type { PolicyDocument } from './document.js';
import { evaluatePolicy, type RequestFacts } from './evaluate.js';
import { isPublicPolicy } from './public.js';

export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

export interface AccessQuestion {
  facts: RequestFacts;
  level: 'service' | 'bucket' | 'object';
  /** User name owning the bucket. */
  bucketOwner?: string;
  /** User name owning the object (object-level requests on an existing object). */
  objectOwner?: string;
  /** The requesting user's own policy. */
  identityPolicy?: PolicyDocument;
  bucketPolicy?: PolicyDocument;
  bucketAcl?: Grant[];
  /** For object-level requests on an existing object. */
  objectAcl?: Grant[];
  publicAccessBlock?: PublicAccessBlock;
  /** Object Ownership "Bucket owner enforced": ACLs are disabled and take no part in the decision. */
  aclsDisabled?: boolean;
}

export interface AccessDecision {
  allowed: boolean;
  reason: 'root' | 'owner' | 'explicit-deny' | 'identity-policy' | 'bucket-policy' | 'acl' | 'implicit-deny';
}

/** Actions an object's owner may always perform on its ACL, whatever the ACL says (S3 ACL overview). */
const OWNER_ACP_ACTIONS = new Set(['s3:getobjectacl', 's3:getobjectversionacl', 's3:putobjectacl', 's3:putobjectversionacl']);

/**
 * "The root user of the AWS account that owns the bucket can always perform the GetBucketPolicy, PutBucketPolicy,
 * and DeleteBucketPolicy actions, even if the policy explicitly denies" them (PutBucketPolicy): a bucket policy can
 * never lock its owner out of changing it. In sklad that holds for root and for the user owning the bucket.
 */
const POLICY_ACTIONS = new Set(['s3:getbucketpolicy', 's3:putbucketpolicy', 's3:deletebucketpolicy']);

export function decide(q: AccessQuestion): AccessDecision {
  const { principal } = q.facts;
  const managesPolicy = POLICY_ACTIONS.has(q.facts.action.toLowerCase());

  // "By default, all requests are implicitly denied with the exception of the AWS account root user, which has
  // full access" (How AWS enforcement code logic evaluates requests). sklad's root is that account root user, and
  // like it is still subject to an explicit Deny in a bucket policy (its own, the account's, resource policy).
  if (principal.kind === 'root') {
    if (q.bucketPolicy && !managesPolicy && evaluatePolicy(q.bucketPolicy, q.facts) === 'Deny') {
      return { allowed: false, reason: 'explicit-deny' };
    }
    return { allowed: true, reason: 'root' };
  }
  const ownsBucket = principal.kind === 'user' && q.level !== 'service' && q.bucketOwner !== undefined && q.bucketOwner === principal.name;

  // "An explicit deny in any of the policies overrides the allow" (Policy evaluation for requests within a single
  // account): a Deny in the user's policy or the bucket policy wins, even over bucket ownership.
  // Anonymous requests carry no identity, so only the bucket policy speaks for them.
  const identity = principal.kind === 'user' && q.identityPolicy ? evaluatePolicy(q.identityPolicy, q.facts) : 'NoMatch';
  const verdict = q.bucketPolicy ? evaluatePolicy(q.bucketPolicy, q.facts) : 'NoMatch';
  const bucket = verdict === 'Deny' && ownsBucket && managesPolicy ? 'NoMatch' : verdict;
  if (identity === 'Deny' || bucket === 'Deny') return { allowed: false, reason: 'explicit-deny' };

  // "The bucket owner has full control of the bucket" (S3 "Bucket policies and user policies" / Object Ownership
  // "Bucket owner enforced"): a user owns their buckets and every object in them.
  if (ownsBucket) return { allowed: true, reason: 'owner' };

  // "If either the identity-based policy or the resource-based policy within the same account allows the request
  // and the other doesn't, the request is still allowed" (single-account evaluation).
  if (identity === 'Allow') return { allowed: true, reason: 'identity-policy' };

  // RestrictPublicBuckets: "restricts access to a bucket with a public policy to only AWS service principals and
  // authorized users within the bucket owner's account" (Blocking public access). With separate owners in one
  // account, only the bucket owner (and root, handled above) may rely on a public policy; everyone else gets
  // nothing from it. Its Deny statements still applied above.
  const policyRestricted = q.publicAccessBlock?.restrictPublicBuckets === true && q.bucketPolicy !== undefined && isPublicPolicy(q.bucketPolicy);
  if (bucket === 'Allow' && !policyRestricted) return { allowed: true, reason: 'bucket-policy' };

  // "Bucket owner enforced": "ACLs no longer affect permissions for the bucket and the objects in it".
  if (q.aclsDisabled) return { allowed: false, reason: 'implicit-deny' };

  // ACLs (S3 ACL overview, "Mapping of ACL permissions and access policy permissions"): the bucket ACL covers
  // listing and writing objects, the object ACL reading the object and its ACL. IgnorePublicAcls: "Amazon S3 will
  // ignore all public ACLs on a bucket and any objects that it contains", i.e. grants to AllUsers/AuthenticatedUsers.
  const usable = (grants: Grant[] | undefined): Grant[] =>
    (grants ?? []).filter((g) => !(q.publicAccessBlock?.ignorePublicAcls && isPublicGrant(g)));
  if (q.level !== 'service' && aclAllows(usable(q.bucketAcl), principal, q.facts.action, 'bucket')) {
    return { allowed: true, reason: 'acl' };
  }
  if (q.level === 'object' && aclAllows(usable(q.objectAcl), principal, q.facts.action, 'object')) {
    return { allowed: true, reason: 'acl' };
  }
  // "The owner of an object always has READ_ACP and WRITE_ACP" on it, even when its ACL lists only others.
  if (
    q.level === 'object' &&
    principal.kind === 'user' &&
    q.objectOwner === principal.name &&
    OWNER_ACP_ACTIONS.has(q.facts.action.toLowerCase())
  ) {
    return { allowed: true, reason: 'acl' };
  }

  return { allowed: false, reason: 'implicit-deny' };
}
