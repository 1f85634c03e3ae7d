// The inline_blobs table of the PostgreSQL metadata index: bytes of small blobs, readable by every gateway
// that shares the database. Request paths stage their small blobs, and the index writes the row with the
// record (BlobRef.staged); `put` here writes one by a statement committing on its own. A row carries the time
// it was written, so that start-up recovery can spare another gateway's blob whose record is not committed yet.
import type pg from 'pg';
import type { InlineBlobTable } from '../inline-blob-store.js';
import { sql } from './statements.js';

const PAGE = 1000;

export class PostgresInlineBlobs implements InlineBlobTable {
  readonly remote = true;

  constructor(private readonly pool: pg.Pool) {}

  /** Resolves once the row is committed. */
  async put(id: string, data: Buffer): Promise<void> {
    await this.pool.query(sql.insertInlineBlob([id, data, Date.now()]));
  }

  async get(id: string): Promise<Buffer | undefined> {
    const { rows } = await this.pool.query<{ data: Buffer }>(sql.getInlineBlob([id]));
    return rows[0]?.data;
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(sql.deleteInlineBlobs([[id]]));
    return (rowCount ?? 0) > 0;
  }

  async writtenAt(id: string): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ written_at: number }>(sql.inlineBlobWrittenAt([id]));
    return rows[0] === undefined ? undefined : new Date(Number(rows[0].written_at));
  }

  async *ids(): AsyncIterable<string> {
    // Pages, so that no cursor stays open across the caller's awaits (it may delete what it reads).
    let after = '';
    for (;;) {
      const { rows } = await this.pool.query<{ id: string }>(sql.inlineBlobIdsAfter([after, PAGE]));
      for (const row of rows) yield row.id;
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.id;
    }
  }
}
