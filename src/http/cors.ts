// CORS at the HTTP edge: preflight OPTIONS requests, answered without a signature from the bucket's rules,
// and the Access-Control-* headers on every actual response to a request with an Origin (errors included, so
// a page can read S3's error bodies). CORS never grants access: the policy and ACL decide that as before.
import type { IncomingMessage } from 'node:http';
import { S3Error } from '../errors/s3-error.js';
import { corsHeaders, CORS_VARY, matchCorsRule, requestedHeaders } from '../s3/cors.js';
import type { S3Response } from '../s3/respond.js';
import type { MetadataIndex } from '../storage/metadata-index.js';
import { parseRequestTarget } from './request-target.js';

function header(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The answer to an OPTIONS request: 200 with the matched rule's headers, or S3's refusal. */
export async function preflightResponse(
  incoming: IncomingMessage,
  index: MetadataIndex,
  domain: string | undefined,
  learned: { bucket?: string; key?: string },
): Promise<S3Response> {
  const target = parseRequestTarget(incoming.url ?? '/', header(incoming, 'host'), domain);
  learned.bucket = target.bucket;
  learned.key = target.key;
  const resourceType = target.bucket === undefined ? 'SERVICE' : target.key === undefined ? 'BUCKET' : 'OBJECT';
  const origin = header(incoming, 'origin');
  if (origin === undefined) throw new S3Error('BadRequest');
  const method = header(incoming, 'access-control-request-method');
  if (method === undefined) throw new S3Error('BadRequest', { message: 'Invalid Access-Control-Request-Method: null' });
  const refused = (message: string): S3Error =>
    new S3Error('AccessForbidden', { message: `CORSResponse: ${message}`, fields: { Method: method, ResourceType: resourceType } });
  const bucket = target.bucket === undefined ? undefined : await index.getBucket(target.bucket);
  if (bucket === undefined) throw refused('Bucket not found');
  if (bucket.cors === undefined) throw refused('CORS is not enabled for this bucket.');
  const request = { origin, method, requestHeaders: requestedHeaders(header(incoming, 'access-control-request-headers')) };
  const rule = matchCorsRule(bucket.cors, request);
  if (rule === undefined) {
    throw new S3Error('AccessForbidden', { fields: { Method: method, ResourceType: resourceType }, headers: { vary: CORS_VARY } });
  }
  return { status: 200, headers: corsHeaders(rule, request, true) };
}

/**
 * Access-Control-* headers for the answer to an actual request from `Origin`, by the rules of `bucket`.
 * Never throws: a bucket that cannot be read (gone, storage closing) only means no CORS headers.
 */
export async function corsResponseHeaders(incoming: IncomingMessage, bucket: string | undefined, index: MetadataIndex): Promise<Record<string, string>> {
  const origin = header(incoming, 'origin');
  if (origin === undefined || bucket === undefined || bucket === '') return {};
  const record = await index.getBucket(bucket).catch(() => undefined);
  if (record?.cors === undefined) return {};
  const request = { origin, method: incoming.method ?? 'GET', requestHeaders: [] };
  const rule = matchCorsRule(record.cors, request);
  return rule === undefined ? { vary: CORS_VARY } : corsHeaders(rule, request, false);
}
