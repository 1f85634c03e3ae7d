// MetadataIndex on one SQLite file (better-sqlite3): WAL, fully synced commits, one transaction per method.
import Database from 'better-sqlite3';
import { S3Error } from '../../errors.js';
import { buildListPage } from '../list-page.js';
import type {
  BucketRecord,
  ListPage,
  ListQuery,
  MetadataIndex,
  ObjectRecord,
  WriteCondition,
} from '../metadata-index.js';
import { checkWriteCondition } from '../write-condition.js';
import { migrate } from './migrations.js';
import { toBucketRecord, toBucketRow, toObjectRecord, toObjectRow, toObjectSummary, type SummaryRow } from './rows.js';
import { prepareStatements, type Statements } from './statements.js';

function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // FULL syncs the WAL on every commit: the commit is the moment an object exists, so it must
  // survive power loss, not only a process crash (NORMAL would only guarantee the latter).
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536'); // KiB: 64 MiB of page cache
  db.pragma('temp_store = MEMORY');
  db.pragma('journal_size_limit = 67108864'); // truncate the WAL back to 64 MiB after checkpoints
}

/** Runs a closure inside one transaction; better-sqlite3 rolls back if it throws. */
type TransactionRunner = Database.Transaction<(work: () => unknown) => unknown>;

export class SqliteMetadataIndex implements MetadataIndex {
  private readonly s: Statements;
  private readonly transaction: TransactionRunner;

  private constructor(private readonly db: Database.Database) {
    this.s = prepareStatements(db);
    this.transaction = db.transaction((work: () => unknown) => work());
  }

  static open(file: string): SqliteMetadataIndex {
    const db = new Database(file);
    try {
      configure(db);
      migrate(db);
      return new SqliteMetadataIndex(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async createBucket(bucket: BucketRecord): Promise<void> {
    this.write(() => {
      const existing = this.s.getBucket.get(bucket.name);
      if (existing) {
        const code = existing.owner === bucket.owner ? 'BucketAlreadyOwnedByYou' : 'BucketAlreadyExists';
        throw new S3Error(code, { fields: { BucketName: bucket.name } });
      }
      this.s.insertBucket.run(toBucketRow(bucket));
    });
  }

  async getBucket(name: string): Promise<BucketRecord | undefined> {
    const row = this.s.getBucket.get(name);
    return row && toBucketRecord(row);
  }

  async listBuckets(): Promise<BucketRecord[]> {
    return this.s.listBuckets.all().map(toBucketRecord);
  }

  async deleteBucket(name: string): Promise<string[]> {
    return this.write(() => {
      this.requireBucket(name);
      if (this.s.bucketHoldsObjects.get({ bucket: name }) === 1) {
        throw new S3Error('BucketNotEmpty', { fields: { BucketName: name } });
      }
      const partBlobs = this.s.uploadBlobsOfBucket.all(name);
      this.s.deleteUploadPartsOfBucket.run(name);
      this.s.deleteUploadsOfBucket.run(name);
      this.s.deleteBucket.run(name);
      return this.unreferenced(partBlobs);
    });
  }

  async getObject(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    return this.read(() => {
      const row = this.s.getObject.get(bucket, key);
      return row && toObjectRecord(row, this.s.getObjectBlobs.all(bucket, key, row.version_id));
    });
  }

  async putObject(record: ObjectRecord, condition?: WriteCondition): Promise<string[]> {
    return this.write(() => {
      this.requireBucket(record.bucket);
      const current = this.s.getCurrent.get(record.bucket, record.key);
      checkWriteCondition(
        record.key,
        current && { etag: current.etag, deleteMarker: current.delete_marker === 1 },
        condition,
      );
      // Only current versions exist so far: the new record replaces the old one, whose blobs are
      // released unless something else (another key, an upload part, the new record) still uses them.
      const released = current ? this.dropBlobRows(record.bucket, record.key, current.version_id) : [];
      this.s.replaceObject.run(toObjectRow(record));
      record.blobs.forEach((blob, seq) => {
        this.s.insertObjectBlob.run({
          bucket: record.bucket,
          key: record.key,
          version_id: record.versionId,
          seq,
          blob_id: blob.id,
          size: blob.size,
        });
      });
      return this.unreferenced(released);
    });
  }

  async deleteObject(bucket: string, key: string): Promise<string[]> {
    return this.write(() => {
      const current = this.s.getCurrent.get(bucket, key);
      if (!current) return [];
      const released = this.dropBlobRows(bucket, key, current.version_id);
      this.s.deleteObject.run(bucket, key);
      return this.unreferenced(released);
    });
  }

  async list(query: ListQuery): Promise<ListPage> {
    // One read transaction, so every skip-scan step of a page sees the same snapshot.
    return this.read(() => {
      this.requireBucket(query.bucket);
      const s = this.s;
      const scan = (from: string, inclusive: boolean, before: string | undefined, limit: number): Iterable<SummaryRow> => {
        if (before === undefined) {
          const statement = inclusive ? s.listFromInclusiveUnbounded : s.listFromExclusiveUnbounded;
          return statement.iterate(query.bucket, from, limit);
        }
        const statement = inclusive ? s.listFromInclusive : s.listFromExclusive;
        return statement.iterate(query.bucket, from, before, limit);
      };
      return buildListPage(query, scan, toObjectSummary);
    });
  }

  async isBlobReferenced(id: string): Promise<boolean> {
    return this.s.blobReferenced.get({ id }) === 1;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** BEGIN IMMEDIATE: takes the write lock up front instead of failing to upgrade a read lock. */
  private write<T>(work: () => T): T {
    return this.transaction.immediate(work) as T;
  }

  private read<T>(work: () => T): T {
    return this.transaction.deferred(work) as T;
  }

  private requireBucket(name: string): void {
    if (this.s.bucketExists.get(name) === undefined) throw new S3Error('NoSuchBucket', { fields: { BucketName: name } });
  }

  /** Of `candidates`, the blob ids that no object version or upload part references any more. */
  private unreferenced(candidates: Iterable<string>): string[] {
    return [...new Set(candidates)].filter((id) => this.s.blobReferenced.get({ id }) !== 1);
  }

  /** Removes the blob rows of one version of (bucket, key); returns the blob ids they held. */
  private dropBlobRows(bucket: string, key: string, versionId: string): string[] {
    const ids = this.s.getObjectBlobs.all(bucket, key, versionId).map((row) => row.blob_id);
    this.s.deleteObjectBlobs.run(bucket, key, versionId);
    return ids;
  }
}
