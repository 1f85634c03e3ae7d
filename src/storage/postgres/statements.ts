// Every SQL statement the PostgreSQL metadata index runs, beside the parallel ../sqlite/statements.ts.
// node-postgres names each one, so PostgreSQL parses and plans it once per connection.
import type { QueryConfig } from 'pg';
import { INLINE_THRESHOLD } from '../inline-blob-store.js';

const OBJECT_COLUMNS = `bucket, key, version_id, delete_marker, size, etag, last_modified, owner, storage_class,
  content_headers, user_metadata, tags, acl, checksum_algorithm, checksum_type, checksum_value, parts, quarantined, encryption, verify_crc32c,
  retention_mode, retain_until, legal_hold, version_seq`;
const OBJECT_FIELDS = OBJECT_COLUMNS.split(',').map((column) => column.trim());
const SUMMARY_COLUMNS = 'key, size, etag, last_modified, owner, storage_class, checksum_algorithm, checksum_type';
/** What ListObjectVersions shows of a version. */
const VERSION_COLUMNS = `${SUMMARY_COLUMNS}, version_id, delete_marker, retention_mode, retain_until, legal_hold, version_seq`;
/** What a write needs to know of a version it may replace: conditions, locks, order. */
const CURRENT_COLUMNS = 'version_id, etag, delete_marker, size, last_modified, retention_mode, retain_until, legal_hold, version_seq';
export const BUCKET_COLUMNS = `name, owner, region, created_at, acl, versioning, encryption, policy, public_access_block,
  quota_max_bytes, quota_max_objects, tags, object_lock_enabled, object_lock, lifecycle, cors, website, ownership_controls`;
export const BUCKET_FIELDS = BUCKET_COLUMNS.split(',').map((column) => column.trim());
const UPLOAD_COLUMNS = `upload_id, bucket, key, initiated, owner, storage_class, content_headers, user_metadata, tags,
  acl, checksum_algorithm, checksum_type, encryption, retention_mode, retain_until, legal_hold`;
export const UPLOAD_FIELDS = UPLOAD_COLUMNS.split(',').map((column) => column.trim());
const PART_COLUMNS = `upload_id, part_number, blob_id, size, etag, last_modified,
  checksum_crc32, checksum_crc32c, checksum_crc64nvme, checksum_sha1, checksum_sha256, verify_crc32c`;
export const PART_FIELDS = PART_COLUMNS.split(',').map((column) => column.trim());

/** A bucket's name, owner and quota, and whether its owner has a quota of its own (buckets b, users u). */
const BUCKET_QUOTA_COLUMNS = `b.name, b.owner, b.quota_max_bytes, b.quota_max_objects,
  (u.quota_max_bytes IS NOT NULL OR u.quota_max_objects IS NOT NULL) AS owner_quota`;

const placeholders = (count: number, from = 1): string => Array.from({ length: count }, (_, i) => `$${i + from}`).join(', ');

/** A named prepared statement. */
function statement(name: string, text: string): (values?: unknown[]) => QueryConfig {
  return (values = []) => ({ name, text, values });
}

/** The object's blobs, in order, as one JSON array of [blob_id, size] pairs beside the object's row. */
const BLOBS_OF_ROW = `coalesce((SELECT json_agg(json_build_array(b.blob_id, b.size) ORDER BY b.seq) FROM object_blobs b
  WHERE b.bucket = o.bucket AND b.key = o.key AND b.version_id = o.version_id), '[]') AS blobs`;

/**
 * The bytes of the object's first blob when it is a small plaintext one kept inline (GetObject answers from
 * them when that is the object's only blob).
 */
const INLINE_BODY_OF_ROW = `CASE WHEN o.encryption IS NULL AND o.size > 0 AND o.size <= ${INLINE_THRESHOLD} THEN (SELECT i.data
  FROM object_blobs b JOIN inline_blobs i ON i.id = b.blob_id
  WHERE b.bucket = o.bucket AND b.key = o.key AND b.version_id = o.version_id AND b.seq = 0) END AS inline_body`;

