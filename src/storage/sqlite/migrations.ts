// Schema of the SQLite metadata index as ordered steps; PRAGMA user_version records how many ran.
// Steps are append-only: a released step is never edited, a change is a new step.
import type Database from 'better-sqlite3';

/*
 * Step 1 lays out everything versioning and multipart need, though only current objects are used yet.
 * - Keys are TEXT in BINARY collation: UTF-8 bytewise, the order S3 lists in.
 * - Times are integer milliseconds since the epoch; JSON columns hold the record's maps and lists.
 * - objects holds the current version of each key (a delete marker is a current version too);
 *   object_versions holds noncurrent versions, same shape, keyed by version id.
 * - object_blobs maps (bucket, key, version) to its blobs for current and noncurrent versions alike,
 *   so moving a version between the two tables leaves its blob rows untouched. Together with
 *   upload_parts, indexed by blob id, it answers "is this blob still referenced" with two probes.
 * - WITHOUT ROWID clusters rows by primary key, so listings and per-upload part scans read
 *   consecutive pages instead of hopping through a rowid table.
 */
const step1 = `
CREATE TABLE buckets (
  name                TEXT    NOT NULL PRIMARY KEY,
  owner               TEXT    NOT NULL,
  region              TEXT    NOT NULL,
  created_at          INTEGER NOT NULL,
  acl                 TEXT    NOT NULL,
  versioning          TEXT    NOT NULL DEFAULT 'Unversioned'
                      CHECK (versioning IN ('Unversioned', 'Enabled', 'Suspended')),
  object_lock_enabled INTEGER NOT NULL DEFAULT 0,
  tags                TEXT,
  policy              TEXT,
  cors                TEXT,
  lifecycle           TEXT,
  encryption          TEXT,
  object_lock         TEXT,
  ownership_controls  TEXT,
  public_access_block TEXT,
  website             TEXT,
  logging             TEXT,
  notification        TEXT
);

CREATE TABLE objects (
  bucket             TEXT    NOT NULL REFERENCES buckets (name),
  key                TEXT    NOT NULL COLLATE BINARY,
  version_id         TEXT    NOT NULL,
  delete_marker      INTEGER NOT NULL DEFAULT 0 CHECK (delete_marker IN (0, 1)),
  size               INTEGER NOT NULL,
  etag               TEXT    NOT NULL,
  last_modified      INTEGER NOT NULL,
  owner              TEXT    NOT NULL,
  storage_class      TEXT    NOT NULL,
  content_headers    TEXT    NOT NULL DEFAULT '{}',
  user_metadata      TEXT    NOT NULL DEFAULT '{}',
  tags               TEXT    NOT NULL DEFAULT '[]',
  acl                TEXT    NOT NULL,
  checksum_algorithm TEXT,
  checksum_type      TEXT,
  checksum_value     TEXT,
  parts              TEXT,
  retention_mode     TEXT,
  retain_until       INTEGER,
  legal_hold         INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket, key)
) WITHOUT ROWID;

CREATE TABLE object_versions (
  bucket             TEXT    NOT NULL REFERENCES buckets (name),
  key                TEXT    NOT NULL COLLATE BINARY,
  version_id         TEXT    NOT NULL,
  delete_marker      INTEGER NOT NULL DEFAULT 0 CHECK (delete_marker IN (0, 1)),
  size               INTEGER NOT NULL,
  etag               TEXT    NOT NULL,
  last_modified      INTEGER NOT NULL,
  owner              TEXT    NOT NULL,
  storage_class      TEXT    NOT NULL,
  content_headers    TEXT    NOT NULL DEFAULT '{}',
  user_metadata      TEXT    NOT NULL DEFAULT '{}',
  tags               TEXT    NOT NULL DEFAULT '[]',
  acl                TEXT    NOT NULL,
  checksum_algorithm TEXT,
  checksum_type      TEXT,
  checksum_value     TEXT,
  parts              TEXT,
  retention_mode     TEXT,
  retain_until       INTEGER,
  legal_hold         INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket, key, version_id)
) WITHOUT ROWID;

CREATE TABLE object_blobs (
  bucket     TEXT    NOT NULL,
  key        TEXT    NOT NULL COLLATE BINARY,
  version_id TEXT    NOT NULL,
  seq        INTEGER NOT NULL,
  blob_id    TEXT    NOT NULL,
  size       INTEGER NOT NULL,
  PRIMARY KEY (bucket, key, version_id, seq)
) WITHOUT ROWID;
CREATE INDEX object_blobs_by_blob ON object_blobs (blob_id);

CREATE TABLE uploads (
  upload_id          TEXT    NOT NULL PRIMARY KEY,
  bucket             TEXT    NOT NULL REFERENCES buckets (name),
  key                TEXT    NOT NULL COLLATE BINARY,
  initiated          INTEGER NOT NULL,
  owner              TEXT    NOT NULL,
  storage_class      TEXT    NOT NULL,
  content_headers    TEXT    NOT NULL DEFAULT '{}',
  user_metadata      TEXT    NOT NULL DEFAULT '{}',
  tags               TEXT    NOT NULL DEFAULT '[]',
  acl                TEXT    NOT NULL,
  checksum_algorithm TEXT,
  checksum_type      TEXT
);
-- ListMultipartUploads order: key, then initiation time.
CREATE INDEX uploads_by_key ON uploads (bucket, key, initiated, upload_id);
-- Expiry of abandoned uploads scans by age alone.
CREATE INDEX uploads_by_initiated ON uploads (initiated);

CREATE TABLE upload_parts (
  upload_id          TEXT    NOT NULL REFERENCES uploads (upload_id) ON DELETE CASCADE,
  part_number        INTEGER NOT NULL,
  blob_id            TEXT    NOT NULL,
  size               INTEGER NOT NULL,
  etag               TEXT    NOT NULL,
  last_modified      INTEGER NOT NULL,
  checksum_crc32     TEXT,
  checksum_crc32c    TEXT,
  checksum_crc64nvme TEXT,
  checksum_sha1      TEXT,
  checksum_sha256    TEXT,
  PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;
CREATE INDEX upload_parts_by_blob ON upload_parts (blob_id);
`;

