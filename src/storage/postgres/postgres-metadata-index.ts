// MetadataIndex on PostgreSQL, for any number of gateways sharing one database. Every write is a transaction
// of its own (transactions.ts), and writes, whichever gateway runs them, are ordered by locks:
// - a write of a key takes that key's transaction advisory lock (sklad_lock_keys), then reads the key's current
//   version in a statement of its own, so under READ COMMITTED it sees what the key's previous writer
//   committed: conditions, Object Lock and the key's version order (version_seq) are decided on the latest
//   state, while writes of other keys run alongside. The common PutObject and DeleteObject (unconditional,
//   no versions to keep, no quota) do the same inside one database function each (sklad_put_simple,
//   sklad_delete_simple), in one statement that commits on its own. A lifecycle batch locks all the keys it
//   may change;
// - deleting a bucket locks its row, which a version's insert share-locks through the foreign key: the
//   deletion waits for writes in flight, and later ones find the bucket gone;
// - usage counters are kept by triggers in shards (bucket_counters, a key counting in the shard its hash
//   picks), so writes of different keys rarely touch one row; a write that grows a bucket's usage past a
//   quota is refused after taking the bucket's usage lock (sql.lockUsage) and summing the shards, and one that
//   grows a user's usage locks that user's row first when it has a quota;
// - an upload's writes lock the upload row.
// Versions, Object Lock and lifecycle cursors are kept as the SQLite engine keeps them (see
// docs/architecture.md, Versions).
// The SQL schema keeps SQLite's column names and encodings, so the row converters are shared with it.
import pg from 'pg';
import { S3Error } from '../../errors/s3-error.js';
import type { Quota, Usage } from '../identity-index.js';
import { buildListPageAsync } from '../list-page.js';
import type {
  BlobRef,
  BucketRecord,
  CopySourceCheck,
  BucketPatch,
  ListPage,
  ListQuery,
  MetadataIndex,
  ObjectMetadata,
  ObjectRecord,
  ObjectWithBody,
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
  Retention,
  UploadExpiryScope,
  VersionListPage,
  VersionListQuery,
  WrappedDataKey,
  WriteCondition,
} from '../metadata-index.js';
import { lockRefusal, retentionChangeRefusal } from '../object-lock.js';
import { patchColumns } from '../sqlite/bucket-columns.js';
import {
  conditionState,
  lockOf,
  toVersionSummary,
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
  type VersionRow,
} from '../sqlite/rows.js';
import { buildVersionListPageAsync } from '../version-list-page.js';
import { buildUploadListPageAsync, isUploadPosition, type UploadCursor } from '../upload-list-page.js';
import { checkWriteCondition, isUnconditional } from '../write-condition.js';
import { BucketCache } from './bucket-cache.js';
import { rewrapStep } from './data-key-rewrap.js';
import { ChangeFeed, notifyChange } from './change-feed.js';
import { connectionConfig, isRetryable, openPool, requireStorableText, sqlState, type PostgresOptions } from './connection.js';
import { migrate } from './migrations.js';
import { PostgresSessionIndex } from './postgres-session-index.js';
import { PostgresIdentityIndex } from './postgres-identity-index.js';
import { PostgresInlineBlobs } from './postgres-inline-blobs.js';
import { ReadBatcher } from './read-batcher.js';
import { PostgresTransactions, type Transaction } from './transactions.js';
import { BUCKET_COLUMNS, BUCKET_FIELDS, OBJECT_ROW_FIELDS, PART_FIELDS, UPLOAD_FIELDS, sql } from './statements.js';

/**
 * How long a cached bucket record may be used without hearing of a change: the bound on staleness when
 * notifications are lost. A second, as for credentials.
 */
const DEFAULT_BUCKET_CACHE_MS = 1000;

const { escapeLiteral } = pg;

interface BucketCountersRow {
  object_count: number;
  byte_count: number;
  /** Open multipart uploads and the bytes of their parts. */
  upload_count: number;
  upload_bytes: number;
}

/** A bucket as a write of its keys sees it (sql.lockKeys). */
interface LockedBucketRow {
  name: string;
  owner: string;
  quota_max_bytes: number | null;
  quota_max_objects: number | null;
  /** Whether the owner has a quota of their own. */
  owner_quota: boolean;
}

/** A key locked for a write: its bucket and its current version, read after the lock was taken (sql.lockKey). */
interface LockedKey {
  bucket: LockedBucketRow;
  current: CurrentRow | undefined;
}

type LockKeyRow = LockedBucketRow & { [column in keyof CurrentRow]: CurrentRow[column] | null };

function toLockedKey(row: LockKeyRow | undefined): LockedKey | undefined {
  if (row === undefined) return undefined;
  const { name, owner, quota_max_bytes, quota_max_objects, owner_quota, ...current } = row;
  return {
    bucket: { name, owner, quota_max_bytes, quota_max_objects, owner_quota },
    current: current.version_id === null ? undefined : (current as CurrentRow),
  };
}

/** What a write adds to its bucket's usage (negative when it frees some). */
interface Growth {
  objects: number;
  /** Bytes of objects and of open uploads' parts. */
  bytes: number;
}

/** An object row with its blobs as [blob_id, size] pairs, read in one statement. */
type ObjectRowWithBlobs = ObjectRow & { blobs: [string, number][] };

const values = (row: object, fields: readonly string[]): unknown[] => fields.map((field) => (row as Record<string, unknown>)[field]);

