// Schema of the PostgreSQL metadata index as ordered steps; table sklad_schema records how many ran.
// Steps are append-only: a released step is never edited, a change is a new step. Gateways starting
// together migrate one at a time (an advisory lock), and a gateway refuses a schema newer than its code.
import type pg from 'pg';

/*
 * Step 1 is the SQLite schema as of its step 9, in one go, with the same table and column names and the
 * same value encodings (times as integer milliseconds, flags as 0/1, maps and lists as JSON text), so one
 * set of row converters serves both engines.
 * - Every key and name column is COLLATE "C": bytewise UTF-8 order, the order S3 lists in, whatever the
 *   database's default collation; the primary keys are the listing indexes.
 * - Per-bucket object and byte counters are kept by a trigger on objects and object_versions, so every
 *   write path keeps them exact in its own transaction (and holds the bucket row's lock while it does).
 */
const step1 = `
CREATE TABLE buckets (
  name                TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  owner               TEXT COLLATE "C" NOT NULL,
  region              TEXT    NOT NULL,
  created_at          BIGINT  NOT NULL,
  acl                 TEXT    NOT NULL,
  versioning          TEXT    NOT NULL DEFAULT 'Unversioned'
                      CHECK (versioning IN ('Unversioned', 'Enabled', 'Suspended')),
  object_lock_enabled SMALLINT NOT NULL DEFAULT 0,
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
  notification        TEXT,
  quota_max_bytes     BIGINT,
  quota_max_objects   BIGINT,
  object_count        BIGINT NOT NULL DEFAULT 0,
  byte_count          BIGINT NOT NULL DEFAULT 0,
  upload_count        BIGINT NOT NULL DEFAULT 0,
  upload_bytes        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX buckets_by_owner ON buckets (owner);

${['objects', 'object_versions'].map((table) => `
CREATE TABLE ${table} (
  bucket             TEXT COLLATE "C" NOT NULL REFERENCES buckets (name),
  key                TEXT COLLATE "C" NOT NULL,
  version_id         TEXT COLLATE "C" NOT NULL,
  delete_marker      SMALLINT NOT NULL DEFAULT 0 CHECK (delete_marker IN (0, 1)),
  size               BIGINT   NOT NULL,
  etag               TEXT     NOT NULL,
  last_modified      BIGINT   NOT NULL,
  owner              TEXT     NOT NULL,
  storage_class      TEXT     NOT NULL,
  content_headers    TEXT     NOT NULL DEFAULT '{}',
  user_metadata      TEXT     NOT NULL DEFAULT '{}',
  tags               TEXT     NOT NULL DEFAULT '[]',
  acl                TEXT     NOT NULL,
  checksum_algorithm TEXT,
  checksum_type      TEXT,
  checksum_value     TEXT,
  parts              TEXT,
  retention_mode     TEXT,
  retain_until       BIGINT,
  legal_hold         SMALLINT NOT NULL DEFAULT 0,
  quarantined        SMALLINT NOT NULL DEFAULT 0 CHECK (quarantined IN (0, 1)),
  encryption         TEXT,
  verify_crc32c      TEXT,
  PRIMARY KEY (bucket, key${table === 'objects' ? '' : ', version_id'})
);`).join('\n')}

CREATE TABLE object_blobs (
  bucket     TEXT COLLATE "C" NOT NULL,
  key        TEXT COLLATE "C" NOT NULL,
  version_id TEXT COLLATE "C" NOT NULL,
  seq        INTEGER NOT NULL,
  blob_id    TEXT COLLATE "C" NOT NULL,
  size       BIGINT  NOT NULL,
  PRIMARY KEY (bucket, key, version_id, seq)
);
CREATE INDEX object_blobs_by_blob ON object_blobs (blob_id);

CREATE TABLE uploads (
  upload_id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  bucket             TEXT COLLATE "C" NOT NULL REFERENCES buckets (name),
  key                TEXT COLLATE "C" NOT NULL,
  initiated          BIGINT  NOT NULL,
  owner              TEXT    NOT NULL,
  storage_class      TEXT    NOT NULL,
  content_headers    TEXT    NOT NULL DEFAULT '{}',
  user_metadata      TEXT    NOT NULL DEFAULT '{}',
  tags               TEXT    NOT NULL DEFAULT '[]',
  acl                TEXT    NOT NULL,
  checksum_algorithm TEXT,
  checksum_type      TEXT,
  encryption         TEXT
);
CREATE INDEX uploads_by_key ON uploads (bucket, key, initiated, upload_id);
CREATE INDEX uploads_by_initiated ON uploads (initiated);

CREATE TABLE upload_parts (
  upload_id          TEXT COLLATE "C" NOT NULL REFERENCES uploads (upload_id) ON DELETE CASCADE,
  part_number        INTEGER NOT NULL,
  blob_id            TEXT COLLATE "C" NOT NULL,
  size               BIGINT  NOT NULL,
  etag               TEXT    NOT NULL,
  last_modified      BIGINT  NOT NULL,
  checksum_crc32     TEXT,
  checksum_crc32c    TEXT,
  checksum_crc64nvme TEXT,
  checksum_sha1      TEXT,
  checksum_sha256    TEXT,
  verify_crc32c      TEXT,
  PRIMARY KEY (upload_id, part_number)
);
CREATE INDEX upload_parts_by_blob ON upload_parts (blob_id);

CREATE TABLE inline_blobs (
  id   TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  data BYTEA NOT NULL
);

CREATE TABLE users (
  name              TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  created_at        BIGINT   NOT NULL,
  disabled          SMALLINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  policy            TEXT,
  quota_max_bytes   BIGINT,
  quota_max_objects BIGINT
);
-- User names are unique regardless of case, as IAM's are (SQLite's step 7); a unique index decides it
-- atomically however many gateways create users at once.
CREATE UNIQUE INDEX users_by_folded_name ON users (lower(name));

CREATE TABLE access_keys (
  access_key_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  user_name     TEXT COLLATE "C" NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  status        TEXT   NOT NULL CHECK (status IN ('Active', 'Inactive')),
  created_at    BIGINT NOT NULL,
  sealed_secret TEXT   NOT NULL
);
CREATE INDEX access_keys_by_user ON access_keys (user_name);

CREATE FUNCTION sklad_count_objects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF OLD.delete_marker = 0 THEN
      UPDATE buckets SET object_count = object_count - 1, byte_count = byte_count - OLD.size WHERE name = OLD.bucket;
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF NEW.delete_marker = 0 THEN
      UPDATE buckets SET object_count = object_count + 1, byte_count = byte_count + NEW.size WHERE name = NEW.bucket;
    END IF;
  END IF;
  RETURN NULL;
END $$;
-- Open uploads and their parts' bytes, per bucket (SQLite's step 9). Parts are always deleted before their
-- upload, so the part trigger still finds the upload's bucket.
CREATE FUNCTION sklad_count_uploads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE buckets SET upload_count = upload_count + 1 WHERE name = NEW.bucket;
  ELSE
    UPDATE buckets SET upload_count = upload_count - 1 WHERE name = OLD.bucket;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER uploads_count AFTER INSERT OR DELETE ON uploads FOR EACH ROW EXECUTE FUNCTION sklad_count_uploads();
CREATE FUNCTION sklad_count_part_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE buckets SET upload_bytes = upload_bytes - OLD.size WHERE name = (SELECT bucket FROM uploads WHERE upload_id = OLD.upload_id);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE buckets SET upload_bytes = upload_bytes + NEW.size WHERE name = (SELECT bucket FROM uploads WHERE upload_id = NEW.upload_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER upload_parts_bytes AFTER INSERT OR DELETE OR UPDATE OF size ON upload_parts
  FOR EACH ROW EXECUTE FUNCTION sklad_count_part_bytes();
${['objects', 'object_versions'].map((table) => `
CREATE TRIGGER ${table}_count AFTER INSERT OR DELETE OR UPDATE OF size, delete_marker ON ${table}
  FOR EACH ROW EXECUTE FUNCTION sklad_count_objects();`).join('\n')}
-- The SQLite schema's version order and upload lock columns, so \`sklad migrate\` carries every column across;
-- this engine keeps only current versions for now and leaves them at their defaults.
ALTER TABLE objects ADD COLUMN version_seq BIGINT NOT NULL DEFAULT 1;
ALTER TABLE object_versions ADD COLUMN version_seq BIGINT NOT NULL DEFAULT 1;
ALTER TABLE uploads ADD COLUMN retention_mode TEXT;
ALTER TABLE uploads ADD COLUMN retain_until BIGINT;
ALTER TABLE uploads ADD COLUMN legal_hold SMALLINT NOT NULL DEFAULT 0;
`;

