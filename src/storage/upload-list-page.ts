// Builds one ListMultipartUploads page: uploads in key order (bytewise), then by initiation time and
// upload id, rolled up into common prefixes by the same skip-scan as the object listing.
import { skipScan, skipScanAsync, startCursor, type AsyncCursorScan, type CursorScan, type KeyCursor, type PageEntry } from './list-page.js';
import type { UploadListPage, UploadListQuery, UploadRecord } from './metadata-index.js';

/** Just past one upload in the listing order: later uploads of the same key, then later keys. */
export interface UploadPosition {
  key: string;
  initiated: Date;
  uploadId: string;
}

export type UploadCursor = KeyCursor | UploadPosition;

export function isUploadPosition(cursor: UploadCursor): cursor is UploadPosition {
  return 'uploadId' in cursor;
}

/**
 * Where the listing starts. With an upload-id-marker, uploads of the marker key that follow the marker
 * upload are listed too (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html).
 * `marker` is the marker upload as found; when it is gone (typically aborted by the client walking the pages)
 * every upload still under the marker key is listed: repeating an entry beats skipping one.
 */
function hasUploadMarker(query: UploadListQuery): boolean {
  return query.keyMarker !== '' && query.uploadIdMarker !== '';
}

function uploadStart(query: UploadListQuery, marker: UploadPosition | undefined): UploadCursor | undefined {
  const cursor = startCursor(query.prefix, query.delimiter, query.keyMarker);
  // Only a marker that is listed as itself (not before the prefix, not inside a common prefix) leaves
  // its own key open; the upload-id-marker is ignored without a key-marker, as in S3.
  if (cursor === undefined || cursor.inclusive || query.keyMarker === '' || query.uploadIdMarker === '') return cursor;
  return marker ?? { from: query.keyMarker, inclusive: true };
}

export function buildUploadListPage<Row extends { key: string }>(
  query: UploadListQuery,
  locate: (key: string, uploadId: string) => UploadPosition | undefined,
  scan: CursorScan<Row, UploadPosition>,
  toRecord: (row: Row) => UploadRecord,
): UploadListPage {
  const result = skipScan(
    { prefix: query.prefix, delimiter: query.delimiter, maxEntries: query.maxUploads },
    uploadStart(query, hasUploadMarker(query) ? locate(query.keyMarker, query.uploadIdMarker) : undefined),
    scan,
  );
  return toUploadListPage(result, toRecord);
}

/** buildUploadListPage for a database answered asynchronously. */
export async function buildUploadListPageAsync<Row extends { key: string }>(
  query: UploadListQuery,
  locate: (key: string, uploadId: string) => Promise<UploadPosition | undefined>,
  scan: AsyncCursorScan<Row, UploadPosition>,
  toRecord: (row: Row) => UploadRecord,
): Promise<UploadListPage> {
  const result = await skipScanAsync(
    { prefix: query.prefix, delimiter: query.delimiter, maxEntries: query.maxUploads },
    uploadStart(query, hasUploadMarker(query) ? await locate(query.keyMarker, query.uploadIdMarker) : undefined),
    scan,
  );
  return toUploadListPage(result, toRecord);
}

function toUploadListPage<Row extends { key: string }>(
  { entries, isTruncated }: { entries: PageEntry<Row>[]; isTruncated: boolean },
  toRecord: (row: Row) => UploadRecord,
): UploadListPage {
  const page: UploadListPage = { uploads: [], commonPrefixes: [], isTruncated };
  let last: UploadRecord | string | undefined;
  for (const entry of entries) {
    if ('row' in entry) {
      last = toRecord(entry.row);
      page.uploads.push(last);
    } else {
      last = entry.commonPrefix;
      page.commonPrefixes.push(last);
    }
  }
  if (isTruncated && last !== undefined) {
    if (typeof last === 'string') {
      // A common prefix as key-marker skips the whole prefix on the next page; no upload id goes with it.
      page.nextKeyMarker = last;
    } else {
      page.nextKeyMarker = last.key;
      page.nextUploadIdMarker = last.uploadId;
    }
  }
  return page;
}
