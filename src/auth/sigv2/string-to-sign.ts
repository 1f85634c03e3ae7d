// The SigV2 string to sign (AWS "Signing and authenticating REST requests", Signature Version 2).
import type { RawParam } from '../raw-target.js';
import { percentDecode } from '../uri-encoding.js';

/**
 * Every subresource that selects an S3 operation or changes what a request returns. The AWS page lists acl,
 * lifecycle, location, logging, notification, partNumber, policy, requestPayment, uploadId, uploads, versionId,
 * versioning, versions, website and the response-* overrides; botocore's HmacV1Auth adds delete, cors, tagging,
 * restore, torrent and the rest; minio-go and s3cmd the newer ones (encryption, object-lock, publicAccessBlock…).
 * All of them are always signed: a subresource left out of the string to sign would let a captured signature for
 * one operation be replayed as another (a listing turned into `?publicAccessBlock`).
 */
export const SIGNED_SUBRESOURCES: ReadonlySet<string> = new Set([
  'accelerate', 'acl', 'analytics', 'attributes', 'cors', 'defaultObjectAcl', 'delete', 'encryption', 'intelligent-tiering',
  'inventory', 'legal-hold', 'lifecycle', 'location', 'logging', 'metrics', 'notification', 'object-lock',
  'ownershipControls', 'partNumber', 'policy', 'policyStatus', 'publicAccessBlock', 'replication', 'requestPayment',
  'response-cache-control', 'response-content-disposition', 'response-content-encoding', 'response-content-language',
  'response-content-type', 'response-expires', 'restore', 'retention', 'select', 'select-type', 'session',
  'storageClass', 'tagging', 'torrent', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions', 'website',
]);

/**
 * `[/bucket]` + the undecoded request path + the signed subresources sorted by name, their values decoded.
 * Names are compared decoded, as routing reads them, so `?%61cl` is signed as the `acl` it is executed as.
 * The bucket is prepended only when it came from the Host header; a path-style path already starts with it.
 */
export function canonicalizedResource(rawPath: string, params: RawParam[], virtualHostBucket?: string): string {
  const path = virtualHostBucket !== undefined ? `/${virtualHostBucket}${rawPath}` : rawPath;
  const picked: { name: string; text: string }[] = [];
  for (const p of params) {
    const name = percentDecode(p.rawName, true);
    if (!SIGNED_SUBRESOURCES.has(name)) continue;
    picked.push({ name, text: p.rawValue === undefined ? name : `${name}=${percentDecode(p.rawValue, false)}` });
  }
  // Array.prototype.sort is stable, so repeated names keep their order, as in botocore.
  picked.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return picked.length > 0 ? `${path}?${picked.map((p) => p.text).join('&')}` : path;
}

/** x-amz-* headers, lower-case, sorted, `name:value` with the value trimmed, one per line. */
export function canonicalizedAmzHeaders(amzHeaders: Map<string, string>): string {
  return [...amzHeaders.keys()]
    .sort()
    .map((name) => `${name}:${(amzHeaders.get(name) ?? '').trim()}\n`)
    .join('');
}

export interface StringToSignParts {
  method: string;
  contentMd5: string;
  contentType: string;
  /** The Date header, or Expires for query authentication. */
  date: string;
  amzHeaders: Map<string, string>;
  resource: string;
}

export function stringToSignV2(parts: StringToSignParts): string {
  return `${parts.method}\n${parts.contentMd5}\n${parts.contentType}\n${parts.date}\n${canonicalizedAmzHeaders(parts.amzHeaders)}${parts.resource}`;
}