/*
 * Versions, Object Lock and lifecycle state (SQLite's steps 10 and 11): the index that reads a key's noncurrent
 * versions newest first by their place among its versions, and the lifecycle worker's cursor per bucket,
 * which goes with its bucket. The version and lock columns themselves are in step 1.
 */
const versionsAndLifecycle = `
CREATE INDEX object_versions_by_seq ON object_versions (bucket, key, version_seq);
CREATE TABLE lifecycle_cursors (
  bucket          TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES buckets (name) ON DELETE CASCADE,
  after_key       TEXT COLLATE "C" NOT NULL,
  pass_started_at BIGINT NOT NULL
);
`;

/*
 * Inline blobs carry the time they were written: a gateway's start-up recovery spares unreferenced blobs
 * younger than a grace period (another gateway may not have committed the record that references one yet),
 * and a row, unlike a file, has no modification time to tell it. Rows from before this step count as
 * written now.
 */
const inlineBlobsWrittenAt = `
ALTER TABLE inline_blobs ADD COLUMN written_at BIGINT NOT NULL
  DEFAULT (floor(extract(epoch FROM clock_timestamp()) * 1000))::bigint;
`;

/*
 * Console sessions, shared by every gateway: one row per session, keyed by the SHA-256 of its id, naming the
 * access key it signed in with (never the key's secret), its CSRF token and its times.
 */
