// MetadataIndex on PostgreSQL, for any number of gateways sharing one database. Writes of one gateway go
// through a group commit (one transaction per batch, a savepoint per write); writes of different gateways
// are ordered by row locks: every write of a bucket's objects locks the bucket row first (which also holds
// the usage counters its quota check reads), an upload's writes lock the upload row, and a write that grows
// a user's usage locks that user's row when it has a quota. Conditional writes, quotas and multipart
// completion are therefore decided on the latest committed state, whichever gateway wrote it.
// The SQL schema keeps SQLite's column names and encodings, so the row converters are shared with it.
import type pg from 'pg';
import { S3Error } from '../../errors/s3-error.js';
import type { Quota, Usage } from '../identity-index.js';
import { buildListPageAsync } from '../list-page.js';
import type {
  BucketRecord,
  CopySourceCheck,
  BucketPatch,
  ListPage,
  ListQuery,
  MetadataIndex,
  ObjectRecord,
  PartListPage,
  PartRecord,
  RewrapStep,
  StorageUsage,
  Tag,
  UploadListPage,
  UploadListQuery,
  UploadRecord,
  LifecycleCursor,
  LifecycleExpiration,
  LockOverride,
  UploadExpiryScope,
  VersionListPage,
  VersionListQuery,
  WrappedDataKey,
  WriteCondition,
} from '../metadata-index.js';
import { patchColumns } from '../sqlite/bucket-columns.js';
import {
  toBucketRecord,
  toBucketRow,
  toObjectRecord,
  toObjectRow,
  toObjectSummary,
  toPartRecord,
  toPartRow,
  toQuota,
  toUploadRecord,
  toUploadRow,
  type BlobRow,
  type BucketRow,
  type CurrentRow,
  type ObjectRow,
  type PartRow,
  type SummaryRow,
  type UploadRow,
} from '../sqlite/rows.js';
import { buildUploadListPageAsync, isUploadPosition, type UploadCursor } from '../upload-list-page.js';
import { checkWriteCondition, type CurrentObjectState } from '../write-condition.js';
import { BucketCache } from './bucket-cache.js';
import { rewrapStep } from './data-key-rewrap.js';
import { ChangeFeed, notifyChange } from './change-feed.js';
import { connectionConfig, openPool, sqlState, type PostgresOptions } from './connection.js';
import { PostgresGroupCommit, type Transaction } from './group-commit.js';
import { migrate } from './migrations.js';
import { PostgresSessionIndex } from './postgres-session-index.js';
import { PostgresIdentityIndex } from './postgres-identity-index.js';
import { BUCKET_COLUMNS, BUCKET_FIELDS, OBJECT_ROW_FIELDS, PART_FIELDS, UPLOAD_FIELDS, sql } from './statements.js';

/**
 * How long a cached bucket record may be used without hearing of a change: the bound on staleness when
 * notifications are lost. A second, as for credentials.
 */
const DEFAULT_BUCKET_CACHE_MS = 1000;

interface BucketCountersRow {
  object_count: number;
  byte_count: number;
  /** Open multipart uploads and the bytes of their parts. */
  upload_count: number;
  upload_bytes: number;
  owner: string;
  quota_max_bytes: number | null;
  quota_max_objects: number | null;
}

/** An object row with its blobs as [blob_id, size] pairs, read in one statement. */
type ObjectRowWithBlobs = ObjectRow & { blobs: [string, number][] };

const values = (row: object, fields: readonly string[]): unknown[] => fields.map((field) => (row as Record<string, unknown>)[field]);

function toRecord(row: ObjectRowWithBlobs): ObjectRecord {
  const blobs: BlobRow[] = row.blobs.map(([blob_id, size]) => ({ blob_id, size }));
  // This engine keeps no Object Lock state (only current versions): the columns read as never set.
  return toObjectRecord({ ...row, retention_mode: null, retain_until: null, legal_hold: 0, version_seq: 0 }, blobs);
}