/* Step 2: objects whose bytes failed an integrity check are quarantined instead of served. */
const step2 = `
ALTER TABLE objects ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0 CHECK (quarantined IN (0, 1));
ALTER TABLE object_versions ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0 CHECK (quarantined IN (0, 1));
`;

/*
 * Step 3: encryption at rest. A JSON ObjectEncryption per object version and per upload (NULL: plaintext);
 * the bucket default goes in buckets.encryption, laid out in step 1.
 */
const step3 = `
ALTER TABLE objects ADD COLUMN encryption TEXT;
ALTER TABLE object_versions ADD COLUMN encryption TEXT;
ALTER TABLE uploads ADD COLUMN encryption TEXT;
`;

/*
 * Step 4: small blobs stored inline. Blobs up to a threshold (see storage/inline-blob-store.ts) are rows
 * here instead of files, written through the same group commit as the records that reference them, so a
 * small PUT costs no file create, fsync, rename or directory fsync. Ids share the blob id space with files.
 */
const step4 = `
CREATE TABLE inline_blobs (
  id   TEXT NOT NULL PRIMARY KEY,
  data BLOB NOT NULL
);
`;

/*
 * Step 5: a verification checksum, CRC32C of the plaintext, recorded at write time for every object and
 * part (NULL for those written before). Whole-object GETs verify with it instead of re-hashing MD5: the
 * native CRC32C costs a tenth of MD5. Multipart objects get it by combining their parts' values.
 */
const step5 = `
ALTER TABLE objects ADD COLUMN verify_crc32c TEXT;
ALTER TABLE object_versions ADD COLUMN verify_crc32c TEXT;
ALTER TABLE upload_parts ADD COLUMN verify_crc32c TEXT;
`;

/*
 * Step 6: identities and quotas.
 * - users and their access keys (secrets sealed under the master key by the caller).
 * - Per-bucket object and byte counters kept by triggers, so every write path keeps them exact in its own
 *   transaction and quota checks read two integers instead of summing a bucket. Delete markers count
 *   for neither. (INSERT OR REPLACE fires the delete trigger only with recursive_triggers on, which the
 *   index sets when it opens.)
 */
