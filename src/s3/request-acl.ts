// The ACL a write asks for: a canned ACL (x-amz-acl) or explicit grants (x-amz-grant-*), stored as the
// canned name or the grants' JSON. A public ACL is refused when the bucket blocks public ACLs.
import { S3Error } from '../errors/s3-error.js';
import { cannedGrants, grantsFromHeaders, isCannedAcl, isPublicAcl, type Grant } from '../policy/acl.js';
import { isPolicyError } from '../policy/errors.js';
import type { PublicAccessBlockConfig } from '../storage/metadata-index.js';


const grantHeaders = ['x-amz-grant-read', 'x-amz-grant-write', 'x-amz-grant-read-acp', 'x-amz-grant-write-acp', 'x-amz-grant-full-control'];

export interface AclOwners {
  /** Who will own the bucket or object. */
  owner: string;
  bucketOwner: string;
}

/**
 * Owners for an object's ACL: the bucket owner, whoever wrote it, as with S3's default object ownership
 * (BucketOwnerEnforced) — a writer allowed only s3:PutObject gains no read access through its own upload.
 */
export function objectAclOwners(ctx: { principal: { userId: string }; bucketRecord?: { owner: string } }): AclOwners {
  const bucketOwner = ctx.bucketRecord?.owner ?? ctx.principal.userId;
  return { owner: bucketOwner, bucketOwner };
}

/** The stored form of an ACL given as grants. */
export function storedAclOf(grants: Grant[]): string {
  return JSON.stringify(grants);
}

/** Refuses a public ACL on a bucket that blocks them (PutPublicAccessBlock BlockPublicAcls). */
export function checkAclAllowed(grants: Grant[], block: PublicAccessBlockConfig | undefined): void {
  if (block?.blockPublicAcls && isPublicAcl(grants)) throw new S3Error('AccessDenied', { message: 'Public ACLs are blocked for this bucket (BlockPublicAcls).' });
}

/** The ACL the request's headers ask for ('private' when none), checked against the bucket's public access block. */
export function aclFromHeaders(headers: Map<string, string>, owners: AclOwners, block?: PublicAccessBlockConfig): string {
  const canned = headers.get('x-amz-acl');
  const hasGrants = grantHeaders.some((h) => headers.has(h));
  if (canned !== undefined && hasGrants) {
    throw new S3Error('InvalidRequest', { message: 'Specifying both Canned ACLs and Header Grants is not allowed' });
  }
  if (hasGrants) {
    let grants: Grant[] | undefined;
    try {
      grants = grantsFromHeaders(headers, owners.owner);
    } catch (e) {
      if (isPolicyError(e)) throw new S3Error(e.code, { message: e.message });
      throw e;
    }
    const all = grants ?? [];
    checkAclAllowed(all, block);
    return storedAclOf(all);
  }
  if (canned === undefined) return 'private';
  if (!isCannedAcl(canned)) throw new S3Error('InvalidArgument', { fields: { ArgumentName: 'x-amz-acl', ArgumentValue: canned } });
  checkAclAllowed(cannedGrants(canned, owners), block);
  return canned;
}