/** Rows of a scan, fetched in batches that grow: a skip scan often wants only the first few. */
async function* batched<Row>(
  limit: number,
  first: number,
  fetch: (after: Row | undefined, count: number) => Promise<Row[]>,
): AsyncIterable<Row> {
  let remaining = limit;
  let size = Math.min(first, limit);
  let last: Row | undefined;
  while (remaining > 0) {
    const rows = await fetch(last, Math.min(size, remaining));
    yield* rows;
    if (rows.length < Math.min(size, remaining)) return;
    remaining -= rows.length;
    last = rows.at(-1);
    size *= 4;
  }
}

export class PostgresMetadataIndex implements MetadataIndex {
  readonly commits: PostgresGroupCommit;
  private identityIndex: PostgresIdentityIndex | undefined;
  private sessionIndex: PostgresSessionIndex | undefined;

  private readonly buckets: BucketCache;

  private constructor(
    readonly pool: pg.Pool,
    /** Changes other gateways made: caches above the index (credentials, policies) follow it too. */
    readonly changes: ChangeFeed,
    bucketCacheMs: number,
  ) {
    this.commits = new PostgresGroupCommit(pool);
    this.buckets = new BucketCache(bucketCacheMs, changes);
  }

  /** Connects, migrates the schema (one gateway at a time), and starts following other gateways' changes. */
  static async open(options: PostgresOptions & { bucketCacheMs?: number }): Promise<PostgresMetadataIndex> {
    const pool = await openPool(options);
    try {
      const client = await pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
      const changes = await ChangeFeed.open(connectionConfig(options));
      return new PostgresMetadataIndex(pool, changes, options.bucketCacheMs ?? DEFAULT_BUCKET_CACHE_MS);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  /** Users and access keys, kept in the same database (see PostgresIdentityIndex). */
  identity(): PostgresIdentityIndex {
    this.identityIndex ??= new PostgresIdentityIndex(this.pool, this.commits);
    return this.identityIndex;
  }

  /** Console sessions, in the same database. */
  sessions(): PostgresSessionIndex {
    this.sessionIndex ??= new PostgresSessionIndex(this.pool);
    return this.sessionIndex;
  }

  /** True when the database answers: what readiness reports. */
  async ping(): Promise<boolean> {
    return this.pool.query('SELECT 1').then(() => true, () => false);
  }

  async createBucket(bucket: BucketRecord): Promise<void> {
    if (bucket.objectLockEnabled === true) throw notYet('Object Lock');
    return this.write(async (tx) => {
      const inserted = await tx.query(sql.insertBucket(values(toBucketRow(bucket), BUCKET_FIELDS)));
      if (inserted.rowCount === 0) {
        const { rows } = await tx.query<{ owner: string }>(sql.bucketOwner([bucket.name]));
        const code = rows[0]?.owner === bucket.owner ? 'BucketAlreadyOwnedByYou' : 'BucketAlreadyExists';
        throw new S3Error(code, { fields: { BucketName: bucket.name } });
      }
      await this.bucketChanged(tx, bucket.name);
    });
  }

  async getBucket(name: string): Promise<BucketRecord | undefined> {
    return this.buckets.get(name, async () => {
      const { rows } = await this.pool.query<BucketRow>(sql.getBucket([name]));
      return rows[0] && toBucketRecord(rows[0]);
    });
  }

  async listBuckets(): Promise<BucketRecord[]> {
    const { rows } = await this.pool.query<BucketRow>(sql.listBuckets());
    return rows.map(toBucketRecord);
  }

  async deleteBucket(name: string): Promise<string[]> {
    return this.write(async (tx) => {
      await this.lockBucket(tx, name);
      const { rows } = await tx.query<{ holds: boolean }>(sql.bucketHoldsObjects([name]));
      if (rows[0]?.holds) throw new S3Error('BucketNotEmpty', { fields: { BucketName: name } });
      const partBlobs = await this.column(tx, sql.uploadBlobsOfBucket([name]), 'blob_id');
      // Parts before their uploads, so the counting trigger still finds their bucket.
      await tx.query(sql.deleteUploadPartsOfBucket([name]));
      await tx.query(sql.deleteUploadsOfBucket([name]));
      await tx.query(sql.deleteBucket([name]));
      await this.bucketChanged(tx, name);
      return this.unreferenced(tx, partBlobs);
    });
  }

  async usage(): Promise<StorageUsage> {
    return this.readTransaction(async (tx) => {
      const { rows } = await tx.query<{ bucket: string; owner: string; objects: number; bytes: number; quota_max_bytes: number | null; quota_max_objects: number | null }>(sql.usageByBucket());
      const uploads = await tx.query<{ count: number }>(sql.countUploads());
      return {
        buckets: rows.map(({ quota_max_bytes, quota_max_objects, ...usage }) => {
          const quota = toQuota(quota_max_bytes, quota_max_objects);
          return quota === undefined ? usage : { ...usage, quota };
        }),
        openUploads: uploads.rows[0]?.count ?? 0,
      };
    });
  }

  async getObject(bucket: string, key: string, versionId?: string): Promise<ObjectRecord | undefined> {
    // One statement reads the row and its blobs, so the pair is consistent without a transaction.
    const { rows } = await this.pool.query<ObjectRowWithBlobs>(sql.getObject([bucket, key]));
    const record = rows[0] && toRecord(rows[0]);
    // Only current versions exist in this engine: a version id names the current one or nothing.
    return versionId === undefined || record?.versionId === versionId ? record : undefined;
  }

  async scanObjects(after: { bucket: string; key: string } | undefined, limit: number): Promise<ObjectRecord[]> {
    const { rows } = await this.pool.query<ObjectRowWithBlobs>(sql.scanObjects([after?.bucket ?? '', after?.key ?? '', limit]));
    return rows.map(toRecord);
  }

  async setQuarantined(bucket: string, key: string, etag: string, quarantined: boolean, versionId?: string): Promise<boolean> {
    if (versionId !== undefined && (await this.getObject(bucket, key, versionId)) === undefined) return false;
    return this.write(async (tx) => ((await tx.query(sql.setQuarantined([quarantined ? 1 : 0, bucket, key, etag]))).rowCount ?? 0) > 0);
  }

  async putObject(record: ObjectRecord, condition?: WriteCondition): Promise<string[]> {
    return this.write(async (tx) => this.unreferenced(tx, await this.writeCurrent(tx, record, condition)));
  }

  async deleteObject(bucket: string, key: string, condition?: WriteCondition): Promise<string[]> {
    return this.write(async (tx) => {
      const { rows } = await tx.query<BucketCountersRow>(sql.lockBucket([bucket]));
      if (rows.length === 0) return [];
      const current = (await tx.query<CurrentRow & { size: number; last_modified: number | string }>(sql.getCurrent([bucket, key]))).rows[0];
      checkWriteCondition(key, current && currentState(current), condition);
      if (!current) return [];
      const released = await this.dropBlobRows(tx, bucket, key, current.version_id);
      await tx.query(sql.deleteObject([bucket, key]));
      return this.unreferenced(tx, released);
    });
  }

  async list(query: ListQuery): Promise<ListPage> {
    // Each skip-scan step is a statement of its own, outside any transaction: the steps read disjoint,
    // increasing key ranges, so no key can appear twice, and a page reflects each range as it was when
    // read, as S3's own listings do. A transaction would cost two more round trips per page.
    const scan = (from: string, inclusive: boolean, before: string | undefined, limit: number): AsyncIterable<SummaryRow> =>
      batched<SummaryRow>(limit, query.delimiter === '' ? limit : 16, async (last, count) => {
        const start = last === undefined ? from : last.key;
        const fromInclusive = last === undefined && inclusive;
        const statement = before === undefined
          ? (fromInclusive ? sql.listFromInclusiveUnbounded : sql.listFromExclusiveUnbounded)([query.bucket, start, count])
          : (fromInclusive ? sql.listFromInclusive : sql.listFromExclusive)([query.bucket, start, before, count]);
        return (await this.pool.query<SummaryRow>(statement)).rows;
      });
    const page = await buildListPageAsync(query, scan, toObjectSummary);
    // An empty page may come from a missing bucket; a page with entries proves the bucket exists.
    if (page.objects.length === 0 && page.commonPrefixes.length === 0) await this.requireBucket(this.pool, query.bucket);
    return page;
  }

  async copyObject(
    source: { bucket: string; key: string },
    check: CopySourceCheck,
    build: (source: ObjectRecord) => ObjectRecord,
    condition?: WriteCondition,
  ): Promise<{ record: ObjectRecord; orphans: string[] }> {
    return this.write(async (tx) => {
      // The source bucket locked: no gateway can drop the source's blobs before this copy's references to
      // them are committed (the target bucket is locked by writeCurrent).
      await this.lockBucket(tx, source.bucket);
      const { rows } = await tx.query<ObjectRowWithBlobs>(sql.getObjectForShare([source.bucket, source.key]));
      const found = rows[0] && toRecord(rows[0]);
      if (!found || found.deleteMarker) throw new S3Error('NoSuchKey', { fields: { Key: source.key } });
      check(found);
      const record = build(found);
      return { record, orphans: await this.unreferenced(tx, await this.writeCurrent(tx, record, condition)) };
    });
  }

  async putObjectTags(bucket: string, key: string, tags: Tag[], versionId?: string): Promise<void> {
    await this.requireCurrentVersion(bucket, key, versionId);
    return this.write(async (tx) => {
      await this.requireBucket(tx, bucket);
      // Tagging changes neither ETag nor Last-Modified, as in S3.
      if ((await tx.query(sql.setObjectTags([JSON.stringify(tags), bucket, key]))).rowCount === 0) {
        throw new S3Error('NoSuchKey', { fields: { Key: key } });
      }
    });
  }

  async patchBucket(bucket: string, patch: BucketPatch): Promise<BucketRecord> {
    if (patch.versioning !== undefined && patch.versioning !== 'Unversioned') throw notYet('bucket versioning');
    if (patch.objectLockEnabled === true || (patch.defaultRetention !== undefined && patch.defaultRetention !== null)) throw notYet('Object Lock');
    if (patch.lifecycle !== undefined && patch.lifecycle !== null) throw notYet('lifecycle rules');
    const columns = Object.entries(patchColumns(patch));
    return this.write(async (tx) => {
      // Column names come from the fixed table of bucket settings, values travel as parameters.
      const statement = columns.length === 0
        ? { text: `SELECT ${BUCKET_COLUMNS} FROM buckets WHERE name = $1`, values: [bucket] }
        : {
            text: `UPDATE buckets SET ${columns.map(([column], i) => `${column} = $${i + 2}`).join(', ')} WHERE name = $1 RETURNING ${BUCKET_COLUMNS}`,
            values: [bucket, ...columns.map(([, value]) => value)],
          };
      const row = (await tx.query<BucketRow>(statement)).rows[0];
      if (!row) throw new S3Error('NoSuchBucket', { fields: { BucketName: bucket } });
      if (columns.length > 0) await this.bucketChanged(tx, bucket);
      return toBucketRecord(row);
    });
  }

  async putObjectAcl(bucket: string, key: string, acl: string, versionId?: string): Promise<void> {
    await this.requireCurrentVersion(bucket, key, versionId);
    return this.write(async (tx) => {
      await this.requireBucket(tx, bucket);
      if ((await tx.query(sql.setObjectAcl([acl, bucket, key]))).rowCount === 0) throw new S3Error('NoSuchKey', { fields: { Key: key } });
    });
  }

  async bucketUsage(bucket: string): Promise<Usage> {
    const { rows } = await this.pool.query<BucketCountersRow>(sql.bucketCounters([bucket]));
    const row = rows[0];
    if (!row) throw new S3Error('NoSuchBucket', { fields: { BucketName: bucket } });
    return { objects: row.object_count, bytes: row.byte_count };
  }

  async createUpload(upload: UploadRecord, maxOpenUploads?: number): Promise<void> {
    return this.write(async (tx) => {
      // Locked: the open-upload limit holds however many gateways create uploads at once.
      const counters = await this.lockBucket(tx, upload.bucket);
      if (maxOpenUploads !== undefined && counters.upload_count >= maxOpenUploads) {
        throw new S3Error('QuotaExceeded', {
          message: `The bucket has ${counters.upload_count} open multipart uploads, the most this server allows; complete or abort some first.`,
        });
      }
      try {
        await tx.query(sql.insertUpload(values(toUploadRow(upload), UPLOAD_FIELDS)));
      } catch (error) {
        // The bucket was deleted by another gateway since the check above.
        if (sqlState(error) === '23503') throw new S3Error('NoSuchBucket', { fields: { BucketName: upload.bucket } });
        throw error;
      }
    });
  }

  async getUpload(bucket: string, key: string, uploadId: string): Promise<UploadRecord | undefined> {
    const row = (await this.pool.query<UploadRow>(sql.getUpload([uploadId]))).rows[0];
    return row && row.bucket === bucket && row.key === key ? toUploadRecord(row) : undefined;
  }

  async putPart(part: PartRecord): Promise<string[]> {
    return this.write(async (tx) => {
      // The upload's bucket locked first (as every writer does), then the upload shared: parts of one upload
      // are added one after another, never while it completes or aborts.
      const unlocked = await this.requireUpload(tx, part.uploadId, 'read');
      const before = await this.lockBucket(tx, unlocked.bucket);
      await this.requireUpload(tx, part.uploadId, 'share');
      const replaced = await this.column(tx, sql.getPartBlob([part.uploadId, part.partNumber]), 'blob_id');
      await tx.query(sql.upsertPart(values(toPartRow(part), PART_FIELDS)));
      // The part's bytes count against the quotas from now on: refused here, the part is not recorded.
      await this.checkQuotas(tx, before, (await tx.query<BucketCountersRow>(sql.bucketCounters([unlocked.bucket]))).rows[0]!);
      return this.unreferenced(tx, replaced);
    });
  }

  async listParts(uploadId: string, after: number, max: number): Promise<PartListPage> {
    return this.readTransaction(async (tx) => {
      await this.requireUpload(tx, uploadId, 'read');
      const limit = Math.max(0, Math.floor(max));
      if (limit === 0) return { parts: [], isTruncated: false };
      // One row more than the page holds tells whether it is truncated.
      const { rows } = await tx.query<PartRow>(sql.listParts([uploadId, after, limit + 1]));
      const page: PartListPage = { parts: rows.slice(0, limit).map(toPartRecord), isTruncated: rows.length > limit };
      if (page.isTruncated) page.nextPartNumberMarker = page.parts.at(-1)?.partNumber;
      return page;
    });
  }

  async allParts(uploadId: string): Promise<PartRecord[]> {
    return this.readTransaction(async (tx) => {
      await this.requireUpload(tx, uploadId, 'read');
      return (await tx.query<PartRow>(sql.allParts([uploadId]))).rows.map(toPartRecord);
    });
  }

  async completeUpload(uploadId: string, record: ObjectRecord, condition?: WriteCondition): Promise<string[]> {
    return this.write(async (tx) => {
      // Locks in the order every writer takes them, bucket then upload: the upload's bucket is known only
      // from its row, so it is read once unlocked, then locked and read again.
      const unlocked = await this.requireUpload(tx, uploadId, 'read');
      await this.lockBucket(tx, unlocked.bucket);
      const upload = await this.requireUpload(tx, uploadId, 'update');
      // An upload id only completes the key it was created for.
      if (upload.bucket !== record.bucket || upload.key !== record.key) {
        throw new S3Error('NoSuchUpload', { fields: { UploadId: uploadId } });
      }
      const partBlobs = await this.column(tx, sql.partBlobsOfUpload([uploadId]), 'blob_id');
      // The parts' bytes already count against the quotas: dropped first, the object that replaces them
      // grows usage only by what it adds beyond them (nothing, unless it is a new key).
      const before = await this.lockBucket(tx, record.bucket);
      await tx.query(sql.deletePartsOfUpload([uploadId]));
      const released = await this.writeCurrent(tx, record, condition, before);
      await tx.query(sql.deleteUpload([uploadId]));
      // Parts the record uses stay referenced through its blob rows and are filtered out here.
      return this.unreferenced(tx, [...partBlobs, ...released]);
    });
  }

  async abortUpload(uploadId: string): Promise<string[]> {
    return this.write(async (tx) => {
      await this.requireUpload(tx, uploadId, 'update');
      const partBlobs = await this.column(tx, sql.partBlobsOfUpload([uploadId]), 'blob_id');
      await tx.query(sql.deletePartsOfUpload([uploadId]));
      await tx.query(sql.deleteUpload([uploadId]));
      return this.unreferenced(tx, partBlobs);
    });
  }

  async listUploads(query: UploadListQuery): Promise<UploadListPage> {
    return this.readTransaction(async (tx) => {
      await this.requireBucket(tx, query.bucket);
      const { bucket } = query;
      const locate = async (key: string, uploadId: string) => {
        const row = (await tx.query<UploadRow>(sql.getUpload([uploadId]))).rows[0];
        return row && row.bucket === bucket && row.key === key ? { key, initiated: new Date(row.initiated), uploadId } : undefined;
      };
      const scan = (cursor: UploadCursor, before: string | undefined, limit: number): AsyncIterable<UploadRow> =>
        batched<UploadRow>(limit, 16, async (last, count) => {
          const at = last !== undefined ? { key: last.key, initiated: new Date(last.initiated), uploadId: last.upload_id } : cursor;
          let statement;
          if (isUploadPosition(at)) {
            const position = [bucket, at.key, at.initiated.getTime(), at.uploadId];
            statement = before === undefined
              ? sql.uploadsAfterUploadUnbounded([...position, count])
              : sql.uploadsAfterUpload([...position, before, count]);
          } else if (before === undefined) {
            statement = (at.inclusive ? sql.uploadsFromInclusiveUnbounded : sql.uploadsFromExclusiveUnbounded)([bucket, at.from, count]);
          } else {
            statement = (at.inclusive ? sql.uploadsFromInclusive : sql.uploadsFromExclusive)([bucket, at.from, before, count]);
          }
          return (await tx.query<UploadRow>(statement)).rows;
        });
      return buildUploadListPageAsync(query, locate, scan, toUploadRecord);
    });
  }

  async expireUploads(before: Date, scope?: UploadExpiryScope): Promise<{ uploads: number; aborted: { bucket: string; key: string; uploadId: string }[]; orphans: string[] }> {
    if (scope !== undefined) throw notYet('lifecycle rules');
    return this.write(async (tx) => {
      const { rows: expired } = await tx.query<{ upload_id: string; bucket: string; key: string }>(sql.lockExpiredUploads([before.getTime()]));
      const ids = expired.map((r) => r.upload_id);
      const aborted = expired.map((r) => ({ bucket: r.bucket, key: r.key, uploadId: r.upload_id }));
      if (ids.length === 0) return { uploads: 0, aborted, orphans: [] };
      const blobs = await this.column(tx, sql.partBlobsOfUploads([ids]), 'blob_id');
      await tx.query(sql.deletePartsOfUploads([ids]));
      await tx.query(sql.deleteUploads([ids]));
      return { uploads: ids.length, aborted, orphans: await this.unreferenced(tx, blobs) };
    });
  }

  async rewrapDataKeys(after: string | undefined, limit: number, rewrap: (wrapped: WrappedDataKey) => WrappedDataKey | undefined): Promise<RewrapStep> {
    return this.write((tx) => rewrapStep(tx, after, limit, rewrap));
  }

  async dataKeysByMasterKey(): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ key_id: string; records: number }>(sql.dataKeysByMasterKey());
    return Object.fromEntries(rows.map((row) => [row.key_id, row.records]));
  }

