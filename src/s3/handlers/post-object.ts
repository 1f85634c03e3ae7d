// PostObject: a browser form upload (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html).
// The request itself is unsigned; the form's fields carry the signature over a policy document, so this
// handler authenticates, checks the policy and authorizes s3:PutObject on the form's key, then stores the file
// through PutObject's own path (quotas, encryption, checksums, audit and metrics alike), fed from the form.
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { pipeline } from 'node:stream';
import { authenticatePostForm } from '../../auth/post-signature.js';
import { checkPostPolicy, parsePostPolicy, type LengthRange } from '../../auth/post-policy.js';
import { S3Error } from '../../errors/s3-error.js';
import type { PostResponse } from '../../xml/shapes.js';
import type { S3Context } from '../context.js';
import { LengthRangeStream } from '../length-range.js';
import { readPostForm, type PostForm } from '../post-form.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';
import { MAX_PUT_SIZE } from '../store-object.js';
import { tagsFromDocument } from '../tagging.js';
import { putObject } from './put.js';

/** Form fields that become request headers of the stored object, under the header's own name. */
const HEADER_FIELDS = new Set(['cache-control', 'content-type', 'content-disposition', 'content-encoding', 'content-language', 'expires', 'x-amz-storage-class', 'x-amz-website-redirect-location']);
const HEADER_PREFIXES = ['x-amz-meta-', 'x-amz-server-side-encryption', 'x-amz-checksum-'];

/**
 * A field that becomes a header must be one HTTP can carry, as a header of a PUT is: the object's GET answers
 * with it. A form can hold what no header can (a control character, a name with a space).
 */
function asHeaderValue(name: string, value: string): string {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
  } catch {
    throw new S3Error('InvalidArgument', { message: `The form field ${JSON.stringify(name)} cannot be carried as an HTTP header.`, fields: { ArgumentName: name } });
  }
  return value;
}

function objectHeaders(fields: Map<string, string>): Map<string, string> {
  // The file's length is known only when its part ends, as with a chunked PUT body.
  const headers = new Map<string, string>([['transfer-encoding', 'chunked']]);
  for (const [name, value] of fields) {
    if (HEADER_FIELDS.has(name) || HEADER_PREFIXES.some((p) => name.startsWith(p))) headers.set(name, asHeaderValue(name, value));
  }
  const acl = fields.get('acl');
  if (acl !== undefined) headers.set('x-amz-acl', acl);
  const tagging = fields.get('tagging');
  if (tagging !== undefined && tagging !== '') {
    headers.set('x-amz-tagging', new URLSearchParams(tagsFromDocument(tagging).map((t): [string, string] => [t.key, t.value])).toString());
  }
  return headers;
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** Where the new object is, in the addressing style the form was posted with. */
function objectLocation(ctx: S3Context, key: string): string {
  const host = ctx.headers.get('host') ?? '127.0.0.1';
  const scheme = ctx.secure ? 'https' : 'http';
  const virtual = host.toLowerCase().startsWith(`${ctx.bucket}.`);
  return `${scheme}://${host}${virtual ? '' : `/${ctx.bucket}`}/${encodeKey(key)}`;
}

function redirectTarget(value: string | undefined): URL | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function successResponse(ctx: S3Context, fields: Map<string, string>, key: string, stored: S3Response): S3Response {
  const etag = stored.headers.etag ?? '';
  const location = objectLocation(ctx, key);
  const headers = { ...stored.headers, location };
  const redirect = redirectTarget(fields.get('success_action_redirect') ?? fields.get('redirect'));
  if (redirect !== undefined) {
    redirect.searchParams.append('bucket', ctx.bucket);
    redirect.searchParams.append('key', key);
    redirect.searchParams.append('etag', etag);
    return emptyResponse(303, { ...headers, location: redirect.toString() });
  }
  const status = fields.get('success_action_status');
  if (status === '201') {
    const doc: PostResponse = { Location: location, Bucket: ctx.bucket, Key: key, ETag: etag };
    return xmlResponse('PostResponse', doc, 201, headers);
  }
  return emptyResponse(status === '200' ? 200 : 204, headers);
}

async function storeForm(ctx: S3Context, form: PostForm): Promise<S3Response> {
  const { fields } = form;
  const signer = await authenticatePostForm(fields, ctx.credentials, ctx.settings.regionConfigured ? ctx.settings.region : undefined);
  const rawKey = fields.get('key');
  if (rawKey === undefined) {
    throw new S3Error('InvalidArgument', {
      message: "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
      fields: { ArgumentName: 'key', ArgumentValue: '' },
    });
  }
  let range: LengthRange = { min: 0, max: MAX_PUT_SIZE };
  if (signer.policy !== undefined) range = checkPostPolicy(parsePostPolicy(signer.policy), fields, ctx.bucket, ctx.now);
  const key = rawKey.replaceAll('${filename}', form.filename);
  const access = ctx.authenticatedAs(signer.principal, key);
  await access.require('s3:PutObject', ctx.bucket, key);

  const limited = new LengthRangeStream(range.min, Math.min(range.max, MAX_PUT_SIZE));
  pipeline(form.file, limited, () => {});
  const stored = await putObject({
    ...ctx,
    key,
    headers: objectHeaders(fields),
    principal: signer.principal,
    access,
    contentLength: undefined,
    body: () => limited,
    trailers: () => new Map(),
  });
  return successResponse(ctx, fields, key, stored);
}

export async function postObject(ctx: S3Context): Promise<S3Response> {
  const contentType = ctx.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new S3Error('PreconditionFailed', { fields: { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' } });
  }
  const form = await readPostForm(ctx.body(), contentType);
  try {
    return await storeForm(ctx, form);
  } catch (e) {
    // Read the rest of a refused form, so the browser gets the answer on a connection still usable.
    form.file.resume();
    throw e;
  }
}
