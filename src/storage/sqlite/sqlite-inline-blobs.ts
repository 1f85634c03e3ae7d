// The inline_blobs table: bytes of small blobs, kept in the index's SQLite file and written through its
// group commit, so a small blob becomes durable in the same WAL fsync as the records of other requests.
import type Database from 'better-sqlite3';
import type { InlineBlobTable } from '../inline-blob-store.js';
import type { GroupCommit } from './group-commit.js';

export class SqliteInlineBlobs implements InlineBlobTable {
  readonly remote = false;
  readonly #insert: Database.Statement<[string, Buffer]>;
  readonly #get: Database.Statement<[string], Buffer>;
  readonly #has: Database.Statement<[string], number>;
  readonly #delete: Database.Statement<[string]>;
  readonly #ids: Database.Statement<[string, number], string>;

  constructor(db: Database.Database, private readonly commits: GroupCommit) {
    this.#insert = db.prepare<[string, Buffer]>('INSERT INTO inline_blobs (id, data) VALUES (?, ?)');
    this.#get = db.prepare<[string], Buffer>('SELECT data FROM inline_blobs WHERE id = ?').pluck();
    this.#has = db.prepare<[string], number>('SELECT 1 FROM inline_blobs WHERE id = ?').pluck();
    this.#delete = db.prepare<[string]>('DELETE FROM inline_blobs WHERE id = ?');
    this.#ids = db.prepare<[string, number], string>('SELECT id FROM inline_blobs WHERE id > ? ORDER BY id LIMIT ?').pluck();
  }

  /** Resolves once the row is committed (and, with synchronous = FULL, on disk). */
  async put(id: string, data: Buffer): Promise<void> {
    await this.commits.run(() => this.#insert.run(id, data));
  }

  get(id: string): Buffer | undefined {
    return this.#get.get(id);
  }

  has(id: string): boolean {
    return this.#has.get(id) === 1;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.commits.run(() => this.#delete.run(id))).changes > 0;
  }

  async *ids(): AsyncIterable<string> {
    // Pages, so that no statement stays open across the caller's awaits (it may delete what it reads).
    let after = '';
    for (;;) {
      const page = this.#ids.all(after, 1000);
      yield* page;
      if (page.length < 1000) return;
      after = page[page.length - 1]!;
    }
  }
}