const consoleSessionsStep = `
CREATE TABLE console_sessions (
  id_hash            TEXT   NOT NULL PRIMARY KEY,
  access_key_id      TEXT   NOT NULL,
  secret_fingerprint TEXT   NOT NULL,
  csrf_token         TEXT   NOT NULL,
  created_at         BIGINT NOT NULL,
  last_seen_at       BIGINT NOT NULL
);
CREATE INDEX console_sessions_by_last_seen ON console_sessions (last_seen_at);
`;

/*
 * Usage counters in shards: a bucket's objects, bytes, open uploads and their bytes are the sums of up to 64
 * rows of bucket_counters, a key counting in the row its hash picks. Kept in the bucket row, every write of
 * the bucket updated that one row and held its lock until commit, so writes of a bucket's different keys
 * queued on it (and PostgreSQL spent its time on the row's lock waiters and versions); in shards, they
 * rarely meet. The counting triggers keep the shards from now on; the bucket row's old counter columns are
 * left as they were at this step (a gateway of the previous release still reads them: during a rolling
 * upgrade, its quota checks count from there).
 */
const usageShards = `
CREATE TABLE bucket_counters (
  bucket       TEXT COLLATE "C" NOT NULL REFERENCES buckets (name) ON DELETE CASCADE,
  shard        SMALLINT NOT NULL,
  object_count BIGINT NOT NULL DEFAULT 0,
  byte_count   BIGINT NOT NULL DEFAULT 0,
  upload_count BIGINT NOT NULL DEFAULT 0,
  upload_bytes BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket, shard)
);
INSERT INTO bucket_counters (bucket, shard, object_count, byte_count, upload_count, upload_bytes)
  SELECT name, 0, object_count, byte_count, upload_count, upload_bytes FROM buckets;
CREATE FUNCTION sklad_count(bucket_name TEXT, key_name TEXT, objects BIGINT, bytes BIGINT, uploads BIGINT, part_bytes BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO bucket_counters AS c (bucket, shard, object_count, byte_count, upload_count, upload_bytes)
    VALUES (bucket_name, hashtext(key_name) & 63, objects, bytes, uploads, part_bytes)
    ON CONFLICT (bucket, shard) DO UPDATE SET object_count = c.object_count + EXCLUDED.object_count,
      byte_count = c.byte_count + EXCLUDED.byte_count, upload_count = c.upload_count + EXCLUDED.upload_count,
      upload_bytes = c.upload_bytes + EXCLUDED.upload_bytes;
END $$;
CREATE OR REPLACE FUNCTION sklad_count_objects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.delete_marker = 0 THEN
    PERFORM sklad_count(OLD.bucket, OLD.key, -1, -OLD.size, 0, 0);
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.delete_marker = 0 THEN
    PERFORM sklad_count(NEW.bucket, NEW.key, 1, NEW.size, 0, 0);
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION sklad_count_uploads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM sklad_count(NEW.bucket, NEW.key, 0, 0, 1, 0);
  ELSE
    PERFORM sklad_count(OLD.bucket, OLD.key, 0, 0, -1, 0);
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION sklad_count_part_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  upload RECORD;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    SELECT bucket, key INTO upload FROM uploads WHERE upload_id = OLD.upload_id;
    IF FOUND THEN
      PERFORM sklad_count(upload.bucket, upload.key, 0, 0, 0, -OLD.size);
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT bucket, key INTO upload FROM uploads WHERE upload_id = NEW.upload_id;
    IF FOUND THEN
      PERFORM sklad_count(upload.bucket, upload.key, 0, 0, 0, NEW.size);
    END IF;
  END IF;
  RETURN NULL;
END $$;
-- A delimiter listing's skip scan in one round trip: from a position, each next listed key, jumping past every
-- key under the common prefix a key rolls up into (storage/list-page.ts walks the rows it returns, as it
-- walks its own scans). One snapshot for the whole walk (a stable function's).
CREATE FUNCTION sklad_prefix_successor(p TEXT) RETURNS TEXT LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  rest TEXT := p;
  code INTEGER;
BEGIN
  -- As storage/key-order.ts prefixSuccessor: the last character that can grow grows, those after it go.
  WHILE length(rest) > 0 LOOP
    code := ascii(right(rest, 1));
    IF code < 1114111 THEN
      code := code + 1;
      IF code BETWEEN 55296 AND 57343 THEN code := 57344; END IF;
      RETURN left(rest, -1) || chr(code);
    END IF;
    rest := left(rest, -1);
  END LOOP;
  RETURN NULL;
END $$;
CREATE FUNCTION sklad_list_skip(bucket_name TEXT, list_prefix TEXT, delim TEXT, start_key TEXT, start_inclusive BOOLEAN,
  before_key TEXT, max_rows INTEGER)
RETURNS SETOF objects LANGUAGE plpgsql STABLE AS $$
DECLARE
  cursor_key TEXT := start_key;
  inclusive BOOLEAN := start_inclusive;
  found_row objects%ROWTYPE;
  listed INTEGER := 0;
  at INTEGER;
BEGIN
  WHILE listed < max_rows LOOP
    IF inclusive THEN
      SELECT * INTO found_row FROM objects o WHERE o.bucket = bucket_name AND o.key >= cursor_key
        AND (before_key IS NULL OR o.key < before_key) AND o.delete_marker = 0 ORDER BY o.key LIMIT 1;
    ELSE
      SELECT * INTO found_row FROM objects o WHERE o.bucket = bucket_name AND o.key > cursor_key
        AND (before_key IS NULL OR o.key < before_key) AND o.delete_marker = 0 ORDER BY o.key LIMIT 1;
    END IF;
    EXIT WHEN NOT FOUND;
    RETURN NEXT found_row;
    listed := listed + 1;
    at := position(delim IN substr(found_row.key, length(list_prefix) + 1));
    IF at > 0 THEN
      cursor_key := sklad_prefix_successor(left(found_row.key, length(list_prefix) + at - 1 + length(delim)));
      EXIT WHEN cursor_key IS NULL;
      inclusive := true;
    ELSE
      cursor_key := found_row.key;
      inclusive := false;
    END IF;
  END LOOP;
END $$;
-- Key locks: a transaction advisory lock per key ("bucket/key"), taken in one order (by hash) so that two
-- writers never each hold a lock the other waits for. Every writer of keys takes them here.
CREATE FUNCTION sklad_lock_keys(keys TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  h INTEGER;
BEGIN
  FOR h IN SELECT DISTINCT hashtext(k) FROM unnest(keys) AS k ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(hashtext('sklad-key:' || current_schema()), h);
  END LOOP;
END $$;
-- What a write of one key starts with, in one round trip: the key's lock, then, read after the lock is held (a volatile function's every statement takes a fresh
-- snapshot), its bucket (no row when the bucket does not exist) and the key's current version (nulls when it
-- has none).
CREATE FUNCTION sklad_lock_key(bucket_name TEXT, key_name TEXT)
RETURNS TABLE (name TEXT, owner TEXT, quota_max_bytes BIGINT, quota_max_objects BIGINT, owner_quota BOOLEAN,
  version_id TEXT, etag TEXT, delete_marker SMALLINT, size BIGINT, last_modified BIGINT, retention_mode TEXT,
  retain_until BIGINT, legal_hold SMALLINT, version_seq BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
  PERFORM sklad_lock_keys(ARRAY[bucket_name || '/' || key_name]);
  RETURN QUERY SELECT b.name::TEXT, b.owner::TEXT, b.quota_max_bytes, b.quota_max_objects,
      (u.quota_max_bytes IS NOT NULL OR u.quota_max_objects IS NOT NULL),
      o.version_id::TEXT, o.etag, o.delete_marker, o.size, o.last_modified, o.retention_mode, o.retain_until,
      o.legal_hold, o.version_seq
    FROM buckets b LEFT JOIN users u ON u.name = b.owner LEFT JOIN objects o ON o.bucket = b.name AND o.key = key_name
    WHERE b.name = bucket_name;
END $$;
`;

