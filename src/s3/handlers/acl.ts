// GetBucketAcl, PutBucketAcl, GetObjectAcl, PutObjectAcl. ACLs are stored as a canned name or as explicit
// grants and evaluated by policy/decide.ts together with bucket and user policies.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
import { S3Error } from '../../errors/s3-error.js';
import { aclsDisabled, objectOwner } from '../../access/object-ownership.js';
import { cannedGrants, storedGrants, type Grant, type Grantee, type Permission } from '../../policy/acl.js';
import type { BucketRecord } from '../../storage/metadata-index.js';
import { decodeXml, listOf, textOf, type XmlNode } from '../../xml/decode.js';
import { XSI_NAMESPACE, type AccessControlPolicy, type GranteeXml } from '../../xml/shapes.js';
import { verifyBodyDigest } from '../checksums/small-body-digest.js';
import type { S3Context } from '../context.js';
import { acceptedAcl, aclFromHeaders, hasAclHeaders } from '../request-acl.js';
import { parseVersionId, requestedObject, versionHeaders } from '../versions.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';
import { ownerOf } from '../wire-format.js';

const PERMISSIONS = new Set<string>(['FULL_CONTROL', 'READ', 'WRITE', 'READ_ACP', 'WRITE_ACP']);
const KNOWN_GROUPS = new Set([
  'http://acs.amazonaws.com/groups/global/AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
  'http://acs.amazonaws.com/groups/s3/LogDelivery',
]);

function granteeXml(grantee: Grantee): GranteeXml {
  return grantee.type === 'Group'
    ? { '@_xmlns:xsi': XSI_NAMESPACE, '@_xsi:type': 'Group', URI: grantee.uri }
    : { '@_xmlns:xsi': XSI_NAMESPACE, '@_xsi:type': 'CanonicalUser', ID: grantee.id, DisplayName: grantee.displayName ?? grantee.id };
}

function aclResponse(owner: string, grants: Grant[]): S3Response {
  const doc: AccessControlPolicy = {
    Owner: ownerOf(owner),
    AccessControlList: { Grant: grants.map((g) => ({ Grantee: granteeXml(g.grantee), Permission: g.permission })) },
  };
  return xmlResponse('AccessControlPolicy', doc);
}

/** The grantee of one <Grant>: the XML parser drops xsi:type, so the identifying child element tells. */
function parseGrantee(node: XmlNode | XmlNode[] | undefined): Grantee {
  const [grantee] = listOf(node);
  if (grantee === undefined) throw new S3Error('MalformedACLError');
  const id = textOf(grantee.ID);
  const uri = textOf(grantee.URI);
  // sklad's users have no e-mail address, so no e-mail grantee resolves to one.
  if (textOf(grantee.EmailAddress) !== undefined) throw new S3Error('UnresolvableGrantByEmailAddress');
  if (id !== undefined && uri === undefined) return { type: 'CanonicalUser', id };
  if (uri !== undefined && id === undefined) {
    if (!KNOWN_GROUPS.has(uri)) throw new S3Error('InvalidArgument', { message: 'Invalid group uri', fields: { ArgumentName: 'uri', ArgumentValue: uri } });
    return { type: 'Group', uri };
  }
  throw new S3Error('MalformedACLError');
}

function parseAccessControlPolicy(body: Buffer): Grant[] {
  const doc = decodeXml(body.toString('utf8'), 'AccessControlPolicy');
  const [list] = listOf(doc.AccessControlList);
  if (list === undefined) throw new S3Error('MalformedACLError');
  return listOf(list.Grant).map((grant): Grant => {
    const permission = textOf(grant.Permission);
    if (permission === undefined || !PERMISSIONS.has(permission)) throw new S3Error('MalformedACLError');
    return { grantee: parseGrantee(grant.Grantee), permission: permission as Permission };
  });
}

/**
 * A Put*Acl request's ACL: headers, or an AccessControlPolicy body (not both, as in S3), checked and in its stored
 * form. `owner` owns the bucket or object the ACL is set on.
 */
async function requestedAcl(ctx: S3Context, owner: string): Promise<string> {
  const bucket = ctx.bucketRecord!;
  const body = await ctx.readSmallBody();
  const byHeaders = hasAclHeaders(ctx.headers);
  if (body.length === 0) {
    const acl = aclFromHeaders(ctx.headers);
    if (acl === undefined) throw new S3Error('MissingSecurityHeader', { message: 'Your request was missing a required header', fields: { MissingHeaderName: 'x-amz-acl' } });
    return acceptedAcl(ctx, acl, bucket, owner);
  }
  if (byHeaders) throw new S3Error('UnexpectedContent', { message: 'This request does not support content' });
  // Checked when sent; s3cmd sends ACL bodies without a digest, and S3 accepts them.
  await verifyBodyDigest(ctx, body, { required: false });
  return acceptedAcl(ctx, { grants: parseAccessControlPolicy(body) }, bucket, owner);
}

/** The grants a read of an ACL shows: only the owner's full control while ACLs are disabled, as S3 shows them. */
function shownGrants(bucket: BucketRecord, acl: string, owner: string): Grant[] {
  return aclsDisabled(bucket) ? cannedGrants('private', { owner }) : storedGrants(acl, owner, bucket.owner);
}

export async function getBucketAcl(ctx: S3Context): Promise<S3Response> {
  const bucket = ctx.bucketRecord!;
  return aclResponse(bucket.owner, shownGrants(bucket, bucket.acl, bucket.owner));
}

export async function putBucketAcl(ctx: S3Context): Promise<S3Response> {
  const bucket = ctx.bucketRecord!;
  const acl = await requestedAcl(ctx, bucket.owner);
  await ctx.index.patchBucket(ctx.bucket, { acl });
  return emptyResponse(200);
}

export async function getObjectAcl(ctx: S3Context): Promise<S3Response> {
  const object = await requestedObject(ctx);
  const bucket = ctx.bucketRecord!;
  const owner = objectOwner(bucket, object.owner);
  return aclResponse(owner, shownGrants(bucket, object.acl, owner));
}

export async function putObjectAcl(ctx: S3Context): Promise<S3Response> {
  const object = await requestedObject(ctx);
  const bucket = ctx.bucketRecord!;
  const acl = await requestedAcl(ctx, objectOwner(bucket, object.owner));
  await ctx.index.putObjectAcl(ctx.bucket, ctx.key, acl, parseVersionId(ctx.query.get('versionId')));
  return emptyResponse(200, versionHeaders(object, bucket));
}