function toRecord(row: ObjectRowWithBlobs): ObjectRecord {
  const blobs: BlobRow[] = row.blobs.map(([blob_id, size]) => ({ blob_id, size }));
  return toObjectRecord(row, blobs);
}

type ObjectRowWithBody = ObjectRowWithBlobs & { inline_body: Buffer | null };

function toRecordWithBody(row: ObjectRowWithBody): ObjectWithBody {
  const record = toRecord(row);
  return row.inline_body === null ? record : { ...record, inlineBody: row.inline_body };
}

/** A key whose current version a batched read asks for. */
interface KeyQuestion {
  bucket: string;
  key: string;
}

/** The question for a batched read (see requireStorableText). */
function batchable(bucket: string, key: string): KeyQuestion {
  requireStorableText(bucket, key);
  return { bucket, key };
}

/**
 * Batches of current-version reads of one kind a gateway runs at once (see ReadBatcher). Fewer batches make
 * bigger ones: measured with 16 GETs in flight per gateway, 2 cost PostgreSQL 126–176 µs of CPU per GET
 * against 240–260 with 4 and 380 with 8, and three gateways then served more than one (see
 * docs/performance.md). Two rather than one, so one slow batch does not hold up every read of the gateway.
 */
const READ_BATCHES = 2;

/** A batched read of current versions: `statement` (sql.getObjects or a twin) answers, `map` makes the records. */
function currentVersionReads<Row extends ObjectRowWithBlobs, R>(
  pool: pg.Pool,
  statement: (values: unknown[]) => pg.QueryConfig,
  map: (row: Row) => R,
): ReadBatcher<KeyQuestion, R> {
  return new ReadBatcher(async (questions) => {
    const { rows } = await pool.query<Row & { n: number }>(statement([questions.map((q) => q.bucket), questions.map((q) => q.key)]));
    const answers = new Array<R | undefined>(questions.length).fill(undefined);
    for (const row of rows) answers[row.n - 1] = map(row);
    return answers;
  }, READ_BATCHES);
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
  readonly transactions: PostgresTransactions;
  private identityIndex: PostgresIdentityIndex | undefined;
  private sessionIndex: PostgresSessionIndex | undefined;

  private readonly buckets: BucketCache;
  /** GetObject's and HeadObject's reads of current versions, batched (see ReadBatcher). */
  private readonly currentReads: ReadBatcher<KeyQuestion, ObjectRecord>;
  private readonly currentBodyReads: ReadBatcher<KeyQuestion, ObjectWithBody>;
  /** Per key ("bucket/key"), when the last write of it issued here has settled (see writeKey). */
  private readonly keyWrites = new Map<string, Promise<void>>();

  private constructor(
    readonly pool: pg.Pool,
    /** Changes other gateways made: caches above the index (credentials, policies) follow it too. */
    readonly changes: ChangeFeed,
    bucketCacheMs: number,
  ) {
    this.transactions = new PostgresTransactions(pool);
    this.buckets = new BucketCache(bucketCacheMs, changes);
    this.currentReads = currentVersionReads<ObjectRowWithBlobs, ObjectRecord>(pool, sql.getObjects, toRecord);
    this.currentBodyReads = currentVersionReads<ObjectRowWithBody, ObjectWithBody>(pool, sql.getObjectsWithBody, toRecordWithBody);
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
    this.identityIndex ??= new PostgresIdentityIndex(this.pool, this.transactions);
    return this.identityIndex;
  }

  /** Console sessions, in the same database. */
  sessions(): PostgresSessionIndex {
    this.sessionIndex ??= new PostgresSessionIndex(this.pool);
    return this.sessionIndex;
  }

  /** True when the database answers: what readiness reports. */
  /** The table of small blobs kept in this database (see storage/inline-blob-store.ts). */
  inlineBlobs(): PostgresInlineBlobs {
    return new PostgresInlineBlobs(this.pool);
  }

  async ping(): Promise<boolean> {
    return this.pool.query('SELECT 1').then(() => true, () => false);
  }

  async createBucket(bucket: BucketRecord): Promise<void> {
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
    if (versionId === undefined) return this.currentReads.get(batchable(bucket, key));
    const { rows } = await this.pool.query<ObjectRowWithBlobs>(sql.getVersion([bucket, key, versionId]));
    return rows[0] && toRecord(rows[0]);
  }

  async getObjectWithBody(bucket: string, key: string, versionId?: string): Promise<ObjectWithBody | undefined> {
    if (versionId === undefined) return this.currentBodyReads.get(batchable(bucket, key));
    const row = (await this.pool.query<ObjectRowWithBody>(sql.getVersionWithBody([bucket, key, versionId]))).rows[0];
    return row && toRecordWithBody(row);
  }

  async scanVersions(after: { bucket: string; key: string; versionId: string } | undefined, limit: number): Promise<ObjectRecord[]> {
    const { rows } = await this.pool.query<ObjectRowWithBlobs>(sql.scanVersions([after?.bucket ?? '', after?.key ?? '', after?.versionId ?? '', limit]));
    return rows.map(toRecord);
  }

  async getObjectMetadata(bucket: string, key: string, versionId?: string): Promise<ObjectMetadata | undefined> {
    // The blob list comes in the same row (BLOBS_OF_ROW): reading it costs this engine no extra round trip.
    const record = await this.getObject(bucket, key, versionId);
    if (record === undefined) return undefined;
    const { blobs: _blobs, ...metadata } = record;
    return metadata;
  }

  async scanObjects(after: { bucket: string; key: string } | undefined, limit: number): Promise<ObjectRecord[]> {
    const { rows } = await this.pool.query<ObjectRowWithBlobs>(sql.scanObjects([after?.bucket ?? '', after?.key ?? '', limit]));
    return rows.map(toRecord);
  }

  async setQuarantined(bucket: string, key: string, etag: string, quarantined: boolean, versionId?: string): Promise<boolean> {
    const flag = quarantined ? 1 : 0;
    // Under the key lock: a named version stays in its table while it is looked for (see setVersionColumn).
    return this.writeKey(bucket, key, async (tx, locked) => {
      if (locked === undefined) return false;
      if (await changed(tx, sql.setCurrentQuarantined([flag, bucket, key, etag, versionId ?? null]))) return true;
      return versionId !== undefined && changed(tx, sql.setNoncurrentQuarantined([flag, bucket, key, etag, versionId]));
    });
  }

  async putObject(record: ObjectRecord, condition?: WriteCondition): Promise<string[]> {
    // Conditions are checked on the general path, against the version read under the lock.
    const simple = record.deleteMarker !== true && isUnconditional(condition)
      ? sql.putSimple([record.bucket, record.key, toObjectRow(record, 0), ...blobColumns(record.blobs), Date.now()])
      : undefined;
    return this.simplyOrInTransaction(record.bucket, record.key, simple, async (tx, locked) =>
      this.unreferenced(tx, await this.writeCurrent(tx, existing(locked, record.bucket), record, condition)));
  }

  async deleteObject(bucket: string, key: string, condition?: WriteCondition): Promise<string[]> {
    const simple = isUnconditional(condition) ? sql.deleteSimple([bucket, key]) : undefined;
    return this.simplyOrInTransaction(bucket, key, simple, async (tx, locked) => {
      if (locked === undefined) return [];
      const { current } = locked;
      checkWriteCondition(key, current && conditionState(current), condition);
      if (!current) return [];
      refuseIfLocked(current, { now: new Date() });
      const released = await this.dropBlobRows(tx, bucket, key, current.version_id);
      await this.removeCurrent(tx, bucket, key);
      return this.unreferenced(tx, released);
    });
  }

  async deleteVersion(
    bucket: string,
    key: string,
    versionId: string,
    override: LockOverride,
    condition?: WriteCondition,
  ): Promise<{ removed?: ObjectRecord; orphans: string[] }> {
    return this.writeKey(bucket, key, async (tx, locked) => {
      const { current } = existing(locked, bucket);
      checkWriteCondition(key, current && conditionState(current), condition);
      const row = (await tx.query<ObjectRowWithBlobs & { is_current: number }>(sql.getVersion([bucket, key, versionId]))).rows[0];
      if (!row) return { orphans: [] };
      refuseIfLocked(row, override);
      const released = await this.dropBlobRows(tx, bucket, key, versionId);
      if (row.is_current === 1) await this.removeCurrent(tx, bucket, key);
      else await tx.query(sql.deleteNoncurrent([bucket, key, versionId]));
      return { removed: toRecord(row), orphans: await this.unreferenced(tx, released) };
    });
  }

  async listVersions(query: VersionListQuery): Promise<VersionListPage> {
    // One snapshot for the page: a key's current version and its noncurrent ones are read as they were
    // together, so a version that another gateway demotes meanwhile is neither listed twice nor missed.
    return this.readTransaction(async (tx) => {
      await this.requireBucket(tx, query.bucket);
      const { bucket } = query;
      return buildVersionListPageAsync<VersionRow>(query, async (question) => {
        if (question.kind === 'marker') {
          const current = (await tx.query<CurrentRow>(sql.getCurrent([bucket, question.key]))).rows[0];
          const marker = current?.version_id === question.versionId
            ? current
            : (await tx.query<CurrentRow>(sql.getNoncurrentState([bucket, question.key, question.versionId]))).rows[0];
          return marker?.version_seq;
        }
        if (question.kind === 'noncurrent') {
          return (await tx.query<VersionRow>(sql.noncurrentOf([bucket, question.key, question.below, question.limit]))).rows;
        }
        const rows: VersionRow[] = [];
        const from = question.inclusive ? sql.versionKeysFrom : sql.versionKeysAfter;
        const scan = batched<VersionRow>(question.limit, query.delimiter === '' ? question.limit : 16, async (last, count) =>
          (await tx.query<VersionRow>((last === undefined ? from : sql.versionKeysAfter)([bucket, last?.key ?? question.from, count]))).rows);
        for await (const row of scan) {
          rows.push(row);
          if (question.until(row)) break;
        }
        return rows;
      }, toVersionSummary);
    });
  }

  async putRetention(bucket: string, key: string, versionId: string | undefined, retention: Retention | undefined, override: LockOverride): Promise<void> {
    return this.writeKey(bucket, key, async (tx, locked) => {
      const { state, isCurrent, id } = await this.lockTarget(tx, existing(locked, bucket), key, versionId);
      const refusal = retentionChangeRefusal(lockOf(state).retention, retention, override);
      if (refusal !== undefined) throw new S3Error('AccessDenied', { message: `Access Denied because ${refusal}.` });
      const statement = isCurrent ? sql.setCurrentRetention : sql.setNoncurrentRetention;
      await tx.query(statement([retention?.mode ?? null, retention?.retainUntil.getTime() ?? null, bucket, key, id]));
    });
  }

  async putLegalHold(bucket: string, key: string, versionId: string | undefined, on: boolean): Promise<void> {
    return this.writeKey(bucket, key, async (tx, locked) => {
      const { isCurrent, id } = await this.lockTarget(tx, existing(locked, bucket), key, versionId);
      await tx.query((isCurrent ? sql.setCurrentLegalHold : sql.setNoncurrentLegalHold)([on ? 1 : 0, bucket, key, id]));
    });
  }

  async bucketHoldsLockedVersions(bucket: string, now: Date): Promise<boolean> {
    const { rows } = await this.pool.query<{ holds: boolean }>(sql.bucketHoldsLocks([bucket, now.getTime()]));
    return rows[0]?.holds === true;
  }

  async list(query: ListQuery): Promise<ListPage> {
    if (query.delimiter !== '') {
      // The skip scan runs in the database (sql.listSkipping): one statement for the page, not one per
      // common prefix.
      const skipping = async function* (this: PostgresMetadataIndex, from: string, inclusive: boolean, before: string | undefined, limit: number): AsyncIterable<SummaryRow> {
        yield* (await this.pool.query<SummaryRow>(sql.listSkipping([query.bucket, query.prefix, query.delimiter, from, inclusive, before ?? null, limit]))).rows;
      };
      const page = await buildListPageAsync(query, skipping.bind(this), toObjectSummary, { scanSkips: true });
      if (page.objects.length === 0 && page.commonPrefixes.length === 0) await this.requireBucket(this.pool, query.bucket);
      return page;
    }
    // Each batch is a statement of its own, outside any transaction: the batches read disjoint, increasing
    // key ranges, so no key can appear twice, and a page reflects each range as it was when read, as S3's
    // own listings do. A transaction would cost two more round trips per page.
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
    source: { bucket: string; key: string; versionId?: string },
    check: CopySourceCheck,
    build: (source: ObjectRecord) => ObjectRecord,
    condition?: WriteCondition,
  ): Promise<{ record: ObjectRecord; orphans: string[] }> {
    return this.write(async (tx) => {
      // The source key locked first: no gateway can drop the source's blobs before this copy's references to
      // them are committed. The target is known only from the record built from the source, so its lock comes
      // second; two copies crosswise between two keys may then deadlock, and PostgreSQL's deadlock error makes
      // one of them run again.
      existing(await this.lockKey(tx, source.bucket, source.key), source.bucket);
      const { rows } = await tx.query<ObjectRowWithBlobs>(source.versionId === undefined
        ? sql.getObject([source.bucket, source.key])
        : sql.getVersion([source.bucket, source.key, source.versionId]));
      const found = rows[0] && toRecord(rows[0]);
      if (!found || found.deleteMarker) throw new S3Error('NoSuchKey', { fields: { Key: source.key } });
      check(found);
      const record = build(found);
      const target = existing(await this.lockKey(tx, record.bucket, record.key), record.bucket);
      return { record, orphans: await this.unreferenced(tx, await this.writeCurrent(tx, target, record, condition)) };
    });
  }

  async putObjectTags(bucket: string, key: string, tags: Tag[], versionId?: string): Promise<void> {
    // Tagging changes neither ETag nor Last-Modified, as in S3.
    return this.setVersionColumn(bucket, key, versionId, JSON.stringify(tags), sql.setCurrentTags, sql.setNoncurrentTags);
  }

  async patchBucket(bucket: string, patch: BucketPatch): Promise<BucketRecord> {
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
    return this.setVersionColumn(bucket, key, versionId, acl, sql.setCurrentAcl, sql.setNoncurrentAcl);
  }

  async bucketUsage(bucket: string): Promise<Usage> {
    const row = (await this.pool.query<BucketCountersRow>(sql.bucketCounters([bucket]))).rows[0];
    if (!row) throw new S3Error('NoSuchBucket', { fields: { BucketName: bucket } });
    return { objects: row.object_count, bytes: row.byte_count };
  }

  async createUpload(upload: UploadRecord, maxOpenUploads?: number): Promise<void> {
    return this.write(async (tx) => {
      try {
        await tx.query(sql.insertUpload(values(toUploadRow(upload), UPLOAD_FIELDS)));
      } catch (error) {
        if (sqlState(error) === '23503') throw new S3Error('NoSuchBucket', { fields: { BucketName: upload.bucket } });
        throw error;
      }
      if (maxOpenUploads === undefined) return;
      // Counted after the insert, under the bucket's usage lock: the limit holds however many gateways
      // create uploads at once.
      await tx.query(sql.lockUsage([upload.bucket]));
      const open = (await tx.query<BucketCountersRow>(sql.bucketCounters([upload.bucket]))).rows[0]!.upload_count;
      if (open > maxOpenUploads) {
        throw new S3Error('QuotaExceeded', {
          message: `The bucket has ${open - 1} open multipart uploads, the most this server allows; complete or abort some first.`,
        });
      }
    });
  }

  async getUpload(bucket: string, key: string, uploadId: string): Promise<UploadRecord | undefined> {
    const row = (await this.pool.query<UploadRow>(sql.getUpload([uploadId]))).rows[0];
    return row && row.bucket === bucket && row.key === key ? toUploadRecord(row) : undefined;
  }

  async putPart(part: PartRecord): Promise<string[]> {
    return this.write(async (tx) => {
      // The upload shared: parts are added side by side, never while the upload completes or aborts.
      const unlocked = await this.requireUpload(tx, part.uploadId, 'read');
      const bucket = await this.lockKeys(tx, unlocked.bucket, []);
      await this.requireUpload(tx, part.uploadId, 'share');
      const replaced = (await tx.query<{ blob_id: string; size: number }>(sql.getPartBlob([part.uploadId, part.partNumber]))).rows[0];
      await tx.query(sql.upsertPart(values(toPartRow(part), PART_FIELDS)));
      if (part.blob.staged !== undefined) await tx.query(sql.insertInlineBlob([part.blob.id, part.blob.staged, Date.now()]));
      // The part's bytes count against the quotas from now on: refused here, the part is not recorded.
      await this.checkQuotas(tx, bucket, { objects: 0, bytes: part.blob.size - (replaced?.size ?? 0) });
      return this.unreferenced(tx, replaced === undefined ? [] : [replaced.blob_id]);
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
    // Locks in the order every writer takes them, the key then the upload.
    return this.writeKey(record.bucket, record.key, async (tx, opened) => {
      const locked = existing(opened, record.bucket);
      const upload = await this.requireUpload(tx, uploadId, 'update');
      // An upload id only completes the key it was created for.
      if (upload.bucket !== record.bucket || upload.key !== record.key) {
        throw new S3Error('NoSuchUpload', { fields: { UploadId: uploadId } });
      }
      const partBlobs = await this.column(tx, sql.partBlobsOfUpload([uploadId]), 'blob_id');
      // The parts' bytes already count against the quotas: dropped first, the object that replaces them
      // grows usage only by what it adds beyond them (nothing, unless it is a new key).
      const partBytes = (await tx.query<{ bytes: number }>(sql.deletePartsOfUpload([uploadId]))).rows[0]!.bytes;
      const released = await this.writeCurrent(tx, locked, record, condition, partBytes);
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
    return this.write(async (tx) => {
      // A lifecycle rule's scope is one bucket, which must exist; the uploads themselves are locked below.
      if (scope !== undefined) await this.lockKeys(tx, scope.bucket, []);
      const { rows: expired } = await tx.query<{ upload_id: string; bucket: string; key: string }>(scope === undefined
        ? sql.lockExpiredUploads([before.getTime()])
        : sql.lockExpiredUploadsInScope([scope.bucket, before.getTime(), scope.prefix, Math.max(0, Math.floor(scope.limit))]));
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

  async unreferencedBlobs(ids: string[]): Promise<string[]> {
    return freeOf(this.pool, ids);
  }

  async getLifecycleCursor(bucket: string): Promise<LifecycleCursor | undefined> {
    const row = (await this.pool.query<{ after_key: string; pass_started_at: number }>(sql.getLifecycleCursor([bucket]))).rows[0];
    return row && { afterKey: row.after_key, passStartedAt: new Date(row.pass_started_at) };
  }

  async expireObjects(
    bucket: string,
    expirations: LifecycleExpiration[],
    cursor: LifecycleCursor | null,
  ): Promise<{ expired: LifecycleExpiration[]; orphans: string[] }> {
    return this.write(async (tx) => {
      // Every key the batch may change, locked at once (in the one order every writer takes key locks in).
      const keys = expirations.map((e) => (e.kind === 'current' ? e.object.key : e.key));
      const locked = await this.lockKeys(tx, bucket, keys);
      const override = { now: new Date() };
      const unlocked = (state: CurrentRow): boolean => lockRefusal(lockOf(state), override) === undefined;
      const expired: LifecycleExpiration[] = [];
      const released: string[] = [];
      // Each action first checks that it still holds and changes nothing when it does not, so one that
      // cannot apply leaves the others and the cursor alone (without a savepoint per action: a batch's
      // hundreds would overflow PostgreSQL's cache of subtransactions).
      const apply = async (e: LifecycleExpiration): Promise<boolean> => {
        if (e.kind === 'current') {
          const current = (await tx.query<CurrentRow>(sql.getCurrent([bucket, e.object.key]))).rows[0];
          const same = current !== undefined && current.delete_marker === 0 && current.version_id === e.object.versionId &&
            current.etag === e.object.etag && current.last_modified === e.object.lastModified.getTime();
          if (!same) return false;
          if (e.deleteMarker !== undefined) {
            // Versioned: the version stays, as a noncurrent one, behind a new delete marker; a lock does not stop
            // that. A null marker replaces the null version, which must then be unlocked.
            if (e.deleteMarker.bucket !== bucket || e.deleteMarker.key !== e.object.key || !e.deleteMarker.deleteMarker) return false;
            if (e.deleteMarker.versionId === 'null') {
              const oldNull = current.version_id === 'null'
                ? current
                : (await tx.query<CurrentRow>(sql.getNoncurrentState([bucket, e.object.key, 'null']))).rows[0];
              if (oldNull !== undefined && !unlocked(oldNull)) return false;
            }
            released.push(...await this.writeCurrent(tx, { bucket: locked, current }, e.deleteMarker, undefined));
            return true;
          }
          if (!unlocked(current)) return false;
          released.push(...await this.dropBlobRows(tx, bucket, e.object.key, current.version_id));
          await this.removeCurrent(tx, bucket, e.object.key);
          return true;
        }
        if (e.kind === 'noncurrent') {
          const state = (await tx.query<CurrentRow>(sql.getNoncurrentState([bucket, e.key, e.versionId]))).rows[0];
          if (state === undefined || !unlocked(state)) return false;
          released.push(...await this.dropBlobRows(tx, bucket, e.key, e.versionId));
          await tx.query(sql.deleteNoncurrent([bucket, e.key, e.versionId]));
          return true;
        }
        // A delete marker goes only while it is current and alone: no version of its key is left behind it.
        const current = (await tx.query<CurrentRow>(sql.getCurrent([bucket, e.key]))).rows[0];
        if (current?.delete_marker !== 1 || current.version_id !== e.versionId) return false;
        if (((await tx.query(sql.hasNoncurrent([bucket, e.key]))).rowCount ?? 0) > 0) return false;
        released.push(...await this.dropBlobRows(tx, bucket, e.key, e.versionId));
        await tx.query(sql.deleteObject([bucket, e.key]));
        return true;
      };
      for (const e of expirations) if (await apply(e)) expired.push(e);
      await tx.query(cursor === null
        ? sql.clearLifecycleCursor([bucket])
        : sql.setLifecycleCursor([bucket, cursor.afterKey, cursor.passStartedAt.getTime()]));
      return { expired, orphans: await this.unreferenced(tx, released) };
    });
  }

  async close(): Promise<void> {
    // Writes in flight are committed (and their callers answered) before the pool closes.
    await this.transactions.flush();
    await this.changes.close();
    await this.pool.end();
  }

  private write<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.transactions.run(work);
  }

  /**
   * A write of one key, given the key locked (undefined when its bucket does not exist). This gateway's
   * writes of a key start one after the other, in the order they were issued (as the SQLite engine's group
   * commit applies them), so a second write of a key waits here for the first rather than inside the
   * database; other gateways' writes of it are ordered by the key lock.
   */
  private writeKey<T>(bucket: string, key: string, work: (tx: Transaction, locked: LockedKey | undefined) => Promise<T>): Promise<T> {
    return this.inKeyOrder(bucket, key, () => this.lockedWrite(bucket, key, work));
  }

  /**
   * A write of one key (as writeKey) that first tries `simple`, one of the statements that do a common write
   * in one round trip and answer the file blobs it released, or NULL when the write is not their simple case
   * (sql.putSimple, sql.deleteSimple). Then, or without `simple`, `work` runs in the general transaction.
   */
  private simplyOrInTransaction(
    bucket: string,
    key: string,
    simple: pg.QueryConfig | undefined,
    work: (tx: Transaction, locked: LockedKey | undefined) => Promise<string[]>,
  ): Promise<string[]> {
    const general = (): Promise<string[]> => this.lockedWrite(bucket, key, work);
    if (simple === undefined) return this.inKeyOrder(bucket, key, general);
    return this.inKeyOrder(bucket, key, async () => {
      try {
        const { rows } = await this.transactions.track(this.pool.query<{ released: string[] | null }>(simple));
        const released = rows[0]?.released;
        if (released !== null && released !== undefined) return released;
      } catch (error) {
        // The bucket was deleted (by another gateway) between the function's look at it and the insert.
        if (sqlState(error) === '23503') throw new S3Error('NoSuchBucket', { fields: { BucketName: bucket } });
        // A deadlock or serialization failure changed nothing: the general path runs the write again.
        if (!isRetryable(error)) throw error;
      }
      return general();
    });
  }

  /** A transaction that starts with the key's lock and the reads under it (see writeKey). */
  private async lockedWrite<T>(bucket: string, key: string, work: (tx: Transaction, locked: LockedKey | undefined) => Promise<T>): Promise<T> {
    // The key's lock and its reads travel with BEGIN (sql.lockKey, its values as escaped literals).
    requireStorableText(bucket, key);
    const opening = `SELECT * FROM sklad_lock_key(${escapeLiteral(bucket)}, ${escapeLiteral(key)})`;
    return this.transactions.run((tx, opened) => work(tx, toLockedKey(opened?.rows[0] as LockKeyRow | undefined)), opening);
  }

  /** Runs `start` after this gateway's writes of the key issued before it have settled. */
  private inKeyOrder<T>(bucket: string, key: string, start: () => Promise<T>): Promise<T> {
    const id = `${bucket}/${key}`;
    const before = this.keyWrites.get(id);
    const result = before === undefined ? start() : before.then(start);
    const settled = result.then(() => undefined, () => undefined);
    this.keyWrites.set(id, settled);
    void settled.then(() => {
      if (this.keyWrites.get(id) === settled) this.keyWrites.delete(id);
    });
    return result;
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

  /**
   * Sets one column (tags or ACL) of a version: the current one when `versionId` is absent or names it, else a
   * noncurrent one. Delete markers have neither. Under the key lock (which costs no round trip of its own),
   * so a named version cannot move between the tables while it is looked for.
   */
  private async setVersionColumn(
    bucket: string,
    key: string,
    versionId: string | undefined,
    value: string,
    current: (values: unknown[]) => pg.QueryConfig,
    noncurrent: (values: unknown[]) => pg.QueryConfig,
  ): Promise<void> {
    return this.writeKey(bucket, key, async (tx, locked) => {
      existing(locked, bucket);
      if (await changed(tx, current([value, bucket, key, versionId ?? null]))) return;
      if (versionId !== undefined && (await changed(tx, noncurrent([value, bucket, key, versionId])))) return;
      throw missing(key, versionId);
    });
  }

  /** The version whose lock settings a request changes, under the key lock: it must exist and not be a delete marker. */
  private async lockTarget(tx: Transaction, locked: LockedKey, key: string, versionId: string | undefined): Promise<{ state: CurrentRow; isCurrent: boolean; id: string }> {
    const { current } = locked;
    const bucket = locked.bucket.name;
    const isCurrent = versionId === undefined || current?.version_id === versionId;
    const state = isCurrent ? current : (await tx.query<CurrentRow>(sql.getNoncurrentState([bucket, key, versionId]))).rows[0];
    if (!state || (versionId === undefined && state.delete_marker === 1)) throw missing(key, versionId);
    if (state.delete_marker === 1) throw new S3Error('MethodNotAllowed', { message: 'The specified method is not allowed against a delete marker.' });
    return { state, isCurrent, id: state.version_id };
  }

  /** Deletes the current row of a key; its newest noncurrent version, if any, becomes current. */
  private async removeCurrent(tx: Transaction, bucket: string, key: string): Promise<void> {
    await tx.query(sql.deleteObject([bucket, key]));
    await tx.query(sql.promoteNewest([bucket, key]));
  }

  private async requireBucket(tx: Transaction, name: string): Promise<void> {
    if ((await tx.query(sql.bucketExists([name]))).rowCount === 0) throw new S3Error('NoSuchBucket', { fields: { BucketName: name } });
  }

  /** Locks the bucket row against new versions (see sql.lockBucket); NoSuchBucket when it does not exist. */
  private async lockBucket(tx: Transaction, name: string): Promise<void> {
    if ((await tx.query(sql.lockBucket([name]))).rowCount === 0) throw new S3Error('NoSuchBucket', { fields: { BucketName: name } });
  }

  /** Locks `keys` of the bucket (see sql.lockKeys) and reads the bucket; NoSuchBucket when it does not exist. */
  private async lockKeys(tx: Transaction, bucket: string, keys: string[]): Promise<LockedBucketRow> {
    const row = (await tx.query<LockedBucketRow>(sql.lockKeys([bucket, keys.map((key) => `${bucket}/${key}`)]))).rows[0];
    if (!row) throw new S3Error('NoSuchBucket', { fields: { BucketName: bucket } });
    return row;
  }

  /** Locks one key (see sql.lockKey); undefined when its bucket does not exist. */
  private async lockKey(tx: Transaction, bucket: string, key: string): Promise<LockedKey | undefined> {
    return toLockedKey((await tx.query<LockKeyRow>(sql.lockKey([bucket, key]))).rows[0]);
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
   * Checks `condition` against the current version under the record's key, then makes `record` current
   * (see MetadataIndex.putObject for what happens to the versions already there). The caller holds the key's
   * lock (`locked`: the bucket and the current version read under it). `freedBytes`: bytes the same transaction already released in the bucket (a
   * completed upload's parts), which the quota check sets against what the record adds. Returns the blob ids
   * of a replaced null version, some maybe still referenced (callers filter with `unreferenced`).
   */
  private async writeCurrent(
    tx: Transaction,
    locked: LockedKey,
    record: ObjectRecord,
    condition: WriteCondition | undefined,
    freedBytes = 0,
  ): Promise<string[]> {
    const { bucket, key } = record;
    const { current } = locked;
    checkWriteCondition(key, current && conditionState(current), condition);
    // What leaves the bucket's counters with the write: the null version it replaces, if any.
    let removed: { delete_marker: number; size: number } | undefined;
    let released: string[] = [];
    if (current !== undefined && record.versionId === 'null' && current.version_id === 'null') {
      // Unversioned (or suspended over a null current): the fast path, one row replaced in place.
      refuseIfLocked(current, { now: new Date() });
      released = await this.dropBlobRows(tx, bucket, key, 'null');
      removed = current;
    } else if (current !== undefined) {
      if (record.versionId === 'null') {
        // Suspended: the one null version goes, wherever it is; other versions stay.
        const oldNull = (await tx.query<CurrentRow>(sql.getNoncurrentState([bucket, key, 'null']))).rows[0];
        if (oldNull) {
          refuseIfLocked(oldNull, { now: new Date() });
          released = await this.dropBlobRows(tx, bucket, key, 'null');
          await tx.query(sql.deleteNoncurrent([bucket, key, 'null']));
          removed = oldNull;
        }
      }
      await tx.query(sql.demoteCurrent([bucket, key]));
    }
    try {
      await tx.query(sql.writeObject([
        ...values(toObjectRow(record, (current?.version_seq ?? 0) + 1), OBJECT_ROW_FIELDS),
        ...blobColumns(record.blobs),
        Date.now(),
      ]));
    } catch (error) {
      // The bucket was deleted (by another gateway) since it was read.
      if (sqlState(error) === '23503') throw new S3Error('NoSuchBucket', { fields: { BucketName: bucket } });
      throw error;
    }
    // What the counting trigger just did to the bucket's counters (delete markers count for nothing).
    const counted = (version: { deleteMarker: boolean; size: number } | undefined): Growth =>
      version === undefined || version.deleteMarker ? { objects: 0, bytes: 0 } : { objects: 1, bytes: version.size };
    const before = counted(removed && { deleteMarker: removed.delete_marker === 1, size: removed.size });
    const after = counted({ deleteMarker: record.deleteMarker === true, size: record.size });
    await this.checkQuotas(tx, locked.bucket, { objects: after.objects - before.objects, bytes: after.bytes - before.bytes - freedBytes });
    return released;
  }

  /**
   * After a write (inside its transaction) that changed its bucket's usage by `growth`: QuotaExceeded when it
   * grew the bucket's objects or bytes past the bucket's quota or its owner's. A write that does not grow usage
   * is allowed even over a quota lowered below current usage, so users can clean up. Growing writes of a
   * bucket with a quota check one at a time (sql.lockUsage), and those of a user with a quota too (the user's
   * row locked), each seeing the counters as every one before it left them.
   */
  private async checkQuotas(tx: Transaction, bucket: LockedBucketRow, growth: Growth): Promise<void> {
    const grewObjects = growth.objects > 0;
    const grewBytes = growth.bytes > 0;
    if (!grewObjects && !grewBytes) return;
    const exceeded = (quota: Quota | undefined, usage: Usage): boolean =>
      quota !== undefined &&
      ((grewBytes && quota.maxBytes !== undefined && usage.bytes > quota.maxBytes) ||
        (grewObjects && quota.maxObjects !== undefined && usage.objects > quota.maxObjects));
    const bucketQuota = toQuota(bucket.quota_max_bytes, bucket.quota_max_objects);
    if (bucketQuota !== undefined) {
      await tx.query(sql.lockUsage([bucket.name]));
      // Bytes are those of objects and of open uploads' parts.
      const after = (await tx.query<BucketCountersRow>(sql.bucketCounters([bucket.name]))).rows[0]!;
      if (exceeded(bucketQuota, { objects: after.object_count, bytes: after.byte_count + after.upload_bytes })) {
        throw new S3Error('QuotaExceeded', { message: 'The write would exceed the bucket quota.' });
      }
    }
    if (!bucket.owner_quota) return;
    // Locked, then summed: the sum then includes every committed write of the user's other buckets.
    const userQuota = (await tx.query<{ quota_max_bytes: number | null; quota_max_objects: number | null }>(sql.lockUserQuota([bucket.owner]))).rows[0];
    if (!userQuota) return;
    const usage = (await tx.query<Usage>(sql.ownerCounters([bucket.owner]))).rows[0]!;
    if (exceeded(toQuota(userQuota.quota_max_bytes, userQuota.quota_max_objects), usage)) {
      throw new S3Error('QuotaExceeded', { message: `The write would exceed the quota of user ${bucket.owner}.` });
    }
  }

  /**
   * Of `candidates`, the blob ids that no object version or upload part references any more, in their
   * order. Inline blobs among them are deleted here, in the transaction that dropped their last reference;
   * only file blobs are left for the caller to delete.
   */
  private async unreferenced(tx: Transaction, candidates: Iterable<string>): Promise<string[]> {
    const free = await freeOf(tx, [...new Set(candidates)]);
    if (free.length === 0) return [];
    const inline = new Set(await this.column(tx, sql.deleteInlineBlobs([free]), 'id'));
    return free.filter((id) => !inline.has(id));
  }

  /** Removes the blob rows of one version of (bucket, key); returns the blob ids they held. */
  private async dropBlobRows(tx: Transaction, bucket: string, key: string, versionId: string): Promise<string[]> {
    return this.column(tx, sql.deleteObjectBlobs([bucket, key, versionId]), 'blob_id');
  }
}

/**
 * A record's blobs as the statements that write them take them: ids and sizes in order, then the ids and
 * bytes of the staged ones (BlobRef.staged), whose inline rows the same statement writes.
 */
function blobColumns(blobs: BlobRef[]): [string[], number[], string[], Buffer[]] {
  const staged = blobs.filter((b): b is BlobRef & { staged: Buffer } => b.staged !== undefined);
  return [blobs.map((b) => b.id), blobs.map((b) => b.size), staged.map((b) => b.id), staged.map((b) => b.staged)];
}

/** Of `ids`, those no object version or upload part references, in their order. */
async function freeOf(tx: Transaction, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await tx.query<{ id: string }>(sql.unreferencedOf([ids]));
  const free = new Set(rows.map((row) => row.id));
  return ids.filter((id) => free.has(id));
}

async function changed(tx: Transaction, query: pg.QueryConfig): Promise<boolean> {
  return ((await tx.query(query)).rowCount ?? 0) > 0;
}

/** The locked key's, when its bucket exists; NoSuchBucket otherwise. */
function existing(locked: LockedKey | undefined, bucket: string): LockedKey {
  if (locked === undefined) throw new S3Error('NoSuchBucket', { fields: { BucketName: bucket } });
  return locked;
}

function missing(key: string, versionId: string | undefined): S3Error {
  return versionId === undefined
    ? new S3Error('NoSuchKey', { fields: { Key: key } })
    : new S3Error('NoSuchVersion', { fields: { Key: key, VersionId: versionId } });
}

function refuseIfLocked(state: CurrentRow, override: LockOverride): void {
  const refusal = lockRefusal(lockOf(state), override);
  if (refusal !== undefined) throw new S3Error('AccessDenied', { message: `Access Denied because ${refusal}.` });
}
