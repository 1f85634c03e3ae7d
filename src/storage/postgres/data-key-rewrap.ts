// One step of a master-key re-wrap over the PostgreSQL index, as ../sqlite/data-key-rewrap.ts does it over
// SQLite (same cursor, same order: current objects, noncurrent versions, open uploads), inside one write unit.
import type { QueryConfig } from 'pg';
import type { RewrapStep, WrappedDataKey } from '../metadata-index.js';
import { START, decodeCursor, encodeCursor, rewrapped, type Cursor } from '../sqlite/data-key-rewrap.js';
import type { Transaction } from './transactions.js';
import { sql } from './statements.js';

export async function rewrapStep(
  tx: Transaction,
  after: string | undefined,
  limit: number,
  rewrap: (wrapped: WrappedDataKey) => WrappedDataKey | undefined,
): Promise<RewrapStep> {
  let cursor: Cursor = after === undefined ? START : decodeCursor(after);
  let room = Math.max(1, Math.floor(limit));
  const step: RewrapStep = { scanned: 0, rewrapped: 0 };
  const changed = async (query: QueryConfig): Promise<boolean> => ((await tx.query(query)).rowCount ?? 0) > 0;
  for (;;) {
    let rows: number;
    if (cursor[0] === 'objects') {
      const page = (await tx.query<{ bucket: string; key: string; encryption: string | null }>(sql.sseObjectsAfter([cursor[1], cursor[2], room]))).rows;
      for (const row of page) {
        const column = rewrapped(row.encryption, rewrap);
        if (column !== undefined && (await changed(sql.setObjectEncryption([column, row.bucket, row.key, row.encryption])))) step.rewrapped++;
        cursor = ['objects', row.bucket, row.key];
      }
      rows = page.length;
      if (rows < room) cursor = ['versions', '', '', ''];
    } else if (cursor[0] === 'versions') {
      const page = (await tx.query<{ bucket: string; key: string; version_id: string; encryption: string | null }>(
        sql.sseVersionsAfter([cursor[1], cursor[2], cursor[3], room]))).rows;
      for (const row of page) {
        const column = rewrapped(row.encryption, rewrap);
        if (column !== undefined && (await changed(sql.setVersionEncryption([column, row.bucket, row.key, row.version_id, row.encryption])))) step.rewrapped++;
        cursor = ['versions', row.bucket, row.key, row.version_id];
      }
      rows = page.length;
      if (rows < room) cursor = ['uploads', ''];
    } else {
      const page = (await tx.query<{ upload_id: string; encryption: string | null }>(sql.sseUploadsAfter([cursor[1], room]))).rows;
      for (const row of page) {
        const column = rewrapped(row.encryption, rewrap);
        if (column !== undefined && (await changed(sql.setUploadEncryption([column, row.upload_id, row.encryption])))) step.rewrapped++;
        cursor = ['uploads', row.upload_id];
      }
      step.scanned += page.length;
      if (page.length < room) return step;
      return { ...step, next: encodeCursor(cursor) };
    }
    step.scanned += rows;
    room -= rows;
    if (room === 0) return { ...step, next: encodeCursor(cursor) };
  }
}
