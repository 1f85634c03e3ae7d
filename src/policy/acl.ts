// S3 access control lists as grants, after the S3 user guide "Access control list (ACL) overview": who a grantee
// is, the canned ACL table, the x-amz-grant-* request headers, and the table mapping ACL permissions to the IAM
// actions they allow. In sklad a canonical user id is the user name.

import { PolicyError } from './errors.js';
import type { PolicyPrincipal } from './evaluate.js';

export const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
export const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';
const GROUP_URIS = new Set([ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY]);

export type Grantee = { type: 'CanonicalUser'; id: string; displayName?: string } | { type: 'Group'; uri: string };
export type Permission = 'FULL_CONTROL' | 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP';
export interface Grant {
  grantee: Grantee;
  permission: Permission;
}

export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
] as const;
export type CannedAcl = (typeof CANNED_ACLS)[number];

export function isCannedAcl(name: string): name is CannedAcl {
  return (CANNED_ACLS as readonly string[]).includes(name);
}

const user = (id: string, permission: Permission): Grant => ({ grantee: { type: 'CanonicalUser', id, displayName: id }, permission });
const group = (uri: string, permission: Permission): Grant => ({ grantee: { type: 'Group', uri }, permission });

/**
 * The grants a canned ACL stands for (S3 "Canned ACL" table). `owner` is the owner of the bucket or object the
 * ACL is set on; `bucketOwner` matters only for bucket-owner-read / bucket-owner-full-control on objects (and adds
 * nothing when it is the object owner). aws-exec-read's extra grant to Amazon EC2 has no counterpart in sklad.
 * Throws PolicyError (InvalidArgument) for an unknown name.
 */
