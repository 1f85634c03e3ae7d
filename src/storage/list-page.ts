// Builds one ListObjects page from an ordered key-range scan. With a delimiter it skip-scans: after
// emitting a common prefix it restarts the scan past every key under it, so a page costs one scan
// per common prefix returned, never one row per key hidden behind a prefix.
import { compareKeys, prefixSuccessor } from './key-order.js';
import type { ListPage, ListQuery, ObjectSummary } from './metadata-index.js';

/**
 * Current, non-delete-marker objects of the listed bucket with `from` <(=) key < `before` in bytewise
 * order, at most `limit` of them, read lazily: the page builder stops iterating as soon as it can.
 */
export type KeyRangeScan<Row extends { key: string }> = (
  from: string,
  inclusive: boolean,
  before: string | undefined,
  limit: number,
) => Iterable<Row>;

/** A scan position between keys: at `from` (inclusive) or just past it. */
export interface KeyCursor {
  from: string;
  inclusive: boolean;
}

/**
 * Rows in (cursor, before) order, at most `limit`. `Start` is a listing's own kind of first position
 * (uploads resume inside a key); every later scan starts at a KeyCursor.
 */
export type CursorScan<Row extends { key: string }, Start> = (
  cursor: Start | KeyCursor,
  before: string | undefined,
  limit: number,
) => Iterable<Row>;

export type PageEntry<Row> = { row: Row } | { commonPrefix: string };

export interface SkipScanRange {
  prefix: string;
  /** Empty string for no delimiter. */
  delimiter: string;
  /** Rows and common prefixes together. */
  maxEntries: number;
}

/** The common prefix `key` rolls up into, or undefined when it is listed as itself. */
export function commonPrefixOf(key: string, prefix: string, delimiter: string): string | undefined {
  if (delimiter === '') return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at === -1 ? undefined : key.slice(0, at + delimiter.length);
}

/**
 * Where a scan starting after the marker `after` begins; undefined when nothing can follow it. `after`
 * may be a common prefix returned by the previous page, or any key inside one: AWS then continues past
 * that whole prefix rather than repeating it (a marker of "folder/sub/file1" with delimiter "/" under
 * prefix "folder/" resumes at "folder/file1").
 */
export function startCursor(prefix: string, delimiter: string, after: string): KeyCursor | undefined {
  if (compareKeys(after, prefix) < 0) return { from: prefix, inclusive: true };
  if (after.startsWith(prefix)) {
    const rolledUp = commonPrefixOf(after, prefix, delimiter);
    if (rolledUp !== undefined) {
      const next = prefixSuccessor(rolledUp);
      return next === undefined ? undefined : { from: next, inclusive: true };
    }
  }
  return { from: after, inclusive: false };
}

/**
 * Collects up to `maxEntries` rows and common prefixes under `prefix`, starting at `start`. The page
 * is truncated only when one more entry exists, as S3 reports it.
 */
export function skipScan<Row extends { key: string }, Start>(
  range: SkipScanRange,
  start: Start | KeyCursor | undefined,
  scan: CursorScan<Row, Start>,
): { entries: PageEntry<Row>[]; isTruncated: boolean } {
  const entries: PageEntry<Row>[] = [];
  // AWS answers max-keys=0 with an empty, untruncated page.
  const maxEntries = Math.max(0, Math.floor(range.maxEntries));
  if (maxEntries === 0) return { entries, isTruncated: false };
  const before = range.prefix === '' ? undefined : prefixSuccessor(range.prefix);
  let cursor = start;

  while (cursor !== undefined) {
    // One row more than the page can hold: finding it is what makes the page truncated.
    const rows = scan(cursor, before, maxEntries - entries.length + 1);
    let jumped = false;
    for (const row of rows) {
      if (entries.length === maxEntries) return { entries, isTruncated: true };
      const rolledUp = commonPrefixOf(row.key, range.prefix, range.delimiter);
      if (rolledUp === undefined) {
        entries.push({ row });
        continue;
      }
      entries.push({ commonPrefix: rolledUp });
      const next = prefixSuccessor(rolledUp);
      cursor = next === undefined ? undefined : { from: next, inclusive: true };
      jumped = true;
      break;
    }
    // A scan that ends without a jump returned fewer rows than asked for: nothing is left.
    if (!jumped) break;
  }
  return { entries, isTruncated: false };
}

