// The ACL a request asks for — a canned ACL (x-amz-acl), explicit grants (x-amz-grant-*) or an
// AccessControlPolicy body — checked as S3 checks it before it is stored (as the canned name or the grants' JSON):
// the grantees must exist, the bucket's Object Ownership must allow ACLs, and a public ACL is refused when the
// bucket blocks them. Setting an ACL on a write needs its own permission (s3:PutObjectAcl, s3:PutBucketAcl).
import { newObjectOwner } from '../access/object-ownership.js';
import { S3Error } from '../errors/s3-error.js';
import { cannedGrants, grantsFromHeaders, isCannedAcl, isPublicAcl, type CannedAcl, type Grant } from '../policy/acl.js';
import { isPolicyError } from '../policy/errors.js';
import type { BucketSettings, ObjectOwnership, PublicAccessBlockConfig } from '../storage/metadata-index.js';
import type { S3Context } from './context.js';

const grantHeaders = ['x-amz-grant-read', 'x-amz-grant-write', 'x-amz-grant-read-acp', 'x-amz-grant-write-acp', 'x-amz-grant-full-control'];

/** An ACL as the request gave it: a canned name or explicit grants. */
export type RequestedAcl = { canned: CannedAcl } | { grants: Grant[] };

export interface AclOwners {
  /** Who will own the bucket or object. */
  owner: string;
  bucketOwner: string;
}

/** Whether the request carries ACL headers at all. */
export function hasAclHeaders(headers: Map<string, string>): boolean {
  return headers.has('x-amz-acl') || grantHeaders.some((h) => headers.has(h));
}

/** The ACL the request's headers ask for, or undefined when they ask for none. Checks syntax only. */
export function aclFromHeaders(headers: Map<string, string>): RequestedAcl | undefined {
  const canned = headers.get('x-amz-acl');
  const hasGrants = grantHeaders.some((h) => headers.has(h));
  if (canned !== undefined && hasGrants) {
    throw new S3Error('InvalidRequest', { message: 'Specifying both Canned ACLs and Header Grants is not allowed' });
  }
  if (hasGrants) {
    try {
      return { grants: grantsFromHeaders(headers, '') ?? [] };
    } catch (e) {
      if (isPolicyError(e)) throw new S3Error(e.code === 'MalformedPolicy' ? 'InvalidArgument' : e.code, { message: e.message });
      throw e;
    }
  }
  if (canned === undefined) return undefined;
  if (!isCannedAcl(canned)) throw new S3Error('InvalidArgument', { fields: { ArgumentName: 'x-amz-acl', ArgumentValue: canned } });
  return { canned };
}

function grantsOf(acl: RequestedAcl, owners: AclOwners): Grant[] {
  return 'canned' in acl ? cannedGrants(acl.canned, owners) : acl.grants;
}

/** The stored form of an ACL: the canned name, or the JSON of explicit grants. */
function storedForm(acl: RequestedAcl): string {
  return 'canned' in acl ? acl.canned : JSON.stringify(acl.grants);
}

/**
 * "Bucket owner enforced" accepts only ACLs that give the bucket owner full control and nobody anything else:
 * bucket-owner-full-control, or grants saying exactly that. Everything else is AccessControlListNotSupported.
 * On a write that creates an object, `private` says the same (the bucket owner owns the new object), and clients
 * such as rclone send it by default, so it is accepted there; PutObjectAcl and PutBucketAcl refuse it.
 */
function checkOwnershipAllows(acl: RequestedAcl, bucketOwner: string, ownership: ObjectOwnership | undefined, onWrite: boolean): void {
  if (ownership !== 'BucketOwnerEnforced') return;
  const ownerFullControl = 'canned' in acl
    ? acl.canned === 'bucket-owner-full-control' || (onWrite && acl.canned === 'private')
    : acl.grants.length > 0 &&
      acl.grants.every((g) => g.permission === 'FULL_CONTROL' && g.grantee.type === 'CanonicalUser' && g.grantee.id === bucketOwner);
  if (!ownerFullControl) throw new S3Error('AccessControlListNotSupported');
}

