// x-amz-acl: canned ACLs are accepted and recorded; access is still owner-only (see docs/s3-compatibility.md).
import { S3Error } from '../errors.js';

const cannedAcls = new Set([
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
]);

const grantHeaders = ['x-amz-grant-read', 'x-amz-grant-write', 'x-amz-grant-read-acp', 'x-amz-grant-write-acp', 'x-amz-grant-full-control'];

export function cannedAclFrom(headers: Map<string, string>): string {
  if (grantHeaders.some((h) => headers.has(h))) {
    throw new S3Error('NotImplemented', { message: 'Explicit x-amz-grant-* ACL headers are not supported; use a canned ACL.' });
  }
  const acl = headers.get('x-amz-acl');
  if (acl === undefined) return 'private';
  if (!cannedAcls.has(acl)) throw new S3Error('InvalidArgument', { fields: { ArgumentName: 'x-amz-acl', ArgumentValue: acl } });
  return acl;
}