/** Current versions of many keys at once ($1 buckets, $2 keys), with `columns` beside the object's own: `n`, the 1-based position asked, beside each row found. */
function currentVersions(name: string, columns: string) {
  return statement(name, `SELECT q.n, r.* FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q(bucket_name, object_key, n)
    CROSS JOIN LATERAL (SELECT ${OBJECT_COLUMNS}, ${columns} FROM objects o WHERE o.bucket = q.bucket_name AND o.key = q.object_key) r`);
}

/** (bucket, from, [before,] limit) → listing rows; delete markers are not listed. */
function listScan(name: string, lower: '>=' | '>', bounded: boolean) {
  return statement(name, `SELECT ${SUMMARY_COLUMNS} FROM objects
    WHERE bucket = $1 AND key ${lower} $2 ${bounded ? 'AND key < $3' : ''} AND delete_marker = 0
    ORDER BY key LIMIT $${bounded ? 4 : 3}`);
}

/** Uploads of a bucket in listing order from a start position, optionally below `before` (see the SQLite twin). */
function uploadScan(name: string, lower: '>=' | '>' | 'after-upload', bounded: boolean) {
  const start = lower === 'after-upload' ? '(key, initiated, upload_id) > ($2, $3, $4)' : `key ${lower} $2`;
  const next = lower === 'after-upload' ? 5 : 3;
  return statement(name, `SELECT ${UPLOAD_COLUMNS} FROM uploads
    WHERE bucket = $1 AND ${start} ${bounded ? `AND key < $${next}` : ''}
    ORDER BY key, initiated, upload_id LIMIT $${bounded ? next + 1 : next}`);
}