/** Grants may name only root and existing users: "Invalid id" (InvalidArgument) otherwise, as S3 answers. */
async function checkGrantees(ctx: S3Context, acl: RequestedAcl): Promise<void> {
  if ('canned' in acl) return;
  for (const { grantee } of acl.grants) {
    if (grantee.type === 'CanonicalUser' && !(await ctx.access.isCanonicalUser(grantee.id))) {
      throw new S3Error('InvalidArgument', { message: 'Invalid id', fields: { ArgumentName: 'CanonicalUser/ID', ArgumentValue: grantee.id } });
    }
  }
}

/** Refuses a public ACL on a bucket that blocks them (PutPublicAccessBlock BlockPublicAcls). */
function checkPublicAllowed(grants: Grant[], block: PublicAccessBlockConfig | undefined): void {
  if (block?.blockPublicAcls && isPublicAcl(grants)) throw new S3Error('AccessDenied', { message: 'Public ACLs are blocked for this bucket (BlockPublicAcls).' });
}

/**
 * Checks an ACL about to be set on `bucket` or on one of its objects (`onWrite`: by the write creating the object),
 * and returns its stored form.
 */
export async function acceptedAcl(ctx: S3Context, acl: RequestedAcl, bucket: BucketSettings, owner: string, onWrite = false): Promise<string> {
  await checkGrantees(ctx, acl);
  checkOwnershipAllows(acl, bucket.owner, bucket.objectOwnership, onWrite);
  checkPublicAllowed(grantsOf(acl, { owner, bucketOwner: bucket.owner }), bucket.publicAccessBlock);
  return storedForm(acl);
}

/**
 * The ACL and owner of an object a write (PutObject, CopyObject, CreateMultipartUpload) creates. ACL headers need
 * s3:PutObjectAcl on the key besides the write's own permission, so that a user allowed only s3:PutObject cannot
 * publish or hand over what it uploads; the owner follows the bucket's Object Ownership.
 */
export async function newObjectAcl(ctx: S3Context): Promise<{ acl: string; owner: string }> {
  const bucket = ctx.bucketRecord!;
  const requested = aclFromHeaders(ctx.headers);
  const owner = newObjectOwner(bucket, ctx.principal.userId, requested !== undefined && 'canned' in requested ? requested.canned : undefined);
  if (requested === undefined) return { acl: 'private', owner };
  await ctx.access.require('s3:PutObjectAcl', ctx.bucket, ctx.key);
  return { acl: await acceptedAcl(ctx, requested, bucket, owner, true), owner };
}

/**
 * The ACL of a bucket CreateBucket makes. "If the ACL for the CreateBucket request is private or if the request
 * doesn't specify any ACLs, only s3:CreateBucket permission is needed"; any other ACL needs s3:PutBucketAcl too.
 */
export async function newBucketAcl(ctx: S3Context, ownership: ObjectOwnership): Promise<string> {
  const requested = aclFromHeaders(ctx.headers);
  if (requested === undefined) return 'private';
  const isPrivate = 'canned' in requested && requested.canned === 'private';
  if (!isPrivate && !(await ctx.access.allowsOnNewBucket('s3:PutBucketAcl', ctx.bucket))) throw new S3Error('AccessDenied');
  const owner = ctx.principal.userId;
  await checkGrantees(ctx, requested);
  // "If your CreateBucket request sets bucket owner enforced and specifies a bucket ACL that provides access to an
  // external account, your request fails" with InvalidBucketAclWithObjectOwnership (Object Ownership troubleshooting).
  if (ownership === 'BucketOwnerEnforced' && sharesAccess(grantsOf(requested, { owner, bucketOwner: owner }), owner)) {
    throw new S3Error('InvalidBucketAclWithObjectOwnership');
  }
  return storedForm(requested);
}

/** Whether grants give anything to anyone but `owner` (which a BucketOwnerEnforced bucket's ACL may not). */
export function sharesAccess(grants: readonly Grant[], owner: string): boolean {
  return grants.some((g) => !(g.grantee.type === 'CanonicalUser' && g.grantee.id === owner));
}
