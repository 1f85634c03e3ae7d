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

interface Cursor {
  from: string;
  inclusive: boolean;
}

/** The common prefix `key` rolls up into, or undefined when it is listed as itself. */
function commonPrefixOf(key: string, prefix: string, delimiter: string): string | undefined {
  if (delimiter === '') return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at === -1 ? undefined : key.slice(0, at + delimiter.length);
}

/**
 * Where the scan starts. `after` may be a common prefix returned by the previous page, or any key
 * inside one: AWS then continues past that whole prefix rather than repeating it (a marker of
 * "folder/sub/file1" with delimiter "/" under prefix "folder/" resumes at "folder/file1").
 */
function startCursor(query: ListQuery): Cursor | undefined {
  const { prefix, delimiter, after } = query;
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

export function buildListPage<Row extends { key: string }>(
  query: ListQuery,
  scan: KeyRangeScan<Row>,
  summarize: (row: Row) => ObjectSummary,
): ListPage {
  const page: ListPage = { objects: [], commonPrefixes: [], isTruncated: false };
  // AWS answers max-keys=0 with an empty, untruncated page.
  const maxKeys = Math.max(0, Math.floor(query.maxKeys));
  if (maxKeys === 0) return page;
  const before = query.prefix === '' ? undefined : prefixSuccessor(query.prefix);
  let cursor = startCursor(query);
  let entries = 0;
  let last = '';

  scanning: while (cursor !== undefined) {
    // One row more than the page can hold: finding it is what makes the page truncated.
    const rows = scan(cursor.from, cursor.inclusive, before, maxKeys - entries + 1);
    let jumped = false;
    for (const row of rows) {
      if (entries === maxKeys) {
        page.isTruncated = true;
        break scanning;
      }
      const rolledUp = commonPrefixOf(row.key, query.prefix, query.delimiter);
      if (rolledUp === undefined) {
        page.objects.push(summarize(row));
        last = row.key;
        entries += 1;
        continue;
      }
      page.commonPrefixes.push(rolledUp);
      last = rolledUp;
      entries += 1;
      const next = prefixSuccessor(rolledUp);
      cursor = next === undefined ? undefined : { from: next, inclusive: true };
      jumped = true;
      break;
    }
    // A scan that ends without a jump returned fewer rows than asked for: nothing is left.
    if (!jumped) break;
  }
  if (page.isTruncated) page.nextAfter = last;
  return page;
}
