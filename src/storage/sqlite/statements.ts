// Every SQL statement the SQLite metadata index runs, prepared once when the index opens.
import type Database from 'better-sqlite3';
import type { BlobRow, BucketRow, CurrentRow, ObjectRow, SummaryRow } from './rows.js';

const OBJECT_COLUMNS = `bucket, key, version_id, delete_marker, size, etag, last_modified, owner, storage_class,
  content_headers, user_metadata, tags, acl, checksum_algorithm, checksum_type, checksum_value, parts`;
const SUMMARY_COLUMNS = 'key, size, etag, last_modified, owner, storage_class, checksum_algorithm, checksum_type';
const BUCKET_COLUMNS = 'name, owner, region, created_at, acl, versioning';

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

export function prepareStatements(db: Database.Database) {
  return {
    bucketExists: db.prepare<[string], number>('SELECT 1 FROM buckets WHERE name = ?').pluck(),
    getBucket: db.prepare<[string], BucketRow>(`SELECT ${BUCKET_COLUMNS} FROM buckets WHERE name = ?`),
    listBuckets: db.prepare<[], BucketRow>(`SELECT ${BUCKET_COLUMNS} FROM buckets ORDER BY name`),
    insertBucket: db.prepare<[BucketRow]>(`INSERT INTO buckets (${BUCKET_COLUMNS})
      VALUES (@name, @owner, @region, @created_at, @acl, @versioning)`),
    deleteBucket: db.prepare<[string]>('DELETE FROM buckets WHERE name = ?'),
    // Delete markers and noncurrent versions keep a bucket from being deleted, as in S3.
    bucketHoldsObjects: db.prepare<[{ bucket: string }], number>(`SELECT
      EXISTS (SELECT 1 FROM objects WHERE bucket = @bucket)
      OR EXISTS (SELECT 1 FROM object_versions WHERE bucket = @bucket)`).pluck(),
    uploadBlobsOfBucket: db.prepare<[string], string>(`SELECT DISTINCT p.blob_id
      FROM uploads u JOIN upload_parts p ON p.upload_id = u.upload_id WHERE u.bucket = ?`).pluck(),
    deleteUploadPartsOfBucket: db.prepare<[string]>(`DELETE FROM upload_parts
      WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket = ?)`),
    deleteUploadsOfBucket: db.prepare<[string]>('DELETE FROM uploads WHERE bucket = ?'),

    getCurrent: db.prepare<[string, string], CurrentRow>(
      'SELECT version_id, etag, delete_marker FROM objects WHERE bucket = ? AND key = ?'),
    getObject: db.prepare<[string, string], ObjectRow>(
      `SELECT ${OBJECT_COLUMNS} FROM objects WHERE bucket = ? AND key = ?`),
    replaceObject: db.prepare<[ObjectRow]>(`INSERT OR REPLACE INTO objects (${OBJECT_COLUMNS}) VALUES (
      @bucket, @key, @version_id, @delete_marker, @size, @etag, @last_modified, @owner, @storage_class,
      @content_headers, @user_metadata, @tags, @acl, @checksum_algorithm, @checksum_type, @checksum_value, @parts)`),
    deleteObject: db.prepare<[string, string]>('DELETE FROM objects WHERE bucket = ? AND key = ?'),

    getObjectBlobs: db.prepare<[string, string, string], BlobRow>(`SELECT blob_id, size FROM object_blobs
      WHERE bucket = ? AND key = ? AND version_id = ? ORDER BY seq`),
    insertObjectBlob: db.prepare<[ObjectBlobRow]>(`INSERT INTO object_blobs (bucket, key, version_id, seq, blob_id, size)
      VALUES (@bucket, @key, @version_id, @seq, @blob_id, @size)`),
    deleteObjectBlobs: db.prepare<[string, string, string]>(
      'DELETE FROM object_blobs WHERE bucket = ? AND key = ? AND version_id = ?'),
    blobReferenced: db.prepare<[{ id: string }], number>(`SELECT
      EXISTS (SELECT 1 FROM object_blobs WHERE blob_id = @id)
      OR EXISTS (SELECT 1 FROM upload_parts WHERE blob_id = @id)`).pluck(),

    listFromInclusive: listScan(db, '>=', true),
    listFromExclusive: listScan(db, '>', true),
    listFromInclusiveUnbounded: listScan(db, '>=', false),
    listFromExclusiveUnbounded: listScan(db, '>', false),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