const step6 = `
CREATE TABLE users (
  name              TEXT    NOT NULL PRIMARY KEY,
  created_at        INTEGER NOT NULL,
  disabled          INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  policy            TEXT,
  quota_max_bytes   INTEGER,
  quota_max_objects INTEGER
) WITHOUT ROWID;

CREATE TABLE access_keys (
  access_key_id TEXT    NOT NULL PRIMARY KEY,
  user_name     TEXT    NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  status        TEXT    NOT NULL CHECK (status IN ('Active', 'Inactive')),
  created_at    INTEGER NOT NULL,
  sealed_secret TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX access_keys_by_user ON access_keys (user_name);

ALTER TABLE buckets ADD COLUMN quota_max_bytes INTEGER;
ALTER TABLE buckets ADD COLUMN quota_max_objects INTEGER;
ALTER TABLE buckets ADD COLUMN object_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE buckets ADD COLUMN byte_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX buckets_by_owner ON buckets (owner);

UPDATE buckets SET
  object_count = (SELECT count(*) FROM objects WHERE bucket = name AND delete_marker = 0)
               + (SELECT count(*) FROM object_versions WHERE bucket = name AND delete_marker = 0),
  byte_count = (SELECT coalesce(sum(size), 0) FROM objects WHERE bucket = name AND delete_marker = 0)
             + (SELECT coalesce(sum(size), 0) FROM object_versions WHERE bucket = name AND delete_marker = 0);
${['objects', 'object_versions'].map((table) => `
CREATE TRIGGER ${table}_count_insert AFTER INSERT ON ${table} WHEN NEW.delete_marker = 0 BEGIN
  UPDATE buckets SET object_count = object_count + 1, byte_count = byte_count + NEW.size WHERE name = NEW.bucket;
END;
CREATE TRIGGER ${table}_count_delete AFTER DELETE ON ${table} WHEN OLD.delete_marker = 0 BEGIN
  UPDATE buckets SET object_count = object_count - 1, byte_count = byte_count - OLD.size WHERE name = OLD.bucket;
END;
CREATE TRIGGER ${table}_count_update AFTER UPDATE OF size, delete_marker ON ${table} BEGIN
  UPDATE buckets SET
    object_count = object_count - (OLD.delete_marker = 0) + (NEW.delete_marker = 0),
    byte_count = byte_count - (CASE WHEN OLD.delete_marker = 0 THEN OLD.size ELSE 0 END)
                            + (CASE WHEN NEW.delete_marker = 0 THEN NEW.size ELSE 0 END)
  WHERE name = NEW.bucket;
END;`).join('\n')}
`;

/*
 * Step 7: user names are unique regardless of case, as IAM's are (user names are ASCII, so NOCASE folds them
 * all). A trigger rather than a unique index, so that a database already holding two names that differ only in
 * case still opens: both keep working and no new one can be added beside them.
 */
const step7 = `
CREATE INDEX users_by_folded_name ON users (name COLLATE NOCASE);
CREATE TRIGGER users_name_unique_nocase BEFORE INSERT ON users
WHEN EXISTS (SELECT 1 FROM users WHERE name = NEW.name COLLATE NOCASE)
BEGIN
  SELECT RAISE(ABORT, 'a user with this name in another case already exists');
END;
`;

/*
 * Step 8: S3 Object Ownership. Buckets made before it had no setting, and their objects already belonged to
 * the bucket owner for access: they get BucketOwnerEnforced, S3's default for new buckets, so no writer
 * comes to own its earlier uploads. ACLs on them stop granting access until the owner chooses another
 * setting (docs/operations.md).
 */
const step8 = `
UPDATE buckets SET ownership_controls = 'BucketOwnerEnforced' WHERE ownership_controls IS NULL;
`;

/*
 * Step 9: open multipart uploads count against quotas. Per-bucket counters of open uploads and of the bytes
 * of their parts, kept by triggers like the object counters (parts are always deleted before their upload,
 * so the part triggers still find the upload's bucket), so a part is refused past a quota in its own
 * transaction and CreateMultipartUpload is refused past the open-upload limit without counting rows.
 */
