// One ListObjectVersions page, the same walk for every engine. Keys come from the current versions in key
// order, rolled up into common prefixes with the skip-scan of ordinary listings; each listed key contributes
// its current version, then its noncurrent ones newest first (by their place among the key's versions).
// Entries (versions and prefixes) count against max-keys alike.
//
// The walk is a generator that asks for rows step by step, so one algorithm serves a synchronous engine
// (SQLite, inside one read transaction) and an asynchronous one (PostgreSQL) alike: each engine only answers
// the three kinds of question below.
import type { VersionListPage, VersionListQuery, VersionSummary } from './metadata-index.js';
import { compareKeys, prefixSuccessor } from './key-order.js';
import { commonPrefixOf, startCursor } from './list-page.js';

/** What the walk needs of a version row: its key, its id and its place among its key's versions. */
export interface VersionRowOrder {
  key: string;
  version_id: string;
  version_seq: number;
}

/** The questions the walk asks an engine. */
export type VersionQuestion<Row> =
  /** The place of version `versionId` of `key` (current or noncurrent); undefined when it is gone. */
  | { kind: 'marker'; key: string; versionId: string }
  /**
   * Current versions from `from` in key order, at most `limit`; the engine may stop early after the first
   * row for which `until` holds (it rolls up into a common prefix: the rows after it are not needed).
   */
  | { kind: 'keys'; from: string; inclusive: boolean; limit: number; until: (row: Row) => boolean }
  /** Noncurrent versions of `key` placed below `below`, newest first, at most `limit`. */
  | { kind: 'noncurrent'; key: string; below: number; limit: number };

export type VersionAnswer<Row> = number | undefined | Row[];

/** Answers one question synchronously. */
export type VersionSource<Row> = (question: VersionQuestion<Row>) => VersionAnswer<Row>;
/** Answers one question asynchronously. */
export type AsyncVersionSource<Row> = (question: VersionQuestion<Row>) => Promise<VersionAnswer<Row>>;

type Summarize<Row> = (row: Row, isLatest: boolean) => VersionSummary;

function* versionWalk<Row extends VersionRowOrder>(
  query: VersionListQuery,
  summarize: Summarize<Row>,
): Generator<VersionQuestion<Row>, VersionListPage, VersionAnswer<Row>> {
  const page: VersionListPage = { versions: [], commonPrefixes: [], isTruncated: false };
  const max = Math.max(0, Math.floor(query.maxKeys));
  if (max === 0) return page;
  const before = query.prefix === '' ? undefined : prefixSuccessor(query.prefix);
  let count = 0;
  let last: { key: string; versionId?: string } | undefined;
  const finish = (): VersionListPage => {
    if (page.isTruncated && last) {
      page.nextKeyMarker = last.key;
      if (last.versionId !== undefined) page.nextVersionIdMarker = last.versionId;
    }
    return page;
  };
  // True when one more entry exists than the page holds: it is then truncated.
  const full = (): boolean => {
    if (count < max) return false;
    page.isTruncated = true;
    return true;
  };
  // Emits the noncurrent versions of `key` below `below`; false when the page filled up.
  function* emitVersions(key: string, below: number): Generator<VersionQuestion<Row>, boolean, VersionAnswer<Row>> {
    for (;;) {
      const asked = max - count + 1;
      const rows = (yield { kind: 'noncurrent', key, below, limit: asked }) as Row[];
      for (const row of rows) {
        if (full()) return false;
        page.versions.push(summarize(row, false));
        count++;
        last = { key, versionId: row.version_id };
        below = row.version_seq;
      }
      if (rows.length < asked) return true;
    }
  }

  if (query.keyMarker !== '' && query.versionIdMarker !== '' && query.keyMarker.startsWith(query.prefix)
    && commonPrefixOf(query.keyMarker, query.prefix, query.delimiter) === undefined) {
    // Resume inside the marker key, after the marker version.
    const seq = (yield { kind: 'marker', key: query.keyMarker, versionId: query.versionIdMarker }) as number | undefined;
    if (seq !== undefined && !(yield* emitVersions(query.keyMarker, seq))) return finish();
  }

  const rollsUp = (row: Row): boolean => commonPrefixOf(row.key, query.prefix, query.delimiter) !== undefined;
  let cursor = startCursor(query.prefix, query.delimiter, query.keyMarker);
  while (cursor !== undefined) {
    const asked = max - count + 1;
    // A delimiter listing reads up to the first row that rolls up into a common prefix, not a batch of keys
    // hidden under it.
    const rows = (yield { kind: 'keys', from: cursor.from, inclusive: cursor.inclusive, limit: asked, until: rollsUp }) as Row[];
    let jump: typeof cursor | 'end' | undefined;
    for (const row of rows) {
      if (before !== undefined && compareKeys(row.key, before) >= 0) {
        jump = 'end';
        break;
      }
      const rolledUp = commonPrefixOf(row.key, query.prefix, query.delimiter);
      if (full()) return finish();
      if (rolledUp !== undefined) {
        page.commonPrefixes.push(rolledUp);
        count++;
        last = { key: rolledUp };
        const after = prefixSuccessor(rolledUp);
        jump = after === undefined ? 'end' : { from: after, inclusive: true };
        break;
      }
      page.versions.push(summarize(row, true));
      count++;
      last = { key: row.key, versionId: row.version_id };
      if (!(yield* emitVersions(row.key, row.version_seq))) return finish();
    }
    if (jump === 'end') break;
    if (jump !== undefined) cursor = jump;
    // A scan that ends without a jump and short of what was asked has nothing left.
    else if (rows.length < asked) break;
    else cursor = { from: rows.at(-1)!.key, inclusive: false };
  }
  return finish();
}

export function buildVersionListPage<Row extends VersionRowOrder>(
  query: VersionListQuery,
  source: VersionSource<Row>,
  summarize: Summarize<Row>,
): VersionListPage {
  const walk = versionWalk(query, summarize);
  let step = walk.next(undefined);
  while (!step.done) step = walk.next(source(step.value));
  return step.value;
}

export async function buildVersionListPageAsync<Row extends VersionRowOrder>(
  query: VersionListQuery,
  source: AsyncVersionSource<Row>,
  summarize: Summarize<Row>,
): Promise<VersionListPage> {
  const walk = versionWalk(query, summarize);
  let step = walk.next(undefined);
  while (!step.done) step = walk.next(await source(step.value));
  return step.value;
}