// Step 6: the common PutObject and DeleteObject each in one statement that commits on its own (one round
// trip instead of a transaction's three to seven). Each takes the key's lock as every writer does, handles
// only the simple case and otherwise returns NULL having changed nothing, and the gateway then takes the
// general path (the key lock, the current version read, conditions, Object Lock and quotas in TypeScript).
// Both return the blob ids a replaced or removed version leaves unreferenced that are files (inline rows are
// deleted here), for the caller to delete.
const simpleWrites = `
-- Of a version's dropped blob ids, those nothing references any more: inline rows are deleted, the rest (files)
-- returned in their order.
CREATE FUNCTION sklad_release_blobs(dropped TEXT[]) RETURNS TEXT[] LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  free TEXT[];
  gone TEXT[];
BEGIN
  IF dropped IS NULL THEN
    RETURN '{}';
  END IF;
  SELECT array_agg(d.id ORDER BY d.ord) INTO free FROM unnest(dropped) WITH ORDINALITY AS d(id, ord)
    WHERE NOT EXISTS (SELECT 1 FROM object_blobs WHERE blob_id = d.id)
      AND NOT EXISTS (SELECT 1 FROM upload_parts WHERE blob_id = d.id);
  IF free IS NULL THEN
    RETURN '{}';
  END IF;
  WITH g AS (DELETE FROM inline_blobs WHERE id = ANY (free) RETURNING id) SELECT array_agg(id) INTO gone FROM g;
  RETURN ARRAY(SELECT f.id FROM unnest(free) WITH ORDINALITY AS f(id, ord)
    WHERE gone IS NULL OR NOT (f.id = ANY (gone)) ORDER BY f.ord);
END $$;
-- The key's current version when the bucket exists and neither it nor its owner has a quota (a row of NULLs
-- when the key has none); no row otherwise. Takes the key's lock first.
CREATE FUNCTION sklad_lock_simple(bucket_name TEXT, key_name TEXT)
RETURNS TABLE (version_id TEXT, retention_mode TEXT, retain_until BIGINT, legal_hold SMALLINT, version_seq BIGINT,
  noncurrent BOOLEAN)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
  PERFORM sklad_lock_keys(ARRAY[bucket_name || '/' || key_name]);
  RETURN QUERY SELECT o.version_id::TEXT, o.retention_mode, o.retain_until, o.legal_hold, o.version_seq,
      EXISTS (SELECT 1 FROM object_versions v WHERE v.bucket = bucket_name AND v.key = key_name)
    FROM buckets b LEFT JOIN users u ON u.name = b.owner LEFT JOIN objects o ON o.bucket = b.name AND o.key = key_name
    WHERE b.name = bucket_name AND b.quota_max_bytes IS NULL AND b.quota_max_objects IS NULL
      AND u.quota_max_bytes IS NULL AND u.quota_max_objects IS NULL;
END $$;
-- PutObject of a new key (no versions at all), or of a null version over a null current version that no
-- retention or legal hold protects (an unversioned bucket's overwrite). \`obj\` is the new row as JSON; its
-- version_seq is set here. The staged blobs' inline rows are written with it.
CREATE FUNCTION sklad_put_simple(bucket_name TEXT, key_name TEXT, obj JSONB, blob_ids TEXT[], blob_sizes BIGINT[],
  staged_ids TEXT[], staged_data BYTEA[], now_ms BIGINT)
RETURNS TEXT[] LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  cur RECORD;
  dropped TEXT[];
BEGIN
  SELECT * INTO cur FROM sklad_lock_simple(bucket_name, key_name);
  IF NOT FOUND OR cur.noncurrent THEN
    RETURN NULL;
  END IF;
  IF cur.version_id IS NOT NULL THEN
    IF cur.version_id <> 'null' OR obj->>'version_id' <> 'null' OR cur.legal_hold <> 0
        OR cur.retention_mode IS NOT NULL OR cur.retain_until IS NOT NULL THEN
      RETURN NULL;
    END IF;
    WITH d AS (DELETE FROM object_blobs WHERE bucket = bucket_name AND key = key_name AND version_id = 'null'
      RETURNING blob_id, seq)
    SELECT array_agg(blob_id ORDER BY seq) INTO dropped FROM d;
    DELETE FROM objects WHERE bucket = bucket_name AND key = key_name;
  END IF;
  INSERT INTO objects SELECT * FROM jsonb_populate_record(NULL::objects,
    obj || jsonb_build_object('version_seq', COALESCE(cur.version_seq, 0) + 1));
  INSERT INTO object_blobs (bucket, key, version_id, seq, blob_id, size)
    SELECT bucket_name, key_name, obj->>'version_id', b.seq - 1, b.blob_id, b.size
    FROM unnest(blob_ids, blob_sizes) WITH ORDINALITY AS b(blob_id, size, seq);
  INSERT INTO inline_blobs (id, data, written_at)
    SELECT s.id, s.data, now_ms FROM unnest(staged_ids, staged_data) AS s(id, data);
  RETURN sklad_release_blobs(dropped);
END $$;
-- DeleteObject of a key with no noncurrent versions: its current version, if any, goes for good unless a
-- retention or legal hold protects it.
CREATE FUNCTION sklad_delete_simple(bucket_name TEXT, key_name TEXT) RETURNS TEXT[] LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  cur RECORD;
  dropped TEXT[];
BEGIN
  SELECT * INTO cur FROM sklad_lock_simple(bucket_name, key_name);
  IF NOT FOUND OR cur.noncurrent OR cur.legal_hold <> 0 OR cur.retention_mode IS NOT NULL
      OR cur.retain_until IS NOT NULL THEN
    RETURN NULL;
  END IF;
  IF cur.version_id IS NULL THEN
    RETURN '{}';
  END IF;
  WITH d AS (DELETE FROM object_blobs WHERE bucket = bucket_name AND key = key_name AND version_id = cur.version_id
    RETURNING blob_id, seq)
  SELECT array_agg(blob_id ORDER BY seq) INTO dropped FROM d;
  DELETE FROM objects WHERE bucket = bucket_name AND key = key_name;
  RETURN sklad_release_blobs(dropped);
END $$;
`;

