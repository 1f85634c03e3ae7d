// The SigV2 string to sign (AWS "Signing and authenticating REST requests", Signature Version 2).
import type { RawParam } from '../raw-target.js';
import { percentDecode } from '../uri-encoding.js';

/** Subresources the AWS page lists, plus those botocore's HmacV1Auth signs (the SigV2 signer in use today). */
const BOTOCORE_SUBRESOURCES = [
  'accelerate', 'acl', 'cors', 'defaultObjectAcl', 'location', 'logging', 'partNumber', 'policy', 'requestPayment',
  'torrent', 'versioning', 'versionId', 'versions', 'website', 'uploads', 'uploadId', 'response-content-type',
  'response-content-language', 'response-expires', 'response-cache-control', 'response-content-disposition',
  'response-content-encoding', 'delete', 'lifecycle', 'tagging', 'restore', 'storageClass', 'notification',
  'replication', 'analytics', 'metrics', 'inventory', 'select', 'select-type', 'object-lock',
];
/** Also signed by other SigV2 clients (minio-go, s3cmd) for newer subresources. */
const EXTRA_SUBRESOURCES = ['encryption', 'legal-hold', 'retention', 'ownershipControls', 'publicAccessBlock', 'intelligent-tiering'];

export const SUBRESOURCE_SETS: readonly ReadonlySet<string>[] = [
  new Set([...BOTOCORE_SUBRESOURCES, ...EXTRA_SUBRESOURCES]),
  new Set(BOTOCORE_SUBRESOURCES),
];

/**
 * `[/bucket]` + the undecoded request path + the listed subresources sorted by name, their values decoded.
 * The bucket is prepended only when it came from the Host header; a path-style path already starts with it.
 */
export function canonicalizedResource(rawPath: string, params: RawParam[], subresources: ReadonlySet<string>, virtualHostBucket?: string): string {
  const path = virtualHostBucket !== undefined ? `/${virtualHostBucket}${rawPath}` : rawPath;
  const picked = params
    .filter((p) => subresources.has(p.rawName))
    .map((p) => (p.rawValue === undefined ? p.rawName : `${p.rawName}=${percentDecode(p.rawValue, false)}`));
  // Array.prototype.sort is stable, so repeated names keep their order, as in botocore.
  picked.sort((a, b) => {
    const an = a.split('=', 1)[0] as string;
    const bn = b.split('=', 1)[0] as string;
    return an < bn ? -1 : an > bn ? 1 : 0;
  });
  return picked.length > 0 ? `${path}?${picked.join('&')}` : path;
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