/** A scan whose rows arrive asynchronously (a networked database), read lazily like the synchronous kind. */
export type AsyncCursorScan<Row extends { key: string }, Start> = (
  cursor: Start | KeyCursor,
  before: string | undefined,
  limit: number,
) => AsyncIterable<Row>;

/** skipScan for asynchronous scans: the same walk, awaiting each row. */
export async function skipScanAsync<Row extends { key: string }, Start>(
  range: SkipScanRange,
  start: Start | KeyCursor | undefined,
  scan: AsyncCursorScan<Row, Start>,
  options: ScanOptions = {},
): Promise<{ entries: PageEntry<Row>[]; isTruncated: boolean }> {
  const entries: PageEntry<Row>[] = [];
  const maxEntries = Math.max(0, Math.floor(range.maxEntries));
  if (maxEntries === 0) return { entries, isTruncated: false };
  const before = range.prefix === '' ? undefined : prefixSuccessor(range.prefix);
  let cursor = start;

  while (cursor !== undefined) {
    let jumped = false;
    for await (const row of scan(cursor, before, maxEntries - entries.length + 1)) {
      if (entries.length === maxEntries) return { entries, isTruncated: true };
      const rolledUp = commonPrefixOf(row.key, range.prefix, range.delimiter);
      if (rolledUp === undefined) {
        entries.push({ row });
        continue;
      }
      entries.push({ commonPrefix: rolledUp });
      // A scan that skips by itself already goes on past the prefix.
      if (options.scanSkips) continue;
      const next = prefixSuccessor(rolledUp);
      cursor = next === undefined ? undefined : { from: next, inclusive: true };
      jumped = true;
      break;
    }
    if (!jumped) break;
  }
  return { entries, isTruncated: false };
}

export interface ScanOptions {
  /**
   * The scan itself jumps past every key under the common prefix a row of it rolls up into (its rows are
   * those the walk would list), so the walk reads on instead of starting another scan.
   */
  scanSkips?: boolean;
}

/** The ListObjects page of a finished skip scan. */
function toListPage<Row extends { key: string }>(
  { entries, isTruncated }: { entries: PageEntry<Row>[]; isTruncated: boolean },
  summarize: (row: Row) => ObjectSummary,
): ListPage {
  const page: ListPage = { objects: [], commonPrefixes: [], isTruncated };
  for (const entry of entries) {
    if ('row' in entry) page.objects.push(summarize(entry.row));
    else page.commonPrefixes.push(entry.commonPrefix);
  }
  const last = entries.at(-1);
  if (isTruncated && last) page.nextAfter = 'row' in last ? last.row.key : last.commonPrefix;
  return page;
}

export async function buildListPageAsync<Row extends { key: string }>(
  query: ListQuery,
  scan: (from: string, inclusive: boolean, before: string | undefined, limit: number) => AsyncIterable<Row>,
  summarize: (row: Row) => ObjectSummary,
  options: ScanOptions = {},
): Promise<ListPage> {
  const result = await skipScanAsync<Row, never>(
    { prefix: query.prefix, delimiter: query.delimiter, maxEntries: query.maxKeys },
    startCursor(query.prefix, query.delimiter, query.after),
    (cursor, before, limit) => scan(cursor.from, cursor.inclusive, before, limit),
    options,
  );
  return toListPage(result, summarize);
}

export function buildListPage<Row extends { key: string }>(
  query: ListQuery,
  scan: KeyRangeScan<Row>,
  summarize: (row: Row) => ObjectSummary,
): ListPage {
  const result = skipScan<Row, never>(
    { prefix: query.prefix, delimiter: query.delimiter, maxEntries: query.maxKeys },
    startCursor(query.prefix, query.delimiter, query.after),
    (cursor, before, limit) => scan(cursor.from, cursor.inclusive, before, limit),
  );
  return toListPage(result, summarize);
}