export const migrations: readonly string[] = [step1, versionsAndLifecycle, inlineBlobsWrittenAt, consoleSessionsStep, usageShards, simpleWrites];

/**
 * Brings the schema up to date under a session advisory lock, so gateways starting together migrate one at
 * a time and the later ones find the work done. Each step commits together with its version bump.
 */
export async function migrate(client: pg.ClientBase): Promise<void> {
  await client.query("SELECT pg_advisory_lock(hashtext('sklad-migrate:' || current_schema()))");
  try {
    await client.query('CREATE TABLE IF NOT EXISTS sklad_schema (version INTEGER NOT NULL)');
    const read = async (): Promise<number> => {
      const { rows } = await client.query<{ version: number }>('SELECT version FROM sklad_schema');
      return rows[0]?.version ?? 0;
    };
    const version = await read();
    if (version > migrations.length) {
      throw new Error(`metadata database schema version ${version} is newer than this sklad understands (${migrations.length})`);
    }
    for (let index = version; index < migrations.length; index++) {
      await client.query('BEGIN');
      try {
        await client.query(migrations[index] ?? '');
        await client.query('DELETE FROM sklad_schema');
        await client.query('INSERT INTO sklad_schema (version) VALUES ($1)', [index + 1]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('sklad-migrate:' || current_schema()))");
  }
}

/** The schema version the database is at (0 before any migration). */
export async function schemaVersion(client: pg.ClientBase | pg.Pool): Promise<number> {
  const { rows } = await client.query<{ version: number }>(
    "SELECT version FROM sklad_schema WHERE to_regclass('sklad_schema') IS NOT NULL",
  ).catch(() => ({ rows: [] as { version: number }[] }));
  return rows[0]?.version ?? 0;
}
