// A naive ListMultipartUploads (sort everything, filter, roll up) that the contract compares every index against.
import type { UploadListPage, UploadListQuery } from '../../src/storage/metadata-index.js';
import { byteCompare } from './reference-listing.js';

export interface UploadEntry {
  key: string;
  uploadId: string;
  initiated: number;
}

export interface ReferenceUploadPage {
  /** `${key} ${uploadId}` per upload, readable in a failing diff. */
  uploads: string[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}

/** S3's order: key bytewise, then initiation time, then upload id (our tiebreaker). */
export function uploadOrder(a: UploadEntry, b: UploadEntry): number {
  return byteCompare(a.key, b.key) || a.initiated - b.initiated || byteCompare(a.uploadId, b.uploadId);
}

/**
 * Which uploads a page may start from. With both markers, uploads of the marker key after the marker upload
 * follow; if that upload is gone, every upload still under the marker key does.
 */
function follows(all: readonly UploadEntry[], q: Omit<UploadListQuery, 'bucket'>): (u: UploadEntry) => boolean {
  if (q.keyMarker === '') return () => true;
  if (q.uploadIdMarker === '') return (u) => byteCompare(u.key, q.keyMarker) > 0;
  const marker = all.find((u) => u.key === q.keyMarker && u.uploadId === q.uploadIdMarker);
  if (marker === undefined) return (u) => byteCompare(u.key, q.keyMarker) >= 0;
  return (u) => uploadOrder(u, marker) > 0;
}

export function referenceUploads(all: readonly UploadEntry[], q: Omit<UploadListQuery, 'bucket'>): ReferenceUploadPage {
  const after = follows(all, q);
  const entries: { upload?: UploadEntry; prefix?: string }[] = [];
  for (const u of [...all].sort(uploadOrder)) {
    if (!u.key.startsWith(q.prefix) || !after(u)) continue;
    const at = q.delimiter === '' ? -1 : u.key.indexOf(q.delimiter, q.prefix.length);
    if (at === -1) {
      entries.push({ upload: u });
      continue;
    }
    const common = u.key.slice(0, at + q.delimiter.length);
    // A common prefix at or before the key marker was returned (or skipped) by an earlier page.
    if (byteCompare(common, q.keyMarker) <= 0) continue;
    if (entries.at(-1)?.prefix !== common) entries.push({ prefix: common });
  }
  const page = entries.slice(0, q.maxUploads);
  const result: ReferenceUploadPage = {
    uploads: page.flatMap((e) => (e.upload ? [`${e.upload.key} ${e.upload.uploadId}`] : [])),
    commonPrefixes: page.flatMap((e) => (e.prefix === undefined ? [] : [e.prefix])),
    isTruncated: q.maxUploads > 0 && entries.length > q.maxUploads,
  };
  const last = page.at(-1);
  if (result.isTruncated && last) {
    result.nextKeyMarker = last.upload?.key ?? last.prefix;
    if (last.upload) result.nextUploadIdMarker = last.upload.uploadId;
  }
  return result;
}

export function uploadPageShape(page: UploadListPage): ReferenceUploadPage {
  const shape: ReferenceUploadPage = {
    uploads: page.uploads.map((u) => `${u.key} ${u.uploadId}`),
    commonPrefixes: page.commonPrefixes,
    isTruncated: page.isTruncated,
  };
  if (page.nextKeyMarker !== undefined) shape.nextKeyMarker = page.nextKeyMarker;
  if (page.nextUploadIdMarker !== undefined) shape.nextUploadIdMarker = page.nextUploadIdMarker;
  return shape;
}
