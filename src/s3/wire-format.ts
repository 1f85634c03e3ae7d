// S3's textual forms: timestamps, quoted ETags, owners, and url encoding of listing values.
import type { Owner } from '../xml/shapes.js';

/** ISO 8601 with milliseconds, as in S3 XML documents. */
export function isoTime(d: Date): string {
  return d.toISOString();
}

/** RFC 7231 IMF-fixdate, as in Last-Modified. */
export function httpDate(d: Date): string {
  return d.toUTCString();
}

export function quoteEtag(etag: string): string {
  return `"${etag}"`;
}

/** Strips surrounding quotes and a weak prefix from a client-sent ETag. */
export function unquoteEtag(etag: string): string {
  const trimmed = etag.trim().replace(/^W\//, '');
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

export function ownerOf(id: string): Owner {
  return { ID: id, DisplayName: id };
}

/** `encoding-type=url`: percent-encode like a URL component, keeping '/' readable as S3 does. */
export function urlEncodeValue(value: string): string {
  return encodeURIComponent(value).replace(/%2F/g, '/');
}