export const sql = {
  /** A delimiter listing's rows from a position (see migrations.ts, sklad_list_skip): ($1..$7) → rows. */
  listSkipping: statement('list_skipping', `SELECT ${SUMMARY_COLUMNS} FROM sklad_list_skip($1, $2, $3, $4, $5, $6, $7)`),
  bucketExists: statement('bucket_exists', 'SELECT 1 FROM buckets WHERE name = $1'),
  /**
   * Locks keys ($2, each "bucket/key") of a bucket ($1) (see migrations.ts, sklad_lock_keys) and reads what a
   * write of them needs to know of the bucket. The bucket row is not locked: a write that inserts a version
   * waits for (or fails, once it is gone) a bucket's deletion through the foreign key.
   */
  lockKeys: statement('lock_keys', `SELECT ${BUCKET_QUOTA_COLUMNS} FROM (SELECT sklad_lock_keys($2::text[])) AS locks
    CROSS JOIN buckets b LEFT JOIN users u ON u.name = b.owner WHERE b.name = $1`),
  /** One key locked, with its bucket and current version read after (see migrations.ts, sklad_lock_key). */
  lockKey: statement('lock_key', 'SELECT * FROM sklad_lock_key($1, $2)'),
  /** PutObject and DeleteObject in one statement each, in the simple cases (schema step 6); NULL: not that case. */
  putSimple: statement('put_simple', 'SELECT sklad_put_simple($1, $2, $3, $4, $5, $6, $7, $8) AS released'),
  deleteSimple: statement('delete_simple', 'SELECT sklad_delete_simple($1, $2) AS released'),
  /** The bucket row locked against any new version being inserted, for deleting the bucket. */
  lockBucket: statement('lock_bucket', 'SELECT 1 FROM buckets WHERE name = $1 FOR UPDATE'),
  /**
   * Orders the writes that grow a bucket's usage and check it against a limit (quota, open uploads): each
   * sums the bucket's counters after taking this lock, so it sees every such write before it.
   */
  lockUsage: statement('lock_usage', `SELECT pg_advisory_xact_lock(hashtext('sklad-usage:' || current_schema()), hashtext($1))`),
  getBucket: statement('get_bucket', `SELECT ${BUCKET_COLUMNS} FROM buckets WHERE name = $1`),
  listBuckets: statement('list_buckets', `SELECT ${BUCKET_COLUMNS} FROM buckets ORDER BY name`),
  insertBucket: statement('insert_bucket', `INSERT INTO buckets (${BUCKET_COLUMNS}) VALUES (${placeholders(BUCKET_FIELDS.length)})
    ON CONFLICT (name) DO NOTHING`),
  bucketOwner: statement('bucket_owner', 'SELECT owner FROM buckets WHERE name = $1'),
  deleteBucket: statement('delete_bucket', 'DELETE FROM buckets WHERE name = $1'),
  usageByBucket: statement('usage_by_bucket', `SELECT b.name AS bucket, b.owner, coalesce(c.objects, 0)::bigint AS objects,
    coalesce(c.bytes, 0)::bigint AS bytes, b.quota_max_bytes, b.quota_max_objects FROM buckets b
    LEFT JOIN (SELECT bucket, sum(object_count) AS objects, sum(byte_count) AS bytes FROM bucket_counters GROUP BY bucket) c
      ON c.bucket = b.name ORDER BY b.name`),
  /** A bucket's counters, the sums of its shards (migrations.ts, usageShards); no row when it does not exist. */
  bucketCounters: statement('bucket_counters', `SELECT coalesce(sum(c.object_count), 0)::bigint AS object_count,
    coalesce(sum(c.byte_count), 0)::bigint AS byte_count, coalesce(sum(c.upload_count), 0)::bigint AS upload_count,
    coalesce(sum(c.upload_bytes), 0)::bigint AS upload_bytes
    FROM buckets b LEFT JOIN bucket_counters c ON c.bucket = b.name WHERE b.name = $1 GROUP BY b.name`),
  // What the owner's quota is held against: objects, and the bytes of objects and of open uploads' parts.
  ownerCounters: statement('owner_counters', `SELECT coalesce(sum(c.object_count), 0)::bigint AS objects,
    coalesce(sum(c.byte_count + c.upload_bytes), 0)::bigint AS bytes
    FROM buckets b JOIN bucket_counters c ON c.bucket = b.name WHERE b.owner = $1`),
  /** Locked: growing writes of one user's buckets pass its quota check one at a time, across gateways. */
  lockUserQuota: statement('lock_user_quota', `SELECT quota_max_bytes, quota_max_objects FROM users
    WHERE name = $1 AND (quota_max_bytes IS NOT NULL OR quota_max_objects IS NOT NULL) FOR UPDATE`),
  countUploads: statement('count_uploads', 'SELECT count(*)::bigint AS count FROM uploads'),
  // Delete markers and noncurrent versions keep a bucket from being deleted, as in S3.
  bucketHoldsObjects: statement('bucket_holds_objects', `SELECT EXISTS (SELECT 1 FROM objects WHERE bucket = $1)
    OR EXISTS (SELECT 1 FROM object_versions WHERE bucket = $1) AS holds`),
  uploadBlobsOfBucket: statement('upload_blobs_of_bucket', `SELECT DISTINCT p.blob_id
    FROM uploads u JOIN upload_parts p ON p.upload_id = u.upload_id WHERE u.bucket = $1`),
  deleteUploadPartsOfBucket: statement('delete_upload_parts_of_bucket', `DELETE FROM upload_parts
    WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket = $1)`),
  deleteUploadsOfBucket: statement('delete_uploads_of_bucket', 'DELETE FROM uploads WHERE bucket = $1'),

  getCurrent: statement('get_current', `SELECT ${CURRENT_COLUMNS} FROM objects WHERE bucket = $1 AND key = $2`),
  getNoncurrentState: statement('get_noncurrent_state',
    `SELECT ${CURRENT_COLUMNS} FROM object_versions WHERE bucket = $1 AND key = $2 AND version_id = $3`),
  getObject: statement('get_object', `SELECT ${OBJECT_COLUMNS}, ${BLOBS_OF_ROW} FROM objects o WHERE bucket = $1 AND key = $2`),
  /** Current versions of many keys at once ($1 buckets, $2 keys): `n`, the 1-based position asked, beside each row found. */
  getObjects: currentVersions('get_objects', BLOBS_OF_ROW),
  /** getObjects with each small object's inline bytes (INLINE_BODY_OF_ROW). */
  getObjectsWithBody: currentVersions('get_objects_with_body', `${BLOBS_OF_ROW}, ${INLINE_BODY_OF_ROW}`),
  getVersionWithBody: statement('get_version_with_body', `SELECT ${OBJECT_COLUMNS}, ${BLOBS_OF_ROW}, ${INLINE_BODY_OF_ROW} FROM objects o
      WHERE bucket = $1 AND key = $2 AND version_id = $3
    UNION ALL SELECT ${OBJECT_COLUMNS}, ${BLOBS_OF_ROW}, ${INLINE_BODY_OF_ROW} FROM object_versions o
      WHERE bucket = $1 AND key = $2 AND version_id = $3
    LIMIT 1`),
  /** One version, current or noncurrent, with its blobs; is_current tells which. */
  getVersion: statement('get_version', `SELECT ${OBJECT_COLUMNS}, ${BLOBS_OF_ROW}, 1 AS is_current FROM objects o
      WHERE bucket = $1 AND key = $2 AND version_id = $3
    UNION ALL SELECT ${OBJECT_COLUMNS}, ${BLOBS_OF_ROW}, 0 FROM object_versions o
      WHERE bucket = $1 AND key = $2 AND version_id = $3
    LIMIT 1`),
  // Current → noncurrent and back: the row moves whole in one statement (the counting triggers net zero);
  // its blob rows, keyed by version, stay put.
  demoteCurrent: statement('demote_current', `WITH moved AS (DELETE FROM objects WHERE bucket = $1 AND key = $2
    RETURNING ${OBJECT_COLUMNS}) INSERT INTO object_versions (${OBJECT_COLUMNS}) SELECT ${OBJECT_COLUMNS} FROM moved`),
  /** The newest noncurrent version of a key becomes current (its current row is already gone). */
  promoteNewest: statement('promote_newest', `WITH moved AS (DELETE FROM object_versions WHERE (bucket, key, version_id) = (
      SELECT bucket, key, version_id FROM object_versions WHERE bucket = $1 AND key = $2 ORDER BY version_seq DESC LIMIT 1)
    RETURNING ${OBJECT_COLUMNS}) INSERT INTO objects (${OBJECT_COLUMNS}) SELECT ${OBJECT_COLUMNS} FROM moved`),
  hasNoncurrent: statement('has_noncurrent', 'SELECT 1 FROM object_versions WHERE bucket = $1 AND key = $2 LIMIT 1'),
  /** Removes one noncurrent version; returns what the counters lose with it. */
  deleteNoncurrent: statement('delete_noncurrent', `DELETE FROM object_versions WHERE bucket = $1 AND key = $2 AND version_id = $3
    RETURNING delete_marker, size`),
  // ListObjectVersions: keys from the current table (every key with versions has a current one), then each
  // key's noncurrent versions newest first (object_versions_by_seq).
  versionKeysFrom: statement('version_keys_from', `SELECT ${VERSION_COLUMNS} FROM objects
    WHERE bucket = $1 AND key >= $2 ORDER BY key LIMIT $3`),
  versionKeysAfter: statement('version_keys_after', `SELECT ${VERSION_COLUMNS} FROM objects
    WHERE bucket = $1 AND key > $2 ORDER BY key LIMIT $3`),
  noncurrentOf: statement('noncurrent_of', `SELECT ${VERSION_COLUMNS} FROM object_versions
    WHERE bucket = $1 AND key = $2 AND version_seq < $3 ORDER BY version_seq DESC LIMIT $4`),
  /** Every stored version but delete markers after (bucket, key, version_id), in that order, with blobs. */
  scanVersions: statement('scan_versions', `SELECT o.*, ${BLOBS_OF_ROW} FROM (
      (SELECT ${OBJECT_COLUMNS} FROM objects WHERE (bucket, key, version_id) > ($1, $2, $3) AND delete_marker = 0
        ORDER BY bucket, key LIMIT $4)
      UNION ALL
      (SELECT ${OBJECT_COLUMNS} FROM object_versions WHERE (bucket, key, version_id) > ($1, $2, $3) AND delete_marker = 0
        ORDER BY bucket, key, version_id LIMIT $4)
    ) o ORDER BY bucket, key, version_id LIMIT $4`),
  setCurrentRetention: statement('set_current_retention',
    'UPDATE objects SET retention_mode = $1, retain_until = $2 WHERE bucket = $3 AND key = $4 AND version_id = $5'),
  setNoncurrentRetention: statement('set_noncurrent_retention',
    'UPDATE object_versions SET retention_mode = $1, retain_until = $2 WHERE bucket = $3 AND key = $4 AND version_id = $5'),
  setCurrentLegalHold: statement('set_current_legal_hold',
    'UPDATE objects SET legal_hold = $1 WHERE bucket = $2 AND key = $3 AND version_id = $4'),
  setNoncurrentLegalHold: statement('set_noncurrent_legal_hold',
    'UPDATE object_versions SET legal_hold = $1 WHERE bucket = $2 AND key = $3 AND version_id = $4'),
  // Tags, ACL and quarantine of one version: the current one when the version id is null or names it, else a
  // noncurrent one.
  setCurrentTags: statement('set_current_tags', `UPDATE objects SET tags = $1
    WHERE bucket = $2 AND key = $3 AND ($4::text IS NULL OR version_id = $4) AND delete_marker = 0`),
  setNoncurrentTags: statement('set_noncurrent_tags', `UPDATE object_versions SET tags = $1
    WHERE bucket = $2 AND key = $3 AND version_id = $4 AND delete_marker = 0`),
  setCurrentAcl: statement('set_current_acl', `UPDATE objects SET acl = $1
    WHERE bucket = $2 AND key = $3 AND ($4::text IS NULL OR version_id = $4) AND delete_marker = 0`),
  setNoncurrentAcl: statement('set_noncurrent_acl', `UPDATE object_versions SET acl = $1
    WHERE bucket = $2 AND key = $3 AND version_id = $4 AND delete_marker = 0`),
  setCurrentQuarantined: statement('set_current_quarantined', `UPDATE objects SET quarantined = $1
    WHERE bucket = $2 AND key = $3 AND etag = $4 AND ($5::text IS NULL OR version_id = $5) AND delete_marker = 0`),
  setNoncurrentQuarantined: statement('set_noncurrent_quarantined', `UPDATE object_versions SET quarantined = $1
    WHERE bucket = $2 AND key = $3 AND etag = $4 AND version_id = $5 AND delete_marker = 0`),
  bucketHoldsLocks: statement('bucket_holds_locks', `SELECT
    EXISTS (SELECT 1 FROM objects WHERE bucket = $1 AND (legal_hold = 1 OR retain_until > $2))
    OR EXISTS (SELECT 1 FROM object_versions WHERE bucket = $1 AND (legal_hold = 1 OR retain_until > $2)) AS holds`),
  getLifecycleCursor: statement('get_lifecycle_cursor', 'SELECT after_key, pass_started_at FROM lifecycle_cursors WHERE bucket = $1'),
  setLifecycleCursor: statement('set_lifecycle_cursor', `INSERT INTO lifecycle_cursors (bucket, after_key, pass_started_at)
    VALUES ($1, $2, $3) ON CONFLICT (bucket) DO UPDATE SET after_key = EXCLUDED.after_key, pass_started_at = EXCLUDED.pass_started_at`),
  clearLifecycleCursor: statement('clear_lifecycle_cursor', 'DELETE FROM lifecycle_cursors WHERE bucket = $1'),
  /**
   * Makes a version current (inserting or replacing the key's row) and records its blobs, in one statement;
   * with the inline rows of its staged blobs (ids, bytes, the time).
   */
  writeObject: statement('write_object', `WITH staged AS (
      INSERT INTO inline_blobs (id, data, written_at)
      SELECT s.id, s.data, $${OBJECT_FIELDS.length + 5}::bigint
      FROM unnest($${OBJECT_FIELDS.length + 3}::text[], $${OBJECT_FIELDS.length + 4}::bytea[]) AS s(id, data)),
    written AS (
      INSERT INTO objects (${OBJECT_COLUMNS}) VALUES (${placeholders(OBJECT_FIELDS.length)})
      ON CONFLICT (bucket, key) DO UPDATE SET ${OBJECT_FIELDS.slice(2).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
      RETURNING bucket, key, version_id)
    INSERT INTO object_blobs (bucket, key, version_id, seq, blob_id, size)
    SELECT w.bucket, w.key, w.version_id, b.seq - 1, b.blob_id, b.size FROM written w,
      unnest($${OBJECT_FIELDS.length + 1}::text[], $${OBJECT_FIELDS.length + 2}::bigint[]) WITH ORDINALITY AS b(blob_id, size, seq)`),
  deleteObject: statement('delete_object', 'DELETE FROM objects WHERE bucket = $1 AND key = $2'),
  scanObjects: statement('scan_objects', `SELECT ${OBJECT_COLUMNS}, ${BLOBS_OF_ROW} FROM objects o
    WHERE (bucket, key) > ($1, $2) AND delete_marker = 0 ORDER BY bucket, key LIMIT $3`),

  /** Removes one version's blob rows and returns their blob ids in order. */
  deleteObjectBlobs: statement('delete_object_blobs', `WITH dropped AS (DELETE FROM object_blobs
    WHERE bucket = $1 AND key = $2 AND version_id = $3 RETURNING blob_id, seq) SELECT blob_id FROM dropped ORDER BY seq`),
  /** Of the candidate ids, those that no object version or upload part references. */
  unreferencedOf: statement('unreferenced_of', `SELECT c.id FROM unnest($1::text[]) AS c(id)
    WHERE NOT EXISTS (SELECT 1 FROM object_blobs WHERE blob_id = c.id)
      AND NOT EXISTS (SELECT 1 FROM upload_parts WHERE blob_id = c.id)`),
  deleteInlineBlobs: statement('delete_inline_blobs', 'DELETE FROM inline_blobs WHERE id = ANY($1::text[]) RETURNING id'),
  insertInlineBlob: statement('insert_inline_blob', 'INSERT INTO inline_blobs (id, data, written_at) VALUES ($1, $2, $3)'),
  getInlineBlob: statement('get_inline_blob', 'SELECT data FROM inline_blobs WHERE id = $1'),
  inlineBlobWrittenAt: statement('inline_blob_written_at', 'SELECT written_at FROM inline_blobs WHERE id = $1'),
  inlineBlobIdsAfter: statement('inline_blob_ids_after', 'SELECT id FROM inline_blobs WHERE id > $1 ORDER BY id LIMIT $2'),
  blobReferenced: statement('blob_referenced', `SELECT EXISTS (SELECT 1 FROM object_blobs WHERE blob_id = $1)
    OR EXISTS (SELECT 1 FROM upload_parts WHERE blob_id = $1) AS referenced`),

  insertUpload: statement('insert_upload', `INSERT INTO uploads (${UPLOAD_COLUMNS}) VALUES (${placeholders(UPLOAD_FIELDS.length)})`),
  getUpload: statement('get_upload', `SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE upload_id = $1`),
  /** An upload locked against completion or abort while a part is added to it. */
  shareUpload: statement('share_upload', `SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE upload_id = $1 FOR SHARE`),
  lockUpload: statement('lock_upload', `SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE upload_id = $1 FOR UPDATE`),
  /** Removes an upload's parts; returns the bytes they held. */
  deletePartsOfUpload: statement('delete_parts_of_upload', `WITH dropped AS (DELETE FROM upload_parts WHERE upload_id = $1 RETURNING size)
    SELECT coalesce(sum(size), 0)::bigint AS bytes FROM dropped`),
  deleteUpload: statement('delete_upload', 'DELETE FROM uploads WHERE upload_id = $1'),
  uploadsFromInclusive: uploadScan('uploads_from_inclusive', '>=', true),
  uploadsFromExclusive: uploadScan('uploads_from_exclusive', '>', true),
  uploadsAfterUpload: uploadScan('uploads_after_upload', 'after-upload', true),
  uploadsFromInclusiveUnbounded: uploadScan('uploads_from_inclusive_unbounded', '>=', false),
  uploadsFromExclusiveUnbounded: uploadScan('uploads_from_exclusive_unbounded', '>', false),
  uploadsAfterUploadUnbounded: uploadScan('uploads_after_upload_unbounded', 'after-upload', false),

  getPartBlob: statement('get_part_blob', 'SELECT blob_id, size FROM upload_parts WHERE upload_id = $1 AND part_number = $2'),
  upsertPart: statement('upsert_part', `INSERT INTO upload_parts (${PART_COLUMNS}) VALUES (${placeholders(PART_FIELDS.length)})
    ON CONFLICT (upload_id, part_number) DO UPDATE SET ${PART_FIELDS.slice(2).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`),
  listParts: statement('list_parts', `SELECT ${PART_COLUMNS} FROM upload_parts
    WHERE upload_id = $1 AND part_number > $2 ORDER BY part_number LIMIT $3`),
  allParts: statement('all_parts', `SELECT ${PART_COLUMNS} FROM upload_parts WHERE upload_id = $1 ORDER BY part_number`),
  partBlobsOfUpload: statement('part_blobs_of_upload', 'SELECT blob_id FROM upload_parts WHERE upload_id = $1'),
  /** Expired uploads, locked (skipping those another gateway is completing or aborting). */
  lockExpiredUploads: statement('lock_expired_uploads',
    'SELECT upload_id, bucket, key FROM uploads WHERE initiated < $1 ORDER BY upload_id FOR UPDATE SKIP LOCKED'),
  partBlobsOfUploads: statement('part_blobs_of_uploads', 'SELECT DISTINCT blob_id FROM upload_parts WHERE upload_id = ANY($1::text[])'),
  deletePartsOfUploads: statement('delete_parts_of_uploads', 'DELETE FROM upload_parts WHERE upload_id = ANY($1::text[])'),
  /** A lifecycle rule's expired uploads: one bucket, a key prefix, oldest first, locked as above. */
  lockExpiredUploadsInScope: statement('lock_expired_uploads_in_scope', `SELECT upload_id, bucket, key FROM uploads
    WHERE bucket = $1 AND initiated < $2 AND starts_with(key, $3) ORDER BY initiated, upload_id LIMIT $4 FOR UPDATE SKIP LOCKED`),
  deleteUploads: statement('delete_uploads', 'DELETE FROM uploads WHERE upload_id = ANY($1::text[])'),
  // Master-key re-wrap: each table walked in primary-key order from a cursor.
  sseObjectsAfter: statement('sse_objects_after', 'SELECT bucket, key, encryption FROM objects WHERE (bucket, key) > ($1, $2) ORDER BY bucket, key LIMIT $3'),
  sseVersionsAfter: statement('sse_versions_after', `SELECT bucket, key, version_id, encryption FROM object_versions
    WHERE (bucket, key, version_id) > ($1, $2, $3) ORDER BY bucket, key, version_id LIMIT $4`),
  sseUploadsAfter: statement('sse_uploads_after', 'SELECT upload_id, encryption FROM uploads WHERE upload_id > $1 ORDER BY upload_id LIMIT $2'),
  setObjectEncryption: statement('set_object_encryption', 'UPDATE objects SET encryption = $1 WHERE bucket = $2 AND key = $3 AND encryption = $4'),
  setVersionEncryption: statement('set_version_encryption',
    'UPDATE object_versions SET encryption = $1 WHERE bucket = $2 AND key = $3 AND version_id = $4 AND encryption = $5'),
  setUploadEncryption: statement('set_upload_encryption', 'UPDATE uploads SET encryption = $1 WHERE upload_id = $2 AND encryption = $3'),
  dataKeysByMasterKey: statement('data_keys_by_master_key', `SELECT key_id, count(*)::bigint AS records FROM (
    SELECT encryption::json->>'keyId' AS key_id FROM objects WHERE encryption::json->>'mode' = 'SSE-S3'
    UNION ALL SELECT encryption::json->>'keyId' FROM object_versions WHERE encryption::json->>'mode' = 'SSE-S3'
    UNION ALL SELECT encryption::json->>'keyId' FROM uploads WHERE encryption::json->>'mode' = 'SSE-S3'
  ) AS keys GROUP BY key_id ORDER BY key_id`),

  listFromInclusive: listScan('list_from_inclusive', '>=', true),
  listFromExclusive: listScan('list_from_exclusive', '>', true),
  listFromInclusiveUnbounded: listScan('list_from_inclusive_unbounded', '>=', false),
  listFromExclusiveUnbounded: listScan('list_from_exclusive_unbounded', '>', false),
};

export const OBJECT_ROW_FIELDS = OBJECT_FIELDS;
