// GetBucketAcl, PutBucketAcl, GetObjectAcl, PutObjectAcl. ACLs are stored as a canned name or as explicit
// grants and evaluated by policy/decide.ts together with bucket and user policies.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
import { S3Error } from '../../errors/s3-error.js';
import { storedGrants, type Grant, type Grantee, type Permission } from '../../policy/acl.js';
import type { PublicAccessBlockConfig } from '../../storage/metadata-index.js';
import { decodeXml, listOf, textOf, type XmlNode } from '../../xml/decode.js';
import { XSI_NAMESPACE, type AccessControlPolicy, type GranteeXml } from '../../xml/shapes.js';
import { verifyBodyDigest } from '../checksums/small-body-digest.js';
import type { S3Context } from '../context.js';
import { aclFromHeaders, checkAclAllowed, storedAclOf, type AclOwners } from '../request-acl.js';
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
  if (textOf(grantee.EmailAddress) !== undefined) {
    throw new S3Error('NotImplemented', { message: 'Grantees by e-mail address are not supported; use the user name as ID.' });
  }
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

/** A Put*Acl request's ACL: headers, or an AccessControlPolicy body (not both, as in S3). */
async function requestedAcl(ctx: S3Context, owners: AclOwners, block: PublicAccessBlockConfig | undefined): Promise<string> {
  const body = await ctx.readSmallBody();
  const byHeaders = ctx.headers.has('x-amz-acl') || [...ctx.headers.keys()].some((h) => h.startsWith('x-amz-grant-'));
  if (body.length === 0) {
    if (!byHeaders) throw new S3Error('MissingSecurityHeader', { message: 'Your request was missing a required header', fields: { MissingHeaderName: 'x-amz-acl' } });
    return aclFromHeaders(ctx.headers, owners, block);
  }
  if (byHeaders) throw new S3Error('UnexpectedContent', { message: 'This request does not support content' });
  // Checked when sent; s3cmd sends ACL bodies without a digest, and S3 accepts them.
  await verifyBodyDigest(ctx, body, { required: false });
  const grants = parseAccessControlPolicy(body);
  checkAclAllowed(grants, block);
  return storedAclOf(grants);
}

export async function getBucketAcl(ctx: S3Context): Promise<S3Response> {
  const bucket = ctx.bucketRecord!;
  return aclResponse(bucket.owner, storedGrants(bucket.acl, bucket.owner, bucket.owner));
}

export async function putBucketAcl(ctx: S3Context): Promise<S3Response> {
  const bucket = ctx.bucketRecord!;
  const acl = await requestedAcl(ctx, { owner: bucket.owner, bucketOwner: bucket.owner }, bucket.publicAccessBlock);
  await ctx.index.patchBucket(ctx.bucket, { acl });
  return emptyResponse(200);
}

export async function getObjectAcl(ctx: S3Context): Promise<S3Response> {
  const object = await requestedObject(ctx);
  const owner = ctx.bucketRecord!.owner; // see objectAclOwners: objects belong to the bucket owner
  return aclResponse(owner, storedGrants(object.acl, owner, owner));
}

export async function putObjectAcl(ctx: S3Context): Promise<S3Response> {
  const object = await requestedObject(ctx);
  const bucket = ctx.bucketRecord!;
  const acl = await requestedAcl(ctx, { owner: bucket.owner, bucketOwner: bucket.owner }, bucket.publicAccessBlock);
  await ctx.index.putObjectAcl(ctx.bucket, ctx.key, acl, parseVersionId(ctx.query.get('versionId')));
  return emptyResponse(200, versionHeaders(object, bucket));
}
