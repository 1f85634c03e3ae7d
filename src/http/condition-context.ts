// The condition keys a request offers to policies: the aws:* global keys and the s3:* keys AWS documents
// for the operations (listing parameters, ACL, encryption, copy source). Values are strings, as in IAM.
import type { IncomingMessage } from 'node:http';
import type { AuthResult } from '../auth/authenticate.js';
import { requestTagKeys, type ConditionContext } from '../access/access-control.js';

const HEADER_KEYS = [
  'x-amz-acl',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-copy-source',
  'x-amz-metadata-directive',
  'x-amz-storage-class',
  'x-amz-content-sha256',
  'x-amz-grant-read',
  'x-amz-grant-write',
  'x-amz-grant-read-acp',
  'x-amz-grant-write-acp',
  'x-amz-grant-full-control',
  'x-amz-object-ownership',
  'x-amz-server-side-encryption-aws-kms-key-id',
] as const;

/**
 * s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys from x-amz-tagging (a URL-encoded query string). A value
 * that is not one is left to the handler to refuse; the keys are then what a lenient reading finds.
 */
function taggingKeys(headers: Map<string, string>): ConditionContext {
  const header = headers.get('x-amz-tagging');
  if (header === undefined) return {};
  const tags = [...new URLSearchParams(header)].map(([key, value]) => ({ key, value }));
  return requestTagKeys(tags);
}

function signing(headers: Map<string, string>, query: URLSearchParams): { version?: string; type?: string } {
  const authorization = headers.get('authorization');
  if (authorization?.startsWith('AWS4-')) return { version: 'AWS4-HMAC-SHA256', type: 'REST-HEADER' };
  if (authorization?.startsWith('AWS ')) return { version: 'AWS', type: 'REST-HEADER' };
  if (query.has('X-Amz-Algorithm')) return { version: 'AWS4-HMAC-SHA256', type: 'REST-QUERY-STRING' };
  if (query.has('Signature')) return { version: 'AWS', type: 'REST-QUERY-STRING' };
  return {};
}

/**
 * The operations s3:ObjectCreationOperation names: policies use it to exempt the steps of a multipart upload (which
 * carry no encryption or conditional headers) from conditions meant for whole-object writes.
 */
const OBJECT_CREATION_OPERATIONS = new Set(['PutObject', 'CopyObject', 'CreateMultipartUpload', 'UploadPart', 'UploadPartCopy', 'CompleteMultipartUpload']);

export function conditionContext(
  incoming: IncomingMessage,
  headers: Map<string, string>,
  query: URLSearchParams,
  now: Date,
  auth: AuthResult,
  operation: string,
): ConditionContext {
  const secure = 'encrypted' in incoming.socket && incoming.socket.encrypted === true;
  const { version, type } = auth.principal === null ? {} : signing(headers, query);
  const context: ConditionContext = {
    'aws:SourceIp': incoming.socket.remoteAddress,
    'aws:SecureTransport': secure ? 'true' : 'false',
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:UserAgent': headers.get('user-agent'),
    'aws:Referer': headers.get('referer'),
    's3:signatureversion': version,
    's3:authType': type,
    's3:prefix': query.get('prefix') ?? undefined,
    's3:delimiter': query.get('delimiter') ?? undefined,
    's3:max-keys': query.get('max-keys') ?? undefined,
    's3:ObjectCreationOperation': OBJECT_CREATION_OPERATIONS.has(operation) ? operation : undefined,
  };
  for (const name of HEADER_KEYS) {
    const value = headers.get(name);
    if (value !== undefined) context[`s3:${name}`] = value;
  }
  return { ...context, ...taggingKeys(headers) };
}
