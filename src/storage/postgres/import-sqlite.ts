// Copies a single-node SQLite index into the PostgreSQL schema, table by table, in batches, for
// `sklad migrate`: current and noncurrent versions with their order and Object Lock state, uploads, users and
// keys, the lifecycle worker's cursors and the inline blobs. Every insert skips rows already there, so an
// interrupted copy is resumed by running it again. Bucket usage counters (objects, bytes, open uploads and
// their bytes) are not copied: the counting trigger rebuilds them as objects arrive, which is also what makes a
// resumed copy count each object once. Inline blobs stay inline: their rows are copied into the shared
// database (which every gateway reads) before the records that reference them.
import type Database from 'better-sqlite3';
import type pg from 'pg';

/** Parents before children, as the foreign keys need; blobs before the records that reference them. */
const TABLES = [
  'inline_blobs', 'users', 'access_keys', 'buckets', 'objects', 'object_versions', 'object_blobs', 'uploads', 'upload_parts',
  'lifecycle_cursors',
] as const;
/** Kept by the trigger on the PostgreSQL side. */
const DERIVED_COLUMNS = new Set(['object_count', 'byte_count', 'upload_count', 'upload_bytes']);
const BATCH_ROWS = 500;
/** Inline blobs are up to 64 KiB each: fewer per statement keeps one statement's parameters a few MiB. */
const BATCH_ROWS_OF: Partial<Record<string, number>> = { inline_blobs: 32 };

export interface ImportReport {
  rows: Record<string, { source: number; target: number }>;
  /** Small objects kept inside the SQLite index, and how many of them PostgreSQL holds with the same bytes. */
  inlineBlobs: { source: number; identical: number };
  /** Buckets whose object or byte count differs between the two databases. */
  counterMismatches: string[];
  ok: boolean;
}

async function targetColumns(pool: pg.Pool, table: string): Promise<Set<string>> {
  const { rows } = await pool.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
    [table],
  );
  return new Set(rows.map((row) => row.column_name));
}

async function copyTable(db: Database.Database, pool: pg.Pool, table: string): Promise<void> {
  const target = await targetColumns(pool, table);
  const columns = (db.pragma(`table_info(${table})`) as { name: string }[])
    .map((column) => column.name)
    .filter((name) => !DERIVED_COLUMNS.has(name));
  // Nothing is dropped silently: a column the PostgreSQL schema lacks stops the copy.
  const missing = columns.filter((name) => !target.has(name));
  if (missing.length > 0) throw new Error(`the PostgreSQL schema has no ${table}.${missing.join(', ')}: this sklad cannot migrate that index`);
  const list = columns.join(', ');
  const rows = db.prepare(`SELECT ${list} FROM ${table}`).raw().iterate() as IterableIterator<unknown[]>;
  const batchRows = BATCH_ROWS_OF[table] ?? BATCH_ROWS;
  let batch: unknown[][] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const values = batch.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
    await pool.query(`INSERT INTO ${table} (${list}) VALUES ${values} ON CONFLICT DO NOTHING`, batch.flat());
    batch = [];
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length === batchRows) await flush();
  }
  await flush();
}

export async function importSqliteIndex(db: Database.Database, pool: pg.Pool): Promise<void> {
  for (const table of TABLES) await copyTable(db, pool, table);
}

/** Compares what the two databases hold: row counts per table, usage counters per bucket, inline blobs' bytes. */
export async function compareWithSqlite(db: Database.Database, pool: pg.Pool): Promise<ImportReport> {
  const rows: ImportReport['rows'] = {};
  for (const table of TABLES) {
    const source = (db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number) ?? 0;
    const target = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0);
    rows[table] = { source, target };
  }
  const counters = new Map(
    (db.prepare('SELECT name, object_count, byte_count FROM buckets').all() as { name: string; object_count: number; byte_count: number }[])
      .map((row) => [row.name, `${row.object_count}/${row.byte_count}`]),
  );
  const counterMismatches: string[] = [];
  const sums = `SELECT b.name, coalesce(sum(c.object_count), 0) AS object_count, coalesce(sum(c.byte_count), 0) AS byte_count
    FROM buckets b LEFT JOIN bucket_counters c ON c.bucket = b.name GROUP BY b.name`;
  for (const row of (await pool.query<{ name: string; object_count: number; byte_count: number }>(sums)).rows) {
    if (counters.get(row.name) !== `${Number(row.object_count)}/${Number(row.byte_count)}`) counterMismatches.push(row.name);
  }
  let inline = 0;
  let identical = 0;
  for (const [id, data] of db.prepare('SELECT id, data FROM inline_blobs').raw().iterate() as IterableIterator<[string, Buffer]>) {
    inline += 1;
    const copy = (await pool.query<{ data: Buffer }>('SELECT data FROM inline_blobs WHERE id = $1', [id])).rows[0]?.data;
    if (copy?.equals(data)) identical += 1;
  }
  const ok = Object.values(rows).every((r) => r.source === r.target) && counterMismatches.length === 0 && inline === identical;
  return { rows, inlineBlobs: { source: inline, identical }, counterMismatches, ok };
}
