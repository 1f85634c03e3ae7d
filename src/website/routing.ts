// How S3's website endpoint maps a request onto a bucket's website configuration: the index document for
// "folders", routing rules on key prefix (before the object is read) and on the error code (after), and where
// a redirect goes. Pure: no I/O. https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-to-page-redirect.html
import type { WebsiteRedirect, WebsiteRoutingRule } from '../storage/metadata-index.js';

/** The object a request key names: `folder/` and the root mean the folder's index document. */
export function objectKeyFor(requestKey: string, indexSuffix: string): string {
  return requestKey === '' || requestKey.endsWith('/') ? requestKey + indexSuffix : requestKey;
}

/** The first rule that applies before the object is read: a key-prefix condition (or none) and no error code. */
export function requestRule(rules: WebsiteRoutingRule[], key: string): WebsiteRoutingRule | undefined {
  return rules.find((r) => r.condition?.httpErrorCodeReturnedEquals === undefined && key.startsWith(r.condition?.keyPrefixEquals ?? ''));
}

/** The first rule that applies to an error answer: its code, and its key prefix when it has one. */
export function errorRule(rules: WebsiteRoutingRule[], key: string, status: number): WebsiteRoutingRule | undefined {
  return rules.find(
    (r) => r.condition?.httpErrorCodeReturnedEquals === String(status) && key.startsWith(r.condition.keyPrefixEquals ?? ''),
  );
}

export interface RequestOrigin {
  protocol: 'http' | 'https';
  /** The Host the request was sent to. */
  host: string;
  /** '/BUCKET' on the path-form endpoint, '' when the bucket is the host name. */
  pathPrefix: string;
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** Status and Location of a routing rule's redirect for `key`. */
export function redirectFor(rule: WebsiteRoutingRule, key: string, origin: RequestOrigin): { status: number; location: string } {
  const r: WebsiteRedirect = rule.redirect;
  const prefix = rule.condition?.keyPrefixEquals ?? '';
  const newKey = r.replaceKeyWith ?? (r.replaceKeyPrefixWith !== undefined ? r.replaceKeyPrefixWith + key.slice(prefix.length) : key);
  const protocol = r.protocol ?? origin.protocol;
  // Another host has its own layout; on this endpoint the path form keeps its bucket segment.
  const base = r.hostName !== undefined ? `${protocol}://${r.hostName}` : `${protocol}://${origin.host}${origin.pathPrefix}`;
  return { status: Number(r.httpRedirectCode ?? '301'), location: `${base}/${encodeKey(newKey)}` };
}
