import { describe, expect, it } from 'vitest';
import { compareKeys } from './key-order.js';
import { buildListPage, type KeyRangeScan } from './list-page.js';
import type { ObjectSummary } from './metadata-index.js';

interface Row {
  key: string;
}

/** An ordered in-memory key range scan that counts the rows it hands out. */
function countingScan(keys: string[]): { scan: KeyRangeScan<Row>; rowsRead: () => number } {
  const sorted = [...keys].sort(compareKeys);
  let read = 0;
  const scan: KeyRangeScan<Row> = function* (from, inclusive, before, limit) {
    let given = 0;
    for (const key of sorted) {
      const c = compareKeys(key, from);
      if (c < 0 || (c === 0 && !inclusive)) continue;
      if (before !== undefined && compareKeys(key, before) >= 0) return;
      if (given++ === limit) return;
      read++;
      yield { key };
    }
  };
  return { scan, rowsRead: () => read };
}

const summarize = (row: Row): ObjectSummary => ({ key: row.key, size: 0, etag: '', lastModified: new Date(0), owner: '', storageClass: 'STANDARD' });

describe('buildListPage skip-scan', () => {
  const keys: string[] = [];
  for (let d = 0; d < 5; d++) for (let i = 0; i < 2000; i++) keys.push(`dir${d}/sub${i % 50}/file${i}`);
  keys.push('top');

  it('reads one row per entry returned, not one per key under a common prefix', () => {
    const { scan, rowsRead } = countingScan(keys);
    const page = buildListPage({ bucket: 'b', prefix: '', delimiter: '/', after: '', maxKeys: 1000 }, scan, summarize);
    expect(page.commonPrefixes).toEqual(['dir0/', 'dir1/', 'dir2/', 'dir3/', 'dir4/']);
    expect(page.objects.map((o) => o.key)).toEqual(['top']);
    expect(rowsRead()).toBeLessThanOrEqual(6);
  });

  it('stays proportional to the page inside a prefix', () => {
    const { scan, rowsRead } = countingScan(keys);
    const page = buildListPage({ bucket: 'b', prefix: 'dir3/', delimiter: '/', after: '', maxKeys: 10 }, scan, summarize);
    expect(page.commonPrefixes).toHaveLength(10);
    expect(page.isTruncated).toBe(true);
    expect(rowsRead()).toBeLessThanOrEqual(11);
  });
});
