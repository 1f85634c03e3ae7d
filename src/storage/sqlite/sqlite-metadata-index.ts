// MetadataIndex on one SQLite file (better-sqlite3): WAL, fully synced commits, one transaction per method.
import Database from 'better-sqlite3';
import { S3Error } from '../../errors/s3-error.js';
import { createPrivateFile } from '../file-modes.js';
import { buildListPage } from '../list-page.js';
import { buildVersionListPage } from '../version-list-page.js';
import type {
  StorageUsage,
  BucketPatch,
  BucketRecord,
  CopySourceCheck,
  ListPage,
  LifecycleCursor,
  ListQuery,
  MetadataIndex,
  LifecycleExpiration,
  ObjectMetadata,
  BlobRef,
  ObjectRecord,
  PartListPage,
  PartRecord,
  Tag,
  UploadListPage,
  UploadExpiryScope,
  UploadListQuery,
  UploadRecord,
  LockOverride,
  Retention,
  RewrapStep,
  VersionListPage,
  VersionListQuery,
  WrappedDataKey,
  WriteCondition,
} from '../metadata-index.js';
import { compareKeys } from '../key-order.js';
import { lockRefusal, retentionChangeRefusal } from '../object-lock.js';
import { buildUploadListPage, isUploadPosition, type UploadCursor, type UploadPosition } from '../upload-list-page.js';
import { checkWriteCondition } from '../write-condition.js';
import type { Quota, Usage } from '../identity-index.js';
import { patchColumns } from './bucket-columns.js';
import { GroupCommit } from './group-commit.js';
import { migrate } from './migrations.js';
import { SqliteSessionIndex } from './sqlite-session-index.js';
import { SqliteIdentityIndex } from './sqlite-identity-index.js';
import { SqliteInlineBlobs } from './sqlite-inline-blobs.js';
import { rewrapStep } from './data-key-rewrap.js';
import {
  toBucketRecord,
  toBucketRow,
  toObjectMetadata,
  toObjectRecord,
  toObjectRecordWithBlobs,
  toObjectRow,
  toObjectSummary,
  toPartRecord,
  toPartRow,
  toUploadRecord,
  toUploadRow,
  toQuota,
  conditionState,
  lockOf,
  toVersionSummary,
  type CurrentRow,
  type SummaryRow,
  type UploadRow,
  type VersionRow,
} from './rows.js';
import { prepareStatements, type BucketCountersRow, type Statements } from './statements.js';

/** Bucket records kept in memory; the cache starts over when full. */
const BUCKET_CACHE_SIZE = 1024;

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
  // INSERT OR REPLACE must fire the delete triggers that keep the bucket usage counters (migration step 6).
  db.pragma('recursive_triggers = ON');
}

/** Runs a closure inside one transaction; better-sqlite3 rolls back if it throws. */
type TransactionRunner = Database.Transaction<(work: () => unknown) => unknown>;

export class SqliteMetadataIndex implements MetadataIndex {
  private readonly s: Statements;
  private readonly transaction: TransactionRunner;
  private identityIndex: SqliteIdentityIndex | undefined;
  private sessionIndex: SqliteSessionIndex | undefined;
  /** Every write goes through here: concurrent writes share one commit and one WAL fsync. */
  readonly commits: GroupCommit;
  private readonly deleteInlineBlob: Database.Statement<[string]>;
  private readonly insertInlineBlob: Database.Statement<[string, Buffer]>;
  private readonly bucketUpdates = new Map<string, Database.Statement<[Record<string, unknown>]>>();
  /**
   * Bucket records (null: known missing) by name. Only this process writes the file while it runs (the
   * data folder is locked), and every method that changes a bucket row clears the cache inside its write
   * unit, so no read after that unit, committed or rolled back, sees an older record.
   */
  private readonly buckets = new Map<string, Readonly<BucketRecord> | null>();

  private constructor(private readonly db: Database.Database) {
    this.s = prepareStatements(db);
    this.transaction = db.transaction((work: () => unknown) => work());
    this.commits = new GroupCommit(db);
    this.deleteInlineBlob = db.prepare<[string]>('DELETE FROM inline_blobs WHERE id = ?');
    this.insertInlineBlob = db.prepare<[string, Buffer]>('INSERT INTO inline_blobs (id, data) VALUES (?, ?)');
  }

