// x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded, optionally "?versionId=…"; and the
// x-amz-copy-source-range of UploadPartCopy.
import { S3Error } from '../errors/s3-error.js';
import { parseVersionId } from './versions.js';
import type { ByteRange } from '../storage/blob-store.js';

export interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
}

function invalidSource(): S3Error {
  return new S3Error('InvalidArgument', { message: 'Invalid copy source object key', fields: { ArgumentName: 'x-amz-copy-source' } });
}

export function parseCopySource(headers: Map<string, string>): CopySource {
  const raw = headers.get('x-amz-copy-source');
  if (raw === undefined) throw invalidSource();
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.startsWith('/') ? path.slice(1) : path);
  } catch {
    throw invalidSource();
  }
  const slash = decoded.indexOf('/');
  // No stored name holds U+0000 (see refuseNulNames).
  if (slash <= 0 || slash === decoded.length - 1 || decoded.includes('\0')) throw invalidSource();
  const versionId = parseVersionId(query.get('versionId'));
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId };
}

/** `bytes=first-last`, both required and inside the source (UploadPartCopy does not accept open ranges). */
export function parseCopySourceRange(headers: Map<string, string>, sourceSize: number): ByteRange | undefined {
  const raw = headers.get('x-amz-copy-source-range');
  if (raw === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(raw.trim());
  if (!m) {
    throw new S3Error('InvalidArgument', { message: 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', fields: { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: raw } });
  }
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start || end >= sourceSize) {
    throw new S3Error('InvalidRange', { message: 'The requested range is not satisfiable', fields: { RangeRequested: raw, ActualObjectSize: sourceSize } });
  }
  return { start, end };
}
