// Raw request target + Host → bucket, key and query, for path-style and virtual-hosted-style requests.
// Keys come from the raw target: a normalised URL would fold '/./', '/../' and '//' that are legal in keys.
import { S3Error } from '../errors/s3-error.js';

export interface RequestTarget {
  bucket?: string;
  key?: string;
  query: URLSearchParams;
  /** Path exactly as received (still percent-encoded). */
  rawPath: string;
  /** Set when the bucket came from the Host header. */
  virtualHostBucket?: string;
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (cause) {
    throw new S3Error('InvalidURI', { cause });
  }
}

/** The bucket named by a `bucket.DOMAIN` Host header, if `domain` is configured and matches. */
function bucketFromHost(host: string | undefined, domain: string | undefined): string | undefined {
  if (!host || !domain) return undefined;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  const suffix = '.' + domain.toLowerCase();
  return name.endsWith(suffix) && name.length > suffix.length ? name.slice(0, -suffix.length) : undefined;
}

export function parseRequestTarget(rawTarget: string, host: string | undefined, domain: string | undefined): RequestTarget {
  let target = rawTarget;
  // absolute-form (RFC 9112 §3.2.2), sent by some proxies
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i.exec(target);
  if (absolute) target = target.slice(absolute[0].length) || '/';
  const q = target.indexOf('?');
  const rawPath = q === -1 ? target : target.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : target.slice(q + 1));
  if (!rawPath.startsWith('/')) throw new S3Error('InvalidURI');

  const hostBucket = bucketFromHost(host, domain);
  if (hostBucket !== undefined) {
    const key = rawPath.length > 1 ? decodeSegment(rawPath.slice(1)) : undefined;
    return { bucket: hostBucket, key, query, rawPath, virtualHostBucket: hostBucket };
  }
  const rest = rawPath.slice(1);
  if (rest === '') return { query, rawPath };
  const slash = rest.indexOf('/');
  const bucket = decodeSegment(slash === -1 ? rest : rest.slice(0, slash));
  const rawKey = slash === -1 ? '' : rest.slice(slash + 1);
  return { bucket, key: rawKey === '' ? undefined : decodeSegment(rawKey), query, rawPath };
}
