// Every SQL statement the SQLite metadata index runs, prepared once when the index opens.
import type Database from 'better-sqlite3';
import type { BlobRow, BucketRow, CurrentRow, ObjectRow, ObjectRowWithBlobs, PartRow, SummaryRow, UploadRow, VersionRow } from './rows.js';

const OBJECT_COLUMNS = `bucket, key, version_id, delete_marker, size, etag, last_modified, owner, storage_class,
  content_headers, user_metadata, tags, acl, checksum_algorithm, checksum_type, checksum_value, parts, quarantined, encryption, verify_crc32c,
  retention_mode, retain_until, legal_hold, version_seq`;
const VERSION_COLUMNS = `key, version_id, delete_marker, size, etag, last_modified, owner, storage_class, checksum_algorithm,
  checksum_type, retention_mode, retain_until, legal_hold, version_seq`;
const CURRENT_COLUMNS = 'version_id, etag, delete_marker, size, last_modified, retention_mode, retain_until, legal_hold, version_seq';
const SUMMARY_COLUMNS = 'key, size, etag, last_modified, owner, storage_class, checksum_algorithm, checksum_type';
const BUCKET_COLUMNS = `name, owner, region, created_at, acl, versioning, encryption, policy, public_access_block,
  quota_max_bytes, quota_max_objects, tags, object_lock_enabled, object_lock, lifecycle, cors, website, ownership_controls`;
const UPLOAD_COLUMNS = `upload_id, bucket, key, initiated, owner, storage_class, content_headers, user_metadata, tags,
  acl, checksum_algorithm, checksum_type, encryption, retention_mode, retain_until, legal_hold`;
const PART_COLUMNS = `upload_id, part_number, blob_id, size, etag, last_modified,
  checksum_crc32, checksum_crc32c, checksum_crc64nvme, checksum_sha1, checksum_sha256, verify_crc32c`;

export interface BucketCountersRow {
  object_count: number;
  byte_count: number;
  /** Open multipart uploads and the bytes of their parts (migration step 9). */
  upload_count: number;
  upload_bytes: number;
  owner: string;
  quota_max_bytes: number | null;
  quota_max_objects: number | null;
}

/**
 * The object's blobs, in order, as one JSON array of [blob_id, size] pairs beside its row: a record is read
 * by one statement, and so in one implicit read transaction (each costs more than the lookup itself).
 */
const BLOBS_OF_ROW = `(SELECT json_group_array(json_array(b.blob_id, b.size) ORDER BY b.seq) FROM object_blobs b
  WHERE b.bucket = o.bucket AND b.key = o.key AND b.version_id = o.version_id) AS blobs`;

interface ObjectBlobRow {
  bucket: string;
  key: string;
  version_id: string;
  seq: number;
  blob_id: string;
  size: number;
}

/** (bucket, from, [before,] limit) → listing rows; delete markers are not listed. */
function listScan(db: Database.Database, lower: '>=' | '>', bounded: boolean): Database.Statement<unknown[], SummaryRow> {
  return db.prepare<unknown[], SummaryRow>(`
    SELECT ${SUMMARY_COLUMNS} FROM objects
    WHERE bucket = ? AND key ${lower} ? ${bounded ? 'AND key < ?' : ''} AND delete_marker = 0
    ORDER BY key LIMIT ?`);
}

/**
 * Uploads of a bucket in listing order (key, initiated, upload_id) from a start position, optionally below
 * `before`, at most `limit`: (bucket, key, [before,] limit) or, resuming after one upload,
 * (bucket, key, initiated, upload_id, [before,] limit). The order is the uploads_by_key index, so no sort.
 */
function uploadScan(db: Database.Database, lower: '>=' | '>' | 'after-upload', bounded: boolean): Database.Statement<unknown[], UploadRow> {
  const start = lower === 'after-upload' ? '(key, initiated, upload_id) > (?, ?, ?)' : `key ${lower} ?`;
  return db.prepare<unknown[], UploadRow>(`
    SELECT ${UPLOAD_COLUMNS} FROM uploads
    WHERE bucket = ? AND ${start} ${bounded ? 'AND key < ?' : ''}
    ORDER BY key, initiated, upload_id LIMIT ?`);
}