  /** The table of small blobs kept in this file (see storage/inline-blob-store.ts). */
  inlineBlobs(): SqliteInlineBlobs {
    return new SqliteInlineBlobs(this.db, this.commits);
  }

  static open(file: string): SqliteMetadataIndex {
    createPrivateFile(file);
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

  /** Users and access keys, kept in the same database (see SqliteIdentityIndex). */
  identity(): SqliteIdentityIndex {
    this.identityIndex ??= new SqliteIdentityIndex(this.db);
    return this.identityIndex;
  }

  /** Console sessions, in the same database. */
  sessions(): SqliteSessionIndex {
    this.sessionIndex ??= new SqliteSessionIndex(this.db);
    return this.sessionIndex;
  }

  async createBucket(bucket: BucketRecord): Promise<void> {
    return this.write(() => {
      this.buckets.clear();
      const existing = this.s.getBucket.get(bucket.name);
      if (existing) {
        const code = existing.owner === bucket.owner ? 'BucketAlreadyOwnedByYou' : 'BucketAlreadyExists';
        throw new S3Error(code, { fields: { BucketName: bucket.name } });
      }
      this.s.insertBucket.run(toBucketRow(bucket));
    });
  }

  async getBucket(name: string): Promise<BucketRecord | undefined> {
    // Every request looks its bucket up: answer from memory. Frozen, since callers share the record.
    const cached = this.buckets.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const row = this.s.getBucket.get(name);
    const record = row && Object.freeze(toBucketRecord(row));
    if (this.buckets.size >= BUCKET_CACHE_SIZE) this.buckets.clear();
    this.buckets.set(name, record ?? null);
    return record;
  }

  async usage(): Promise<StorageUsage> {
    return this.read(() => ({
      buckets: this.s.usageByBucket.all().map(({ quota_max_bytes, quota_max_objects, ...usage }) => {
        const quota = toQuota(quota_max_bytes, quota_max_objects);
        return quota === undefined ? usage : { ...usage, quota };
      }),
      openUploads: this.s.countUploads.get() ?? 0,
    }));
  }

  async listBuckets(): Promise<BucketRecord[]> {
    return this.s.listBuckets.all().map(toBucketRecord);
  }

  async deleteBucket(name: string): Promise<string[]> {
    return this.write(() => {
      this.buckets.clear();
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

  async getObject(bucket: string, key: string, versionId?: string): Promise<ObjectRecord | undefined> {
    // No transaction needed for a consistent pair of reads: this connection is the only writer (the data
    // folder is locked) and its writes never run between two synchronous statements.
    return versionId === undefined ? this.readObject(bucket, key) : this.readVersion(bucket, key, versionId);
  }

  async getObjectMetadata(bucket: string, key: string, versionId?: string): Promise<ObjectMetadata | undefined> {
    const current = this.s.getObject.get(bucket, key);
    const row = versionId === undefined || current?.version_id === versionId ? current : this.s.getNoncurrent.get(bucket, key, versionId);
    return row && toObjectMetadata(row);
  }

  async scanVersions(after: { bucket: string; key: string; versionId: string } | undefined, limit: number): Promise<ObjectRecord[]> {
    return this.read(() => {
      const at = [after?.bucket ?? '', after?.key ?? '', after?.versionId ?? ''] as const;
      const rows = [...this.s.scanCurrentFrom.all(...at, limit), ...this.s.scanNoncurrent.all(...at, limit)];
      rows.sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : compareKeys(a.key, b.key) || (a.version_id < b.version_id ? -1 : a.version_id > b.version_id ? 1 : 0)));
      return rows.slice(0, limit).map((row) => toObjectRecord(row, this.s.getObjectBlobs.all(row.bucket, row.key, row.version_id)));
    });
  }

  async scanObjects(after: { bucket: string; key: string } | undefined, limit: number): Promise<ObjectRecord[]> {
    return this.read(() =>
      this.s.scanObjects
        .all(after?.bucket ?? '', after?.key ?? '', limit)
        .map((row) => toObjectRecord(row, this.s.getObjectBlobs.all(row.bucket, row.key, row.version_id))));
  }

  async setQuarantined(bucket: string, key: string, etag: string, quarantined: boolean, versionId?: string): Promise<boolean> {
    const flag = quarantined ? 1 : 0;
    return this.write(() => {
      if (versionId === undefined) return this.s.setQuarantined.run(flag, bucket, key, etag).changes > 0;
      return this.s.setCurrentQuarantinedVersion.run(flag, bucket, key, versionId, etag).changes > 0
        || this.s.setNoncurrentQuarantined.run(flag, bucket, key, versionId, etag).changes > 0;
    });
  }

  async putObject(record: ObjectRecord, condition?: WriteCondition): Promise<string[]> {
    return this.write(() => this.unreferenced(this.writeCurrent(record, condition)));
  }

  async deleteObject(bucket: string, key: string, condition?: WriteCondition): Promise<string[]> {
    return this.write(() => {
      const current = this.s.getCurrent.get(bucket, key);
      checkWriteCondition(key, current && conditionState(current), condition);
      if (!current) return [];
      this.refuseIfLocked(current, { now: new Date() });
      const released = this.dropBlobRows(bucket, key, current.version_id);
      this.removeCurrent(bucket, key);
      return this.unreferenced(released);
    });
  }

  async deleteVersion(
    bucket: string,
    key: string,
    versionId: string,
    override: LockOverride,
    condition?: WriteCondition,
  ): Promise<{ removed?: ObjectRecord; orphans: string[] }> {
    return this.write(() => {
      this.requireBucket(bucket);
      const current = this.s.getCurrent.get(bucket, key);
      checkWriteCondition(key, current && conditionState(current), condition);
      const isCurrent = current?.version_id === versionId;
      const state = isCurrent ? current : this.s.getNoncurrentState.get(bucket, key, versionId);
      if (!state) return { orphans: [] };
      this.refuseIfLocked(state, override);
      const removed = this.readVersion(bucket, key, versionId)!;
      const released = this.dropBlobRows(bucket, key, versionId);
      if (isCurrent) this.removeCurrent(bucket, key);
      else this.s.deleteNoncurrent.run(bucket, key, versionId);
      return { removed, orphans: this.unreferenced(released) };
    });
  }

  async listVersions(query: VersionListQuery): Promise<VersionListPage> {
    return this.read(() => {
      this.requireBucket(query.bucket);
      return this.versionPage(query);
    });
  }

  async putRetention(bucket: string, key: string, versionId: string | undefined, retention: Retention | undefined, override: LockOverride): Promise<void> {
    return this.write(() => {
      const { state, isCurrent, id } = this.lockTarget(bucket, key, versionId);
      const refusal = retentionChangeRefusal(lockOf(state).retention, retention, override);
      if (refusal !== undefined) throw new S3Error('AccessDenied', { message: `Access Denied because ${refusal}.` });
      const statement = isCurrent ? this.s.setCurrentRetention : this.s.setNoncurrentRetention;
      statement.run(retention?.mode ?? null, retention?.retainUntil.getTime() ?? null, bucket, key, id);
    });
  }

  async putLegalHold(bucket: string, key: string, versionId: string | undefined, on: boolean): Promise<void> {
    return this.write(() => {
      const { isCurrent, id } = this.lockTarget(bucket, key, versionId);
      (isCurrent ? this.s.setCurrentLegalHold : this.s.setNoncurrentLegalHold).run(on ? 1 : 0, bucket, key, id);
    });
  }

  async bucketHoldsLockedVersions(bucket: string, now: Date): Promise<boolean> {
    return this.s.bucketHoldsLocks.get({ bucket, now: now.getTime() }) === 1;
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

  async copyObject(
    source: { bucket: string; key: string; versionId?: string },
    check: CopySourceCheck,
    build: (source: ObjectRecord) => ObjectRecord,
    condition?: WriteCondition,
  ): Promise<{ record: ObjectRecord; orphans: string[] }> {
    return this.write(() => {
      this.requireBucket(source.bucket);
      const found = source.versionId === undefined
        ? this.readObject(source.bucket, source.key)
        : this.readVersion(source.bucket, source.key, source.versionId);
      if (!found || found.deleteMarker) throw new S3Error('NoSuchKey', { fields: { Key: source.key } });
      check(found);
      const record = build(found);
      // Copying onto the source itself drops and re-adds the same blob rows: nothing is released.
      return { record, orphans: this.unreferenced(this.writeCurrent(record, condition)) };
    });
  }

  async putObjectTags(bucket: string, key: string, tags: Tag[], versionId?: string): Promise<void> {
    return this.write(() => {
      this.requireBucket(bucket);
      // Tagging changes neither ETag nor Last-Modified, as in S3.
      const json = JSON.stringify(tags);
      if (versionId === undefined || this.s.getCurrent.get(bucket, key)?.version_id === versionId) {
        if (this.s.setObjectTags.run(json, bucket, key).changes === 0) throw this.missing(key, versionId);
      } else if (this.s.setNoncurrentTags.run(json, bucket, key, versionId).changes === 0) {
        throw this.missing(key, versionId);
      }
    });
  }

  async patchBucket(bucket: string, patch: BucketPatch): Promise<BucketRecord> {
    const columns = patchColumns(patch);
    return this.write(() => {
      this.buckets.clear();
      const names = Object.keys(columns);
      if (names.length > 0) this.bucketUpdate(names).run({ ...columns, name: bucket });
      const row = this.s.getBucket.get(bucket);
      if (!row) throw new S3Error('NoSuchBucket', { fields: { BucketName: bucket } });
      return toBucketRecord(row);
    });
  }

  async putObjectAcl(bucket: string, key: string, acl: string, versionId?: string): Promise<void> {
    return this.write(() => {
      this.requireBucket(bucket);
      if (versionId === undefined || this.s.getCurrent.get(bucket, key)?.version_id === versionId) {
        if (this.s.setObjectAcl.run(acl, bucket, key).changes === 0) throw this.missing(key, versionId);
      } else if (this.s.setNoncurrentAcl.run(acl, bucket, key, versionId).changes === 0) {
        throw this.missing(key, versionId);
      }
    });
  }

  async bucketUsage(bucket: string): Promise<Usage> {
    const row = this.s.bucketCounters.get(bucket);
    if (!row) throw new S3Error('NoSuchBucket', { fields: { BucketName: bucket } });
    return { objects: row.object_count, bytes: row.byte_count };
  }

  async createUpload(upload: UploadRecord, maxOpenUploads?: number): Promise<void> {
    return this.write(() => {
      const counters = this.s.bucketCounters.get(upload.bucket);
      if (!counters) throw new S3Error('NoSuchBucket', { fields: { BucketName: upload.bucket } });
      if (maxOpenUploads !== undefined && counters.upload_count >= maxOpenUploads) {
        throw new S3Error('QuotaExceeded', {
          message: `The bucket has ${counters.upload_count} open multipart uploads, the most this server allows; complete or abort some first.`,
        });
      }
      this.s.insertUpload.run(toUploadRow(upload));
    });
  }

  async getUpload(bucket: string, key: string, uploadId: string): Promise<UploadRecord | undefined> {
    const row = this.s.getUpload.get(uploadId);
    return row && row.bucket === bucket && row.key === key ? toUploadRecord(row) : undefined;
  }

  async putPart(part: PartRecord): Promise<string[]> {
    return this.write(() => {
      const upload = this.requireUpload(part.uploadId);
      const replaced = this.s.getPartBlob.get(part.uploadId, part.partNumber);
      // The part's bytes count against the quotas from now on: refused here, the part is not recorded.
      const before = this.s.bucketCounters.get(upload.bucket)!;
      this.s.replacePart.run(toPartRow(part));
      this.storeStaged([part.blob]);
      this.checkQuotas(upload.bucket, before);
      return this.unreferenced(replaced === undefined ? [] : [replaced]);
    });
  }

  async listParts(uploadId: string, after: number, max: number): Promise<PartListPage> {
    return this.read(() => {
      this.requireUpload(uploadId);
      const limit = Math.max(0, Math.floor(max));
      if (limit === 0) return { parts: [], isTruncated: false };
      // One row more than the page holds tells whether it is truncated.
      const rows = this.s.listParts.all(uploadId, after, limit + 1);
      const page: PartListPage = { parts: rows.slice(0, limit).map(toPartRecord), isTruncated: rows.length > limit };
      if (page.isTruncated) page.nextPartNumberMarker = page.parts.at(-1)?.partNumber;
      return page;
    });
  }

  async allParts(uploadId: string): Promise<PartRecord[]> {
    return this.read(() => {
      this.requireUpload(uploadId);
      return this.s.allParts.all(uploadId).map(toPartRecord);
    });
  }

  async completeUpload(uploadId: string, record: ObjectRecord, condition?: WriteCondition): Promise<string[]> {
    return this.write(() => {
      const upload = this.requireUpload(uploadId);
      // An upload id only completes the key it was created for.
      if (upload.bucket !== record.bucket || upload.key !== record.key) {
        throw new S3Error('NoSuchUpload', { fields: { UploadId: uploadId } });
      }
      const partBlobs = this.s.partBlobsOfUpload.all(uploadId);
      // The parts' bytes already count against the quotas: measured before they are dropped, the object that
      // replaces them grows usage only by what it adds beyond them (nothing, unless it is a new key).
      const before = this.s.bucketCounters.get(record.bucket);
      this.s.deletePartsOfUpload.run(uploadId);
      this.s.deleteUpload.run(uploadId);
      const released = this.writeCurrent(record, condition, before);
      // Parts the record uses stay referenced through its blob rows and are filtered out here.
      return this.unreferenced([...partBlobs, ...released]);
    });
  }

  async abortUpload(uploadId: string): Promise<string[]> {
    return this.write(() => {
      this.requireUpload(uploadId);
      const partBlobs = this.s.partBlobsOfUpload.all(uploadId);
      this.s.deletePartsOfUpload.run(uploadId);
      this.s.deleteUpload.run(uploadId);
      return this.unreferenced(partBlobs);
    });
  }

  async listUploads(query: UploadListQuery): Promise<UploadListPage> {
    // One read transaction, so every skip-scan step of a page sees the same snapshot.
    return this.read(() => {
      this.requireBucket(query.bucket);
      const s = this.s;
      const { bucket } = query;
      const locate = (key: string, uploadId: string): UploadPosition | undefined => {
        const row = s.getUpload.get(uploadId);
        return row && row.bucket === bucket && row.key === key ? { key, initiated: new Date(row.initiated), uploadId } : undefined;
      };
      const scan = (cursor: UploadCursor, before: string | undefined, limit: number): Iterable<UploadRow> => {
        if (isUploadPosition(cursor)) {
          const at = [bucket, cursor.key, cursor.initiated.getTime(), cursor.uploadId];
          return before === undefined
            ? s.uploadsAfterUploadUnbounded.iterate(...at, limit)
            : s.uploadsAfterUpload.iterate(...at, before, limit);
        }
        if (before === undefined) {
          const statement = cursor.inclusive ? s.uploadsFromInclusiveUnbounded : s.uploadsFromExclusiveUnbounded;
          return statement.iterate(bucket, cursor.from, limit);
        }
        const statement = cursor.inclusive ? s.uploadsFromInclusive : s.uploadsFromExclusive;
        return statement.iterate(bucket, cursor.from, before, limit);
      };
      return buildUploadListPage(query, locate, scan, toUploadRecord);
    });
  }

  async expireUploads(
    before: Date,
    scope?: UploadExpiryScope,
  ): Promise<{ uploads: number; aborted: { bucket: string; key: string; uploadId: string }[]; orphans: string[] }> {
    return this.write(() => {
      const cutoff = before.getTime();
      if (scope === undefined) {
        const partBlobs = this.s.expiredUploadBlobs.all(cutoff);
        const expired = this.s.expiredUploads.all(cutoff);
        this.s.deleteExpiredUploadParts.run(cutoff);
        this.s.deleteExpiredUploads.run(cutoff);
        const aborted = expired.map((u) => ({ bucket: u.bucket, key: u.key, uploadId: u.upload_id }));
        return { uploads: aborted.length, aborted, orphans: this.unreferenced(partBlobs) };
      }
      const rows = this.s.expiredUploadsInScope.all({ bucket: scope.bucket, before: cutoff, prefix: scope.prefix, limit: Math.max(0, Math.floor(scope.limit)) });
      const partBlobs: string[] = [];
      for (const row of rows) {
        partBlobs.push(...this.s.partBlobsOfUpload.all(row.upload_id));
        this.s.deletePartsOfUpload.run(row.upload_id);
        this.s.deleteUpload.run(row.upload_id);
      }
      const aborted = rows.map((u) => ({ bucket: scope.bucket, key: u.key, uploadId: u.upload_id }));
      return { uploads: aborted.length, aborted, orphans: this.unreferenced(partBlobs) };
    });
  }

  async getLifecycleCursor(bucket: string): Promise<LifecycleCursor | undefined> {
    const row = this.s.getLifecycleCursor.get(bucket);
    return row && { afterKey: row.after_key, passStartedAt: new Date(row.pass_started_at) };
  }

  async expireObjects(
    bucket: string,
    expirations: LifecycleExpiration[],
    cursor: LifecycleCursor | null,
  ): Promise<{ expired: LifecycleExpiration[]; orphans: string[] }> {
    return this.write(() => {
      this.requireBucket(bucket);
      const override = { now: new Date() };
      const unlocked = (state: CurrentRow): boolean => lockRefusal(lockOf(state), override) === undefined;
      const expired: LifecycleExpiration[] = [];
      const released: string[] = [];
      for (const e of expirations) {
        // Each action in its own savepoint: one that cannot apply leaves the others and the cursor alone.
        const apply = (): boolean => {
          if (e.kind === 'current') {
            const current = this.s.getCurrent.get(bucket, e.object.key);
            const same = current !== undefined && current.delete_marker === 0 && current.version_id === e.object.versionId &&
              current.etag === e.object.etag && current.last_modified === e.object.lastModified.getTime();
            if (!same) return false;
            if (e.deleteMarker !== undefined) {
              // Versioned: the version stays, as a noncurrent one, behind a new delete marker; a lock does not stop that.
              if (e.deleteMarker.bucket !== bucket || e.deleteMarker.key !== e.object.key || !e.deleteMarker.deleteMarker) return false;
              released.push(...this.writeCurrent(e.deleteMarker, undefined));
              return true;
            }
            if (!unlocked(current)) return false;
            released.push(...this.dropBlobRows(bucket, e.object.key, current.version_id));
            this.removeCurrent(bucket, e.object.key);
            return true;
          }
          if (e.kind === 'noncurrent') {
            const state = this.s.getNoncurrentState.get(bucket, e.key, e.versionId);
            if (state === undefined || !unlocked(state)) return false;
            released.push(...this.dropBlobRows(bucket, e.key, e.versionId));
            this.s.deleteNoncurrent.run(bucket, e.key, e.versionId);
            return true;
          }
          // A delete marker goes only while it is current and alone: no version of its key is left behind it.
          const current = this.s.getCurrent.get(bucket, e.key);
          if (current?.delete_marker !== 1 || current.version_id !== e.versionId || this.s.newestNoncurrent.get(bucket, e.key) !== undefined) return false;
          released.push(...this.dropBlobRows(bucket, e.key, e.versionId));
          this.s.deleteObject.run(bucket, e.key);
          return true;
        };
        let done = false;
        try {
          done = this.transaction.deferred(apply) as boolean;
        } catch (err) {
          // A delete marker refused (the null version it would replace is locked) changes nothing.
          if (!(err instanceof S3Error)) throw err;
        }
        if (done) expired.push(e);
      }
      if (cursor === null) this.s.clearLifecycleCursor.run(bucket);
      else this.s.setLifecycleCursor.run(bucket, cursor.afterKey, cursor.passStartedAt.getTime());
      return { expired, orphans: this.unreferenced(released) };
    });
  }

  async isBlobReferenced(id: string): Promise<boolean> {
    return this.s.blobReferenced.get({ id }) === 1;
  }

  async unreferencedBlobs(ids: string[]): Promise<string[]> {
    return ids.filter((id) => this.s.blobReferenced.get({ id }) !== 1);
  }

  /** A consistent copy of the whole database in `file`, taken online (SQLite's backup API). */
  async snapshot(file: string): Promise<void> {
    createPrivateFile(file);
    await this.db.backup(file);
  }

  async rewrapDataKeys(after: string | undefined, limit: number, rewrap: (wrapped: WrappedDataKey) => WrappedDataKey | undefined): Promise<RewrapStep> {
    return this.write(() => rewrapStep(this.s, after, limit, rewrap));
  }

  async dataKeysByMasterKey(): Promise<Record<string, number>> {
    return Object.fromEntries(this.s.dataKeysByMasterKey.all().map((row) => [row.key_id, row.records]));
  }

  async close(): Promise<void> {
    // Writes already queued are committed (and their callers answered) before the file closes.
    this.commits.flush();
    if (this.db.open) this.db.close();
  }

  /** Queues `work` for the next group commit (BEGIN IMMEDIATE, one SAVEPOINT per unit, one COMMIT). */
  private write<T>(work: () => T): Promise<T> {
    return this.commits.run(work);
  }

  private read<T>(work: () => T): T {
    return this.transaction.deferred(work) as T;
  }

  /** One prepared UPDATE per set of columns a patch touches (a handful of shapes in practice). */
  private bucketUpdate(columns: string[]): Database.Statement<[Record<string, unknown>]> {
    const key = columns.join(',');
    let statement = this.bucketUpdates.get(key);
    if (statement === undefined) {
      statement = this.db.prepare(`UPDATE buckets SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE name = @name`);
      this.bucketUpdates.set(key, statement);
    }
    return statement;
  }

  /** One ListObjectVersions page (see version-list-page.ts), answered from this transaction's snapshot. */
  private versionPage(query: VersionListQuery): VersionListPage {
    const s = this.s;
    return buildVersionListPage<VersionRow>(query, (question) => {
      if (question.kind === 'marker') {
        const current = s.getCurrent.get(query.bucket, question.key);
        const marker = current?.version_id === question.versionId
          ? current
          : s.getNoncurrentState.get(query.bucket, question.key, question.versionId);
        return marker?.version_seq;
      }
      if (question.kind === 'noncurrent') return s.noncurrentOf.all(query.bucket, question.key, question.below, question.limit);
      // Read lazily up to the first row that rolls up; the statement is closed before the rows are handled,
      // since handling them runs other statements.
      const rows: VersionRow[] = [];
      const statement = question.inclusive ? s.versionKeysFrom : s.versionKeysAfter;
      for (const row of statement.iterate(query.bucket, question.from, question.limit)) {
        rows.push(row);
        if (question.until(row)) break;
      }
      return rows;
    }, toVersionSummary);
  }

  private requireBucket(name: string): void {
    if (this.s.bucketExists.get(name) === undefined) throw new S3Error('NoSuchBucket', { fields: { BucketName: name } });
  }

  private requireUpload(uploadId: string): UploadRow {
    const row = this.s.getUpload.get(uploadId);
    if (!row) throw new S3Error('NoSuchUpload', { fields: { UploadId: uploadId } });
    return row;
  }

  /** The current version: one statement (the row and its blobs), so one read of the WAL's state, not two. */
  private readObject(bucket: string, key: string): ObjectRecord | undefined {
    const row = this.s.getObjectWithBlobs.get(bucket, key);
    return row && toObjectRecordWithBlobs(row);
  }

  /** One version, current or noncurrent. */
  private readVersion(bucket: string, key: string, versionId: string): ObjectRecord | undefined {
    const current = this.readObject(bucket, key);
    if (current?.versionId === versionId) return current;
    const row = this.s.getNoncurrent.get(bucket, key, versionId);
    return row && toObjectRecord(row, this.s.getObjectBlobs.all(bucket, key, versionId));
  }

  private missing(key: string, versionId: string | undefined): S3Error {
    return versionId === undefined
      ? new S3Error('NoSuchKey', { fields: { Key: key } })
      : new S3Error('NoSuchVersion', { fields: { Key: key, VersionId: versionId } });
  }

  /** The version whose lock settings a request changes: it must exist and not be a delete marker. */
  private lockTarget(bucket: string, key: string, versionId: string | undefined): { state: CurrentRow; isCurrent: boolean; id: string } {
    this.requireBucket(bucket);
    const current = this.s.getCurrent.get(bucket, key);
    const isCurrent = versionId === undefined || current?.version_id === versionId;
    const state = isCurrent ? current : this.s.getNoncurrentState.get(bucket, key, versionId);
    if (!state || (versionId === undefined && state.delete_marker === 1)) throw this.missing(key, versionId);
    if (state.delete_marker === 1) throw new S3Error('MethodNotAllowed', { message: 'The specified method is not allowed against a delete marker.' });
    return { state, isCurrent, id: state.version_id };
  }

  private refuseIfLocked(state: CurrentRow, override: LockOverride): void {
    const refusal = lockRefusal(lockOf(state), override);
    if (refusal !== undefined) throw new S3Error('AccessDenied', { message: `Access Denied because ${refusal}.` });
  }

  /** Deletes the current row of a key; its newest noncurrent version, if any, becomes current. */
  private removeCurrent(bucket: string, key: string): void {
    this.s.deleteObject.run(bucket, key);
    const newest = this.s.newestNoncurrent.get(bucket, key);
    if (newest === undefined) return;
    this.s.promoteNoncurrent.run(bucket, key, newest);
    this.s.deleteNoncurrent.run(bucket, key, newest);
  }

  /**
   * Checks `condition` against the current version under the record's key, then makes `record` current
   * (see MetadataIndex.putObject for what happens to the versions already there). Returns the blob ids of a
   * replaced null version, some maybe still referenced (callers filter with `unreferenced`).
   */
  private writeCurrent(record: ObjectRecord, condition: WriteCondition | undefined, usageBefore?: BucketCountersRow): string[] {
    const { bucket, key } = record;
    this.requireBucket(bucket);
    const current = this.s.getCurrent.get(bucket, key);
    checkWriteCondition(key, current && conditionState(current), condition);
    const before = usageBefore ?? this.s.bucketCounters.get(bucket)!;
    let released: string[] = [];
    if (current !== undefined && record.versionId === 'null' && current.version_id === 'null') {
      // Unversioned (or suspended over a null current): the fast path, one row replaced in place.
      this.refuseIfLocked(current, { now: new Date() });
      released = this.dropBlobRows(bucket, key, 'null');
    } else if (current !== undefined) {
      if (record.versionId === 'null') {
        // Suspended: the one null version goes, wherever it is; other versions stay.
        const oldNull = this.s.getNoncurrentState.get(bucket, key, 'null');
        if (oldNull) {
          this.refuseIfLocked(oldNull, { now: new Date() });
          released = this.dropBlobRows(bucket, key, 'null');
          this.s.deleteNoncurrent.run(bucket, key, 'null');
        }
      }
      this.s.demoteCurrent.run(bucket, key);
      this.s.deleteObject.run(bucket, key);
    }
    this.s.replaceObject.run(toObjectRow(record, (current?.version_seq ?? 0) + 1));
    this.checkQuotas(bucket, before);
    this.storeStaged(record.blobs);
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
    return released;
  }

  /** Writes the inline rows of blobs whose bytes come staged with the record (BlobRef.staged). */
  private storeStaged(blobs: BlobRef[]): void {
    for (const blob of blobs) if (blob.staged !== undefined) this.insertInlineBlob.run(blob.id, blob.staged);
  }

  /**
   * After a write (inside its transaction): fails with QuotaExceeded when the write grew the bucket's objects
   * or bytes past the bucket's quota or its owner's. Bytes are those of objects and of open uploads' parts.
   * A write that does not grow usage (an overwrite with a smaller object) is allowed even over a quota
   * lowered below current usage, so users can clean up.
   */
  private checkQuotas(bucket: string, before: BucketCountersRow): void {
    const after = this.s.bucketCounters.get(bucket)!;
    const bytesAfter = after.byte_count + after.upload_bytes;
    const grewObjects = after.object_count > before.object_count;
    const grewBytes = bytesAfter > before.byte_count + before.upload_bytes;
    if (!grewObjects && !grewBytes) return;
    const exceeded = (quota: Quota | undefined, usage: Usage): boolean =>
      quota !== undefined &&
      ((grewBytes && quota.maxBytes !== undefined && usage.bytes > quota.maxBytes) ||
        (grewObjects && quota.maxObjects !== undefined && usage.objects > quota.maxObjects));
    if (exceeded(toQuota(after.quota_max_bytes, after.quota_max_objects), { objects: after.object_count, bytes: bytesAfter })) {
      throw new S3Error('QuotaExceeded', { message: 'The write would exceed the bucket quota.' });
    }
    const userQuota = this.s.userQuota.get(after.owner);
    if (userQuota && exceeded(toQuota(userQuota.quota_max_bytes, userQuota.quota_max_objects), this.s.ownerCounters.get(after.owner)!)) {
      throw new S3Error('QuotaExceeded', { message: `The write would exceed the quota of user ${after.owner}.` });
    }
  }

  /**
   * Of `candidates`, the blob ids that no object version or upload part references any more. Inline blobs
   * among them are deleted here, in the same transaction that dropped their last reference, which saves
   * the caller a second commit; only file blobs are left for the caller to delete.
   */
  private unreferenced(candidates: Iterable<string>): string[] {
    return [...new Set(candidates)].filter((id) => this.s.blobReferenced.get({ id }) !== 1 && this.deleteInlineBlob.run(id).changes === 0);
  }

  /** Removes the blob rows of one version of (bucket, key); returns the blob ids they held. */
  private dropBlobRows(bucket: string, key: string, versionId: string): string[] {
    const ids = this.s.getObjectBlobs.all(bucket, key, versionId).map((row) => row.blob_id);
    this.s.deleteObjectBlobs.run(bucket, key, versionId);
    return ids;
  }
}