const step9 = `
ALTER TABLE buckets ADD COLUMN upload_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE buckets ADD COLUMN upload_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE buckets SET
  upload_count = (SELECT count(*) FROM uploads WHERE bucket = name),
  upload_bytes = (SELECT coalesce(sum(p.size), 0) FROM uploads u JOIN upload_parts p ON p.upload_id = u.upload_id WHERE u.bucket = name);
CREATE TRIGGER uploads_count_insert AFTER INSERT ON uploads BEGIN
  UPDATE buckets SET upload_count = upload_count + 1 WHERE name = NEW.bucket;
END;
CREATE TRIGGER uploads_count_delete AFTER DELETE ON uploads BEGIN
  UPDATE buckets SET upload_count = upload_count - 1 WHERE name = OLD.bucket;
END;
CREATE TRIGGER upload_parts_bytes_insert AFTER INSERT ON upload_parts BEGIN
  UPDATE buckets SET upload_bytes = upload_bytes + NEW.size
  WHERE name = (SELECT bucket FROM uploads WHERE upload_id = NEW.upload_id);
END;
CREATE TRIGGER upload_parts_bytes_delete AFTER DELETE ON upload_parts BEGIN
  UPDATE buckets SET upload_bytes = upload_bytes - OLD.size
  WHERE name = (SELECT bucket FROM uploads WHERE upload_id = OLD.upload_id);
END;
`;

/*
 * Step 10: versioning. Each version carries its order among its key's versions (1, 2, …, newest greatest), so
 * ListObjectVersions reads a key's noncurrent versions newest first from an index, whatever their ids
 * (the null version included) and however close their timestamps. Existing rows are each their key's first.
 * Uploads keep the Object Lock settings CreateMultipartUpload asked for, for the version Complete makes.
 */
const step10 = `
ALTER TABLE objects ADD COLUMN version_seq INTEGER NOT NULL DEFAULT 1;
ALTER TABLE object_versions ADD COLUMN version_seq INTEGER NOT NULL DEFAULT 1;
CREATE INDEX object_versions_by_seq ON object_versions (bucket, key, version_seq);
ALTER TABLE uploads ADD COLUMN retention_mode TEXT;
ALTER TABLE uploads ADD COLUMN retain_until INTEGER;
ALTER TABLE uploads ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0;
`;

/*
 * Step 11: the lifecycle worker's progress through each bucket. A batch's expirations and the cursor move commit
 * together, so a pass that a crash interrupts resumes after the last batch that committed. The row goes with
 * its bucket.
 */
const step11 = `
CREATE TABLE lifecycle_cursors (
  bucket          TEXT    NOT NULL PRIMARY KEY REFERENCES buckets (name) ON DELETE CASCADE,
  after_key       TEXT    NOT NULL COLLATE BINARY,
  pass_started_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

/*
 * Console sessions: one row per signed-in console session, keyed by the SHA-256 of its id, naming the access
 * key it signed in with (never the key's secret), its CSRF token and its times. Sessions survive a restart.
 */
const consoleSessionsStep = `
CREATE TABLE console_sessions (
  id_hash            TEXT    NOT NULL PRIMARY KEY,
  access_key_id      TEXT    NOT NULL,
  secret_fingerprint TEXT    NOT NULL,
  csrf_token         TEXT    NOT NULL,
  created_at         INTEGER NOT NULL,
  last_seen_at       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX console_sessions_by_last_seen ON console_sessions (last_seen_at);
`;

export const migrations: readonly string[] = [step1, step2, step3, step4, step5, step6, step7, step8, step9, step10, step11, consoleSessionsStep];

/** Brings the schema up to date; each step commits together with its user_version bump. */
export function migrate(db: Database.Database): void {
  const version = (): number => Number(db.pragma('user_version', { simple: true }));
  if (version() > migrations.length) {
    throw new Error(`metadata database schema version ${version()} is newer than this sklad understands (${migrations.length})`);
  }
  for (let index = version(); index < migrations.length; index++) {
    const sql = migrations[index] ?? '';
    db.transaction(() => {
      // Re-read inside the write lock: another process may have run this step meanwhile.
      if (version() !== index) return;
      db.exec(sql);
      db.pragma(`user_version = ${index + 1}`);
    }).immediate();
  }
}
