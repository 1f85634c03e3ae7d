// Object metadata ↔ HTTP headers: system and user metadata read from a write request, and the headers a
// GET/HEAD answers with, including the response-* query overrides (GetObject API reference).

import { S3Error } from '../errors/s3-error.js';
import type { ContentHeaders, ObjectMetadata } from '../storage/metadata-index.js';

type ContentHeaderName = keyof ContentHeaders;

/** Stored name → header name as S3 writes it in responses. */
const CONTENT_HEADERS: Record<ContentHeaderName, string> = {
  'content-type': 'Content-Type',
  'cache-control': 'Cache-Control',
  'content-disposition': 'Content-Disposition',
  'content-encoding': 'Content-Encoding',
  'content-language': 'Content-Language',
  expires: 'Expires',
  // Where the website endpoint redirects a request for this object (static website hosting).
  'x-amz-website-redirect-location': 'x-amz-website-redirect-location',
};

/** GetObject's overrides; S3 supports exactly these six. */
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-language': 'Content-Language',
  'response-expires': 'Expires',
  'response-cache-control': 'Cache-Control',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
};

/** S3 labels objects stored without a Content-Type this way, and returns it on GET/HEAD. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

const META_PREFIX = 'x-amz-meta-';

/** "Working with object metadata": user-defined metadata is limited to 2 KB, counted as UTF-8 bytes of each key and value. */
export const MAX_USER_METADATA_BYTES = 2048;

/** One coding of a Content-Encoding list: no surrounding blanks, no comma. */
const CODING = /[^\s,](?:[^,]*[^\s,])?/g;

/**
 * Content-Encoding without aws-chunked: it describes the request's framing, not the object
 * ("aws-chunked,gzip" is stored as "gzip"; "aws-chunked" alone as nothing). The other codings keep the
 * separators the client wrote ("deflate, gzip" stays so), since S3 returns the header as it was sent.
 */
function storedContentEncoding(value: string): string | undefined {
  let stored = '';
  let end = 0;
  for (const match of value.matchAll(CODING)) {
    const separator = value.slice(end, match.index);
    end = match.index + match[0].length;
    if (match[0].toLowerCase() === 'aws-chunked') continue;
    stored += stored === '' ? match[0] : separator + match[0];
  }
  return stored === '' ? undefined : stored;
}

/** System metadata to store from a PutObject / CreateMultipartUpload / CopyObject (REPLACE) request. Header names are lower-case. */
export function contentHeadersFrom(headers: Map<string, string>): ContentHeaders {
  const out: ContentHeaders = {};
  for (const name of Object.keys(CONTENT_HEADERS) as ContentHeaderName[]) {
    const value = headers.get(name);
    if (value === undefined) continue;
    if (name === 'x-amz-website-redirect-location' && !/^(\/|https?:\/\/)/.test(value)) {
      throw new S3Error('InvalidArgument', {
        message: "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.",
        fields: { ArgumentName: 'x-amz-website-redirect-location', ArgumentValue: value },
      });
    }
    if (name === 'content-encoding') {
      const encoding = storedContentEncoding(value);
      if (encoding !== undefined) out[name] = encoding;
    } else {
      out[name] = value;
    }
  }
  if (!out['content-type']) out['content-type'] = DEFAULT_CONTENT_TYPE;
  return out;
}

/** x-amz-meta-* headers without the prefix, names lower-cased; MetadataTooLarge past 2 KB. */
export function userMetadataFrom(headers: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [rawName, value] of headers) {
    const lower = rawName.toLowerCase();
    if (!lower.startsWith(META_PREFIX) || lower.length === META_PREFIX.length) continue;
    const name = lower.slice(META_PREFIX.length);
    out[name] = value;
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  if (size > MAX_USER_METADATA_BYTES) {
    throw new S3Error('MetadataTooLarge', { fields: { Size: size, MaxSizeAllowed: MAX_USER_METADATA_BYTES } });
  }
  return out;
}

/**
 * A header value must be printable; S3 leaves other metadata out and counts it in x-amz-missing-meta
 * (user guide, "Working with object metadata").
 */
function isPrintableHeaderValue(value: string): boolean {
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(value);
}

/** Headers describing `rec` on GET/HEAD, after the response-* overrides in `query`. Range and length are the caller's. */
export function objectResponseHeaders(rec: ObjectMetadata, query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, header] of Object.entries(CONTENT_HEADERS) as [ContentHeaderName, string][]) {
    const value = rec.contentHeaders[name];
    if (value !== undefined) out[header] = value;
  }

  let missing = 0;
  for (const [name, value] of Object.entries(rec.userMetadata)) {
    if (isPrintableHeaderValue(value)) out[`${META_PREFIX}${name}`] = value;
    else missing++;
  }
  if (missing > 0) out['x-amz-missing-meta'] = String(missing);

  out.ETag = `"${rec.etag}"`;
  out['Last-Modified'] = rec.lastModified.toUTCString();
  if (rec.tags.length > 0) out['x-amz-tagging-count'] = String(rec.tags.length);
  if (rec.storageClass !== 'STANDARD') out['x-amz-storage-class'] = rec.storageClass;
  // Objects written while versioning was never enabled have no version to report.
  if (rec.versionId !== 'null') out['x-amz-version-id'] = rec.versionId;
  // PartsCount is returned only when the request named a part of a multipart object (GetObject API reference).
  if (query.has('partNumber') && rec.parts) out['x-amz-mp-parts-count'] = String(rec.parts.length);

  for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = query.get(param);
    if (value === null) continue;
    // A value that cannot be sent as an HTTP header (control characters, non-Latin-1) would break the response.
    if (!isPrintableHeaderValue(value)) {
      throw new S3Error('InvalidArgument', { message: `Header value cannot be represented in the response: ${param}`, fields: { ArgumentName: param } });
    }
    out[header] = value;
  }
  return out;
}
