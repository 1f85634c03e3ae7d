// A naive ListObjects (full scan, sort, filter) that the contract compares every index against.
import type { ListPage, ListQuery } from '../../src/storage/metadata-index.js';

/** UTF-8 bytewise comparison, computed independently of the implementations' helpers. */
export function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export interface ReferencePage {
  keys: string[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextAfter?: string;
}

/** Naive ListObjects over keys sorted with byteCompare: scan every key, in the S3 semantics the index must reproduce. */
export function referenceList(sorted: readonly string[], q: Omit<ListQuery, 'bucket'>): ReferencePage {
  const entries: { value: string; prefix: boolean }[] = [];
  for (const key of sorted) {
    if (!key.startsWith(q.prefix) || byteCompare(key, q.after) <= 0) continue;
    const at = q.delimiter === '' ? -1 : key.indexOf(q.delimiter, q.prefix.length);
    if (at === -1) {
      entries.push({ value: key, prefix: false });
      continue;
    }
    const common = key.slice(0, at + q.delimiter.length);
    // A common prefix at or before the marker was already returned (or skipped) by an earlier page.
    if (byteCompare(common, q.after) <= 0) continue;
    if (entries.at(-1)?.value !== common) entries.push({ value: common, prefix: true });
  }
  const page = entries.slice(0, q.maxKeys);
  const isTruncated = q.maxKeys > 0 && entries.length > q.maxKeys;
  const result: ReferencePage = {
    keys: page.filter((e) => !e.prefix).map((e) => e.value),
    commonPrefixes: page.filter((e) => e.prefix).map((e) => e.value),
    isTruncated,
  };
  if (isTruncated) result.nextAfter = page.at(-1)?.value;
  return result;
}

export function pageShape(page: ListPage): ReferencePage {
  const shape: ReferencePage = {
    keys: page.objects.map((o) => o.key),
    commonPrefixes: page.commonPrefixes,
    isTruncated: page.isTruncated,
  };
  if (page.nextAfter !== undefined) shape.nextAfter = page.nextAfter;
  return shape;
}

/** Deterministic PRNG (mulberry32) so a failing random case can be replayed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