export function cannedGrants(canned: string, who: { owner: string; bucketOwner?: string }): Grant[] {
  const own = user(who.owner, 'FULL_CONTROL');
  const otherBucketOwner = who.bucketOwner !== undefined && who.bucketOwner !== who.owner ? who.bucketOwner : undefined;
  switch (canned) {
    case 'private':
    case 'aws-exec-read':
      return [own];
    case 'public-read':
      return [own, group(ALL_USERS, 'READ')];
    case 'public-read-write':
      return [own, group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE')];
    case 'authenticated-read':
      return [own, group(AUTHENTICATED_USERS, 'READ')];
    case 'bucket-owner-read':
      return otherBucketOwner ? [own, user(otherBucketOwner, 'READ')] : [own];
    case 'bucket-owner-full-control':
      return otherBucketOwner ? [own, user(otherBucketOwner, 'FULL_CONTROL')] : [own];
    case 'log-delivery-write':
      return [own, group(LOG_DELIVERY, 'WRITE'), group(LOG_DELIVERY, 'READ_ACP')];
    default:
      throw new PolicyError(`Invalid canned ACL: ${canned}`, 'InvalidArgument');
  }
}

const GRANT_HEADERS: ReadonlyArray<readonly [string, Permission]> = [
  ['x-amz-grant-read', 'READ'],
  ['x-amz-grant-write', 'WRITE'],
  ['x-amz-grant-read-acp', 'READ_ACP'],
  ['x-amz-grant-write-acp', 'WRITE_ACP'],
  ['x-amz-grant-full-control', 'FULL_CONTROL'],
];

/**
 * Grants from x-amz-grant-* headers (`id="…"`, `uri="…"`, comma separated), or undefined when none is present.
 * As in S3, the ACL is exactly the listed grants: the owner is not added implicitly (it keeps READ_ACP and
 * WRITE_ACP through ownership, see AccessQuestion.objectOwner). `owner` only supplies the display name of grants
 * to the owner. Throws PolicyError: InvalidArgument for malformed values, UnresolvableGrantByEmailAddress for e-mail grantees.
 */
export function grantsFromHeaders(headers: Map<string, string>, owner: string): Grant[] | undefined {
  const lower = new Map<string, string>();
  for (const [k, v] of headers) lower.set(k.toLowerCase(), v);
  let present = false;
  const grants: Grant[] = [];
  for (const [name, permission] of GRANT_HEADERS) {
    const value = lower.get(name);
    if (value === undefined) continue;
    present = true;
    for (const item of value.split(',')) {
      const m = /^\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^\s"]+))\s*$/.exec(item);
      if (!m) throw new PolicyError(`Invalid grant in ${name}: ${item.trim()}`, 'InvalidArgument');
      const type = (m[1] ?? '').toLowerCase();
      const target = m[2] ?? m[3] ?? '';
      if (type === 'emailaddress') {
        throw new PolicyError('The e-mail address you provided does not match any account on record.', 'UnresolvableGrantByEmailAddress');
      }
      if (type === 'id') {
        if (target === '') throw new PolicyError(`Invalid id in ${name}`, 'InvalidArgument');
        grants.push({ grantee: { type: 'CanonicalUser', id: target, ...(target === owner ? { displayName: owner } : {}) }, permission });
      } else if (type === 'uri') {
        if (!GROUP_URIS.has(target)) throw new PolicyError(`Invalid group uri in ${name}: ${target}`, 'InvalidArgument');
        grants.push(group(target, permission));
      } else {
        throw new PolicyError(`Invalid grantee type in ${name}: ${m[1] ?? ''}`, 'InvalidArgument');
      }
    }
  }
  return present ? grants : undefined;
}

// "Mapping of ACL permissions and access policy permissions": what each permission allows, on a bucket ACL and on
// an object ACL. Bucket WRITE also covers aborting multipart uploads and listing their parts (the other multipart
// steps are s3:PutObject). s3:DeleteObjectVersion via WRITE is for the bucket owner only, who needs no ACL here.
const BUCKET_ACTIONS: Readonly<Record<Exclude<Permission, 'FULL_CONTROL'>, readonly string[]>> = {
  READ: ['s3:ListBucket', 's3:ListBucketVersions', 's3:ListBucketMultipartUploads'],
  WRITE: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
  READ_ACP: ['s3:GetBucketAcl'],
  WRITE_ACP: ['s3:PutBucketAcl'],
};
const OBJECT_ACTIONS: Readonly<Record<Exclude<Permission, 'FULL_CONTROL'>, readonly string[]>> = {
  READ: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTorrent'],
  // WRITE has no meaning on an object ACL.
  WRITE: [],
  READ_ACP: ['s3:GetObjectAcl', 's3:GetObjectVersionAcl'],
  WRITE_ACP: ['s3:PutObjectAcl', 's3:PutObjectVersionAcl'],
};

/** The ACL permissions that allow `action` on an ACL of the given level (FULL_CONTROL always among them). */
export function permissionsFor(action: string, level: 'bucket' | 'object'): Permission[] {
  const table = level === 'bucket' ? BUCKET_ACTIONS : OBJECT_ACTIONS;
  const wanted = action.toLowerCase();
  const hits = (Object.keys(table) as Array<keyof typeof table>).filter((p) => table[p].some((a) => a.toLowerCase() === wanted));
  return hits.length > 0 ? [...hits, 'FULL_CONTROL'] : [];
}

/** Whether a grantee includes the principal: AllUsers is everyone, AuthenticatedUsers every signed request. */
export function granteeIncludes(grantee: Grantee, principal: PolicyPrincipal): boolean {
  if (grantee.type === 'Group') {
    if (grantee.uri === ALL_USERS) return true;
    if (grantee.uri === AUTHENTICATED_USERS) return principal.kind !== 'anonymous';
    // LogDelivery is S3's log-writing service; sklad has no principal for it.
    return false;
  }
  return principal.kind === 'user' && grantee.id === principal.name;
}

/** Does this ACL (of a bucket or of an object) grant the principal a permission that allows `action`? */
export function aclAllows(grants: readonly Grant[], principal: PolicyPrincipal, action: string, level: 'bucket' | 'object'): boolean {
  const permissions = permissionsFor(action, level);
  if (permissions.length === 0) return false;
  return grants.some((g) => permissions.includes(g.permission) && granteeIncludes(g.grantee, principal));
}

/** S3 "The meaning of public" for ACLs: any grant to AllUsers or AuthenticatedUsers. */
export function isPublicAcl(grants: readonly Grant[]): boolean {
  return grants.some((g) => isPublicGrant(g));
}

export function isPublicGrant(grant: Grant): boolean {
  return grant.grantee.type === 'Group' && (grant.grantee.uri === ALL_USERS || grant.grantee.uri === AUTHENTICATED_USERS);
}

/** A bucket's or object's stored ACL: a canned ACL name, or the JSON of explicit grants. */
export function storedGrants(acl: string, owner: string, bucketOwner: string): Grant[] {
  return acl.startsWith('[') ? (JSON.parse(acl) as Grant[]) : cannedGrants(acl, { owner, bucketOwner });
}