export function prepareStatements(db: Database.Database) {
  return {
    bucketExists: db.prepare<[string], number>('SELECT 1 FROM buckets WHERE name = ?').pluck(),
    getBucket: db.prepare<[string], BucketRow>(`SELECT ${BUCKET_COLUMNS} FROM buckets WHERE name = ?`),
    listBuckets: db.prepare<[], BucketRow>(`SELECT ${BUCKET_COLUMNS} FROM buckets ORDER BY name`),
    insertBucket: db.prepare<[BucketRow]>(`INSERT INTO buckets (${BUCKET_COLUMNS})
      VALUES (@name, @owner, @region, @created_at, @acl, @versioning, @encryption, @policy, @public_access_block,
      @quota_max_bytes, @quota_max_objects, @tags, @object_lock_enabled, @object_lock, @lifecycle, @cors, @website, @ownership_controls)`),
    deleteBucket: db.prepare<[string]>('DELETE FROM buckets WHERE name = ?'),
    // Delete markers and noncurrent versions keep a bucket from being deleted, as in S3.
    usageByBucket: db.prepare<[], { bucket: string; owner: string; objects: number; bytes: number; quota_max_bytes: number | null; quota_max_objects: number | null }>(
      `SELECT name AS bucket, owner, object_count AS objects, byte_count AS bytes, quota_max_bytes, quota_max_objects
      FROM buckets ORDER BY name`),
    bucketCounters: db.prepare<[string], BucketCountersRow>(`SELECT object_count, byte_count, upload_count, upload_bytes,
      owner, quota_max_bytes, quota_max_objects FROM buckets WHERE name = ?`),
    // What the owner's quota is held against: objects, and the bytes of objects and of open uploads' parts.
    ownerCounters: db.prepare<[string], { objects: number; bytes: number }>(`SELECT coalesce(sum(object_count), 0) AS objects,
      coalesce(sum(byte_count + upload_bytes), 0) AS bytes FROM buckets WHERE owner = ?`),
    userQuota: db.prepare<[string], { quota_max_bytes: number | null; quota_max_objects: number | null }>(
      'SELECT quota_max_bytes, quota_max_objects FROM users WHERE name = ?'),
    setObjectAcl: db.prepare<[string, string, string]>(
      'UPDATE objects SET acl = ? WHERE bucket = ? AND key = ? AND delete_marker = 0'),
    countUploads: db.prepare<[], number>('SELECT count(*) FROM uploads').pluck(),
    bucketHoldsObjects: db.prepare<[{ bucket: string }], number>(`SELECT
      EXISTS (SELECT 1 FROM objects WHERE bucket = @bucket)
      OR EXISTS (SELECT 1 FROM object_versions WHERE bucket = @bucket)`).pluck(),
    uploadBlobsOfBucket: db.prepare<[string], string>(`SELECT DISTINCT p.blob_id
      FROM uploads u JOIN upload_parts p ON p.upload_id = u.upload_id WHERE u.bucket = ?`).pluck(),
    deleteUploadPartsOfBucket: db.prepare<[string]>(`DELETE FROM upload_parts
      WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket = ?)`),
    deleteUploadsOfBucket: db.prepare<[string]>('DELETE FROM uploads WHERE bucket = ?'),

    getCurrent: db.prepare<[string, string], CurrentRow>(
      `SELECT ${CURRENT_COLUMNS} FROM objects WHERE bucket = ? AND key = ?`),
    getNoncurrentState: db.prepare<[string, string, string], CurrentRow>(
      `SELECT ${CURRENT_COLUMNS} FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?`),
    getNoncurrent: db.prepare<[string, string, string], ObjectRow>(
      `SELECT ${OBJECT_COLUMNS} FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?`),
    // Current → noncurrent and back: the row moves whole; its blob rows (keyed by version) stay put.
    demoteCurrent: db.prepare<[string, string]>(`INSERT INTO object_versions (${OBJECT_COLUMNS})
      SELECT ${OBJECT_COLUMNS} FROM objects WHERE bucket = ? AND key = ?`),
    newestNoncurrent: db.prepare<[string, string], string>(`SELECT version_id FROM object_versions
      WHERE bucket = ? AND key = ? ORDER BY version_seq DESC LIMIT 1`).pluck(),
    promoteNoncurrent: db.prepare<[string, string, string]>(`INSERT INTO objects (${OBJECT_COLUMNS})
      SELECT ${OBJECT_COLUMNS} FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?`),
    deleteNoncurrent: db.prepare<[string, string, string]>(
      'DELETE FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?'),
    // ListObjectVersions: keys from the current table (every key with versions has a current one), then
    // each key's noncurrent versions newest first.
    versionKeysFrom: db.prepare<[string, string, number], VersionRow>(`SELECT ${VERSION_COLUMNS} FROM objects
      WHERE bucket = ? AND key >= ? ORDER BY key LIMIT ?`),
    versionKeysAfter: db.prepare<[string, string, number], VersionRow>(`SELECT ${VERSION_COLUMNS} FROM objects
      WHERE bucket = ? AND key > ? ORDER BY key LIMIT ?`),
    noncurrentOf: db.prepare<[string, string, number, number], VersionRow>(`SELECT ${VERSION_COLUMNS} FROM object_versions
      WHERE bucket = ? AND key = ? AND version_seq < ? ORDER BY version_seq DESC LIMIT ?`),
    scanNoncurrent: db.prepare<[string, string, string, number], ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM object_versions
      WHERE (bucket, key, version_id) > (?, ?, ?) AND delete_marker = 0 ORDER BY bucket, key, version_id LIMIT ?`),
    scanCurrentFrom: db.prepare<[string, string, string, number], ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM objects
      WHERE (bucket, key, version_id) > (?, ?, ?) AND delete_marker = 0 ORDER BY bucket, key LIMIT ?`),
    setCurrentRetention: db.prepare<[string | null, number | null, string, string, string]>(
      'UPDATE objects SET retention_mode = ?, retain_until = ? WHERE bucket = ? AND key = ? AND version_id = ?'),
    setNoncurrentRetention: db.prepare<[string | null, number | null, string, string, string]>(
      'UPDATE object_versions SET retention_mode = ?, retain_until = ? WHERE bucket = ? AND key = ? AND version_id = ?'),
    setCurrentLegalHold: db.prepare<[number, string, string, string]>(
      'UPDATE objects SET legal_hold = ? WHERE bucket = ? AND key = ? AND version_id = ?'),
    setNoncurrentLegalHold: db.prepare<[number, string, string, string]>(
      'UPDATE object_versions SET legal_hold = ? WHERE bucket = ? AND key = ? AND version_id = ?'),
    setNoncurrentTags: db.prepare<[string, string, string, string]>(
      'UPDATE object_versions SET tags = ? WHERE bucket = ? AND key = ? AND version_id = ? AND delete_marker = 0'),
    setNoncurrentAcl: db.prepare<[string, string, string, string]>(
      'UPDATE object_versions SET acl = ? WHERE bucket = ? AND key = ? AND version_id = ? AND delete_marker = 0'),
    setNoncurrentQuarantined: db.prepare<[number, string, string, string, string]>(
      'UPDATE object_versions SET quarantined = ? WHERE bucket = ? AND key = ? AND version_id = ? AND etag = ? AND delete_marker = 0'),
    setCurrentQuarantinedVersion: db.prepare<[number, string, string, string, string]>(
      'UPDATE objects SET quarantined = ? WHERE bucket = ? AND key = ? AND version_id = ? AND etag = ? AND delete_marker = 0'),
    bucketHoldsLocks: db.prepare<[{ bucket: string; now: number }], number>(`SELECT
      EXISTS (SELECT 1 FROM objects WHERE bucket = @bucket AND (legal_hold = 1 OR retain_until > @now))
      OR EXISTS (SELECT 1 FROM object_versions WHERE bucket = @bucket AND (legal_hold = 1 OR retain_until > @now))`).pluck(),
    getObject: db.prepare<[string, string], ObjectRow>(
      `SELECT ${OBJECT_COLUMNS} FROM objects WHERE bucket = ? AND key = ?`),
    getObjectWithBlobs: db.prepare<[string, string], ObjectRowWithBlobs>(
      `SELECT ${OBJECT_COLUMNS}, ${BLOBS_OF_ROW} FROM objects o WHERE bucket = ? AND key = ?`),
    replaceObject: db.prepare<[ObjectRow]>(`INSERT OR REPLACE INTO objects (${OBJECT_COLUMNS}) VALUES (
      @bucket, @key, @version_id, @delete_marker, @size, @etag, @last_modified, @owner, @storage_class,
      @content_headers, @user_metadata, @tags, @acl, @checksum_algorithm, @checksum_type, @checksum_value, @parts, @quarantined, @encryption, @verify_crc32c,
      @retention_mode, @retain_until, @legal_hold, @version_seq)`),
    deleteObject: db.prepare<[string, string]>('DELETE FROM objects WHERE bucket = ? AND key = ?'),
    scanObjects: db.prepare<[string, string, number], ObjectRow>(
      `SELECT ${OBJECT_COLUMNS} FROM objects WHERE (bucket, key) > (?, ?) AND delete_marker = 0 ORDER BY bucket, key LIMIT ?`),
    setQuarantined: db.prepare<[number, string, string, string]>(
      'UPDATE objects SET quarantined = ? WHERE bucket = ? AND key = ? AND etag = ? AND delete_marker = 0'),
    setObjectTags: db.prepare<[string, string, string]>(
      'UPDATE objects SET tags = ? WHERE bucket = ? AND key = ? AND delete_marker = 0'),

    getObjectBlobs: db.prepare<[string, string, string], BlobRow>(`SELECT blob_id, size FROM object_blobs
      WHERE bucket = ? AND key = ? AND version_id = ? ORDER BY seq`),
    insertObjectBlob: db.prepare<[ObjectBlobRow]>(`INSERT INTO object_blobs (bucket, key, version_id, seq, blob_id, size)
      VALUES (@bucket, @key, @version_id, @seq, @blob_id, @size)`),
    deleteObjectBlobs: db.prepare<[string, string, string]>(
      'DELETE FROM object_blobs WHERE bucket = ? AND key = ? AND version_id = ?'),
    blobReferenced: db.prepare<[{ id: string }], number>(`SELECT
      EXISTS (SELECT 1 FROM object_blobs WHERE blob_id = @id)
      OR EXISTS (SELECT 1 FROM upload_parts WHERE blob_id = @id)`).pluck(),

    insertUpload: db.prepare<[UploadRow]>(`INSERT INTO uploads (${UPLOAD_COLUMNS}) VALUES (@upload_id, @bucket, @key,
      @initiated, @owner, @storage_class, @content_headers, @user_metadata, @tags, @acl, @checksum_algorithm, @checksum_type,
      @encryption, @retention_mode, @retain_until, @legal_hold)`),
    getUpload: db.prepare<[string], UploadRow>(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE upload_id = ?`),
    deleteUpload: db.prepare<[string]>('DELETE FROM uploads WHERE upload_id = ?'),
    uploadsFromInclusive: uploadScan(db, '>=', true),
    uploadsFromExclusive: uploadScan(db, '>', true),
    uploadsAfterUpload: uploadScan(db, 'after-upload', true),
    uploadsFromInclusiveUnbounded: uploadScan(db, '>=', false),
    uploadsFromExclusiveUnbounded: uploadScan(db, '>', false),
    uploadsAfterUploadUnbounded: uploadScan(db, 'after-upload', false),

    getPartBlob: db.prepare<[string, number], string>(
      'SELECT blob_id FROM upload_parts WHERE upload_id = ? AND part_number = ?').pluck(),
    replacePart: db.prepare<[PartRow]>(`INSERT OR REPLACE INTO upload_parts (${PART_COLUMNS}) VALUES (@upload_id,
      @part_number, @blob_id, @size, @etag, @last_modified,
      @checksum_crc32, @checksum_crc32c, @checksum_crc64nvme, @checksum_sha1, @checksum_sha256, @verify_crc32c)`),
    listParts: db.prepare<[string, number, number], PartRow>(`SELECT ${PART_COLUMNS} FROM upload_parts
      WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?`),
    allParts: db.prepare<[string], PartRow>(
      `SELECT ${PART_COLUMNS} FROM upload_parts WHERE upload_id = ? ORDER BY part_number`),
    partBlobsOfUpload: db.prepare<[string], string>('SELECT blob_id FROM upload_parts WHERE upload_id = ?').pluck(),
    deletePartsOfUpload: db.prepare<[string]>('DELETE FROM upload_parts WHERE upload_id = ?'),
    expiredUploadBlobs: db.prepare<[number], string>(`SELECT DISTINCT blob_id FROM upload_parts
      WHERE upload_id IN (SELECT upload_id FROM uploads WHERE initiated < ?)`).pluck(),
    deleteExpiredUploadParts: db.prepare<[number]>(`DELETE FROM upload_parts
      WHERE upload_id IN (SELECT upload_id FROM uploads WHERE initiated < ?)`),
    deleteExpiredUploads: db.prepare<[number]>('DELETE FROM uploads WHERE initiated < ?'),
    expiredUploads: db.prepare<[number], { bucket: string; key: string; upload_id: string }>(
      'SELECT bucket, key, upload_id FROM uploads WHERE initiated < ?'),
    // A lifecycle rule's uploads: one bucket, a key prefix, oldest first.
    expiredUploadsInScope: db.prepare<[{ bucket: string; before: number; prefix: string; limit: number }], { upload_id: string; key: string }>(
      `SELECT upload_id, key FROM uploads WHERE bucket = @bucket AND initiated < @before AND substr(key, 1, length(@prefix)) = @prefix
      ORDER BY initiated, upload_id LIMIT @limit`),

    getLifecycleCursor: db.prepare<[string], { after_key: string; pass_started_at: number }>(
      'SELECT after_key, pass_started_at FROM lifecycle_cursors WHERE bucket = ?'),
    setLifecycleCursor: db.prepare<[string, string, number]>(
      'INSERT OR REPLACE INTO lifecycle_cursors (bucket, after_key, pass_started_at) VALUES (?, ?, ?)'),
    clearLifecycleCursor: db.prepare<[string]>('DELETE FROM lifecycle_cursors WHERE bucket = ?'),

    // Master-key re-wrap: each table walked in primary-key order from a cursor, SSE-S3 rows only.
    sseObjectsAfter: db.prepare<[string, string, number], { bucket: string; key: string; encryption: string | null }>(`SELECT bucket, key, encryption
      FROM objects WHERE (bucket, key) > (?, ?) ORDER BY bucket, key LIMIT ?`),
    sseVersionsAfter: db.prepare<[string, string, string, number], { bucket: string; key: string; version_id: string; encryption: string | null }>(
      `SELECT bucket, key, version_id, encryption FROM object_versions WHERE (bucket, key, version_id) > (?, ?, ?)
      ORDER BY bucket, key, version_id LIMIT ?`),
    sseUploadsAfter: db.prepare<[string, number], { upload_id: string; encryption: string | null }>(
      'SELECT upload_id, encryption FROM uploads WHERE upload_id > ? ORDER BY upload_id LIMIT ?'),
    setObjectEncryption: db.prepare<[string, string, string, string]>('UPDATE objects SET encryption = ? WHERE bucket = ? AND key = ? AND encryption = ?'),
    setVersionEncryption: db.prepare<[string, string, string, string, string]>(
      'UPDATE object_versions SET encryption = ? WHERE bucket = ? AND key = ? AND version_id = ? AND encryption = ?'),
    setUploadEncryption: db.prepare<[string, string, string]>('UPDATE uploads SET encryption = ? WHERE upload_id = ? AND encryption = ?'),
    dataKeysByMasterKey: db.prepare<[], { key_id: string; records: number }>(`SELECT key_id, count(*) AS records FROM (
      SELECT json_extract(encryption, '$.keyId') AS key_id FROM objects WHERE json_extract(encryption, '$.mode') = 'SSE-S3'
      UNION ALL SELECT json_extract(encryption, '$.keyId') FROM object_versions WHERE json_extract(encryption, '$.mode') = 'SSE-S3'
      UNION ALL SELECT json_extract(encryption, '$.keyId') FROM uploads WHERE json_extract(encryption, '$.mode') = 'SSE-S3'
    ) GROUP BY key_id ORDER BY key_id`),

    listFromInclusive: listScan(db, '>=', true),
    listFromExclusive: listScan(db, '>', true),
    listFromInclusiveUnbounded: listScan(db, '>=', false),
    listFromExclusiveUnbounded: listScan(db, '>', false),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