  async isBlobReferenced(id: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ referenced: boolean }>(sql.blobReferenced([id]));
    return rows[0]?.referenced === true;
  }

  // Object versions, Object Lock and lifecycle state are not yet kept by this engine: buckets here stay
  // unversioned (patchBucket refuses the settings), so only current versions exist.

  async deleteVersion(bucket: string, key: string, versionId: string, _override: LockOverride, condition?: WriteCondition): Promise<{ removed?: ObjectRecord; orphans: string[] }> {
    const current = await this.getObject(bucket, key, versionId);
    if (current === undefined) {
      await this.requireBucket(this.pool, bucket);
      return { orphans: [] };
    }
    return { removed: current, orphans: await this.deleteObject(bucket, key, condition) };
  }

  async listVersions(_query: VersionListQuery): Promise<VersionListPage> {
    throw notYet('ListObjectVersions');
  }

  async putRetention(): Promise<void> {
    throw notYet('Object Lock');
  }

  async putLegalHold(): Promise<void> {
    throw notYet('Object Lock');
  }

  async bucketHoldsLockedVersions(): Promise<boolean> {
    return false;
  }

  async scanVersions(after: { bucket: string; key: string; versionId: string } | undefined, limit: number): Promise<ObjectRecord[]> {
    return this.scanObjects(after, limit);
  }

  async getLifecycleCursor(): Promise<LifecycleCursor | undefined> {
    return undefined;
  }

  async expireObjects(): Promise<{ expired: LifecycleExpiration[]; orphans: string[] }> {
    throw notYet('lifecycle rules');
  }

  async close(): Promise<void> {
    // Writes already queued are committed (and their callers answered) before the pool closes.
    await this.commits.flush();
    await this.changes.close();
    await this.pool.end();
  }

  private write<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.commits.run(work);
  }

  /** Runs `work` in one REPEATABLE READ, read-only transaction: every statement sees the same snapshot. */
  private async readTransaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Drops the bucket from this gateway's cache now and, once the transaction commits, from the others'. */
  private async bucketChanged(tx: Transaction, bucket: string): Promise<void> {
    this.buckets.forget(bucket);
    await notifyChange(tx, { kind: 'bucket', name: bucket });
  }

  /** A version id other than the current version's names nothing here (only current versions are kept). */
  private async requireCurrentVersion(bucket: string, key: string, versionId: string | undefined): Promise<void> {
    if (versionId === undefined) return;
    if ((await this.getObject(bucket, key, versionId)) === undefined) throw new S3Error('NoSuchVersion', { fields: { Key: key, VersionId: versionId } });
  }

  private async requireBucket(tx: Transaction, name: string): Promise<void> {
    if ((await tx.query(sql.bucketExists([name]))).rowCount === 0) throw new S3Error('NoSuchBucket', { fields: { BucketName: name } });
  }

  /** Locks the bucket row (see the class comment); NoSuchBucket when it does not exist. */
  private async lockBucket(tx: Transaction, name: string): Promise<BucketCountersRow> {
    const row = (await tx.query<BucketCountersRow>(sql.lockBucket([name]))).rows[0];
    if (!row) throw new S3Error('NoSuchBucket', { fields: { BucketName: name } });
    return row;
  }

  private async requireUpload(tx: Transaction, uploadId: string, lock: 'read' | 'share' | 'update'): Promise<UploadRow> {
    const statement = lock === 'read' ? sql.getUpload : lock === 'share' ? sql.shareUpload : sql.lockUpload;
    const row = (await tx.query<UploadRow>(statement([uploadId]))).rows[0];
    if (!row) throw new S3Error('NoSuchUpload', { fields: { UploadId: uploadId } });
    return row;
  }

  private async column(tx: Transaction, query: pg.QueryConfig, name: string): Promise<string[]> {
    return (await tx.query<Record<string, string>>(query)).rows.map((row) => row[name]!);
  }

  /**
   * Checks `condition` against the current object under the record's key, then makes `record` current.
   * Returns the replaced version's blob ids, some maybe still referenced (callers filter with `unreferenced`).
   */
  private async writeCurrent(
    tx: Transaction,
    record: ObjectRecord,
    condition: WriteCondition | undefined,
    usageBefore?: BucketCountersRow,
  ): Promise<string[]> {
    const locked = await this.lockBucket(tx, record.bucket);
    const before = usageBefore ?? locked;
    // Read after the lock is held, in a statement of its own: under READ COMMITTED it then sees every write
    // committed by the gateway that held the lock before (a join locking only the bucket row would re-check
    // that row alone and keep the object row it first saw).
    const row = (await tx.query<CurrentRow & { size: number }>(sql.getCurrent([record.bucket, record.key]))).rows[0];
    const current = row && currentState(row);
    checkWriteCondition(record.key, current, condition);
    // Only current versions exist so far: the new record replaces the old one, whose blobs are released
    // unless something else (another key, an upload part, the new record) still uses them.
    const released = row ? await this.dropBlobRows(tx, record.bucket, record.key, row.version_id) : [];
    await tx.query(sql.upsertObject(values(toObjectRow(record), OBJECT_ROW_FIELDS)));
    // What the counting trigger just did to the bucket's counters (delete markers count for nothing).
    const counted = (deleteMarker: boolean | undefined, size: number): [number, number] => (deleteMarker === false ? [1, size] : [0, 0]);
    const [oldObjects, oldBytes] = counted(current?.deleteMarker, row?.size ?? 0);
    const [newObjects, newBytes] = counted(record.deleteMarker, record.size);
    await this.checkQuotas(tx, before, {
      ...locked,
      object_count: locked.object_count - oldObjects + newObjects,
      byte_count: locked.byte_count - oldBytes + newBytes,
    });
    if (record.blobs.length > 0) {
      await tx.query(sql.insertObjectBlobs([
        record.bucket, record.key, record.versionId, record.blobs.map((b) => b.id), record.blobs.map((b) => b.size),
      ]));
    }
    return released;
  }

  /**
   * After a write (inside its transaction): QuotaExceeded when the write grew the bucket's objects or bytes
   * past the bucket's quota or its owner's. A write that does not grow usage is allowed even over a quota
   * lowered below current usage, so users can clean up.
   */
  private async checkQuotas(tx: Transaction, before: BucketCountersRow, after: BucketCountersRow): Promise<void> {
    // Bytes are those of objects and of open uploads' parts.
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
    // Locked, then summed: the sum then includes every committed write of the user's other buckets.
    const userQuota = (await tx.query<{ quota_max_bytes: number | null; quota_max_objects: number | null }>(sql.lockUserQuota([after.owner]))).rows[0];
    if (!userQuota) return;
    const usage = (await tx.query<Usage>(sql.ownerCounters([after.owner]))).rows[0]!;
    if (exceeded(toQuota(userQuota.quota_max_bytes, userQuota.quota_max_objects), usage)) {
      throw new S3Error('QuotaExceeded', { message: `The write would exceed the quota of user ${after.owner}.` });
    }
  }

  /**
   * Of `candidates`, the blob ids that no object version or upload part references any more, in their
   * order. Inline blobs among them are deleted here, in the transaction that dropped their last reference;
   * only file blobs are left for the caller to delete.
   */
  private async unreferenced(tx: Transaction, candidates: Iterable<string>): Promise<string[]> {
    const unique = [...new Set(candidates)];
    if (unique.length === 0) return [];
    const free = new Set(await this.column(tx, sql.unreferencedOf([unique]), 'id'));
    if (free.size === 0) return [];
    const inline = new Set(await this.column(tx, sql.deleteInlineBlobs([[...free]]), 'id'));
    return unique.filter((id) => free.has(id) && !inline.has(id));
  }

  /** Removes the blob rows of one version of (bucket, key); returns the blob ids they held. */
  private async dropBlobRows(tx: Transaction, bucket: string, key: string, versionId: string): Promise<string[]> {
    return this.column(tx, sql.deleteObjectBlobs([bucket, key, versionId]), 'blob_id');
  }
}

function notYet(what: string): S3Error {
  return new S3Error('NotImplemented', { message: `${what} is not yet available with the PostgreSQL metadata engine.` });
}

function currentState(row: { etag: string; delete_marker: number; size: number; last_modified: number | string }): CurrentObjectState {
  return { etag: row.etag, deleteMarker: row.delete_marker === 1, size: Number(row.size), lastModified: new Date(Number(row.last_modified)) };
}
