// `sklad migrate`: moves a single-node data folder's index (SQLite) into a PostgreSQL metadata database, so
// that gateways can serve the folder together. Refuses while a server uses the folder; resumable; verifies.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ConfigError } from '../config/config.js';
import { lockDataFolder, lockHolder } from '../data-folder/lock.js';
import { compareWithSqlite, importSqliteIndex, type ImportReport } from '../storage/postgres/import-sqlite.js';
import { PostgresMetadataIndex } from '../storage/postgres/postgres-metadata-index.js';

const migrateHelp = `Usage: sklad migrate --metadata-url URL [--data DIR] [--verify-only] [--json]

Copies the metadata of a single-node data folder (DIR/index.sqlite: buckets, objects, uploads, users, keys,
policies, quotas, and the small objects kept inside index.sqlite) into the PostgreSQL database at URL,
creating sklad's tables there, so that gateways started with --metadata-url URL --data DIR serve everything
the single server did. index.sqlite itself is left as it was.

It refuses to run while a server uses DIR, and holds DIR's lock while it runs. Run again after an
interruption: rows already copied are skipped. It then compares both sides (rows per table, each bucket's
object and byte counts, every small object's bytes) and reports any difference.

Options:
  --metadata-url URL  the PostgreSQL database (SKLAD_METADATA_URL); the password from PGPASSWORD or ~/.pgpass
  --data DIR          the data folder (SKLAD_DATA, default ./data)
  --verify-only       compare only, copy nothing
  --json              print the comparison as JSON
  -h, --help          show this help

Exit status: 0 when both sides hold the same, 1 when they differ, 2 on usage errors.
`;

function printReport(report: ImportReport): void {
  for (const [table, { source, target }] of Object.entries(report.rows)) {
    process.stdout.write(`${source === target ? 'ok  ' : 'DIFF'} ${table}: ${source} in SQLite, ${target} in PostgreSQL\n`);
  }
  const { source, identical } = report.inlineBlobs;
  process.stdout.write(`${source === identical ? 'ok  ' : 'DIFF'} small objects' bytes: ${identical} of ${source} identical\n`);
  for (const bucket of report.counterMismatches) process.stdout.write(`DIFF bucket ${bucket}: object or byte count differs\n`);
  process.stdout.write(report.ok ? 'OK: PostgreSQL holds everything the SQLite index holds\n' : 'DIFFERENT: run sklad migrate again\n');
}

export async function migrateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'metadata-url': { type: 'string' },
      data: { type: 'string' },
      'verify-only': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(migrateHelp);
    return 0;
  }
  const url = values['metadata-url'] ?? process.env.SKLAD_METADATA_URL;
  if (url === undefined || !/^postgres(ql)?:\/\//.test(url)) throw new ConfigError('give the target database: --metadata-url postgres://…');
  const dataDir = path.resolve(values.data ?? process.env.SKLAD_DATA ?? 'data');
  const file = path.join(dataDir, 'index.sqlite');
  if (!existsSync(file)) throw new ConfigError(`no single-node index at ${file}`);
  const holder = await lockHolder(dataDir);
  if (holder !== undefined) throw new ConfigError(`a server (pid ${holder}) is using ${dataDir}: stop it before migrating`);
  const lock = await lockDataFolder(dataDir);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  let index: PostgresMetadataIndex | undefined;
  try {
    index = await PostgresMetadataIndex.open({ url, applicationName: 'sklad migrate' });
    if (!values['verify-only']) await importSqliteIndex(db, index.pool);
    const report = await compareWithSqlite(db, index.pool);
    if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else printReport(report);
    return report.ok ? 0 : 1;
  } finally {
    await index?.close();
    db.close();
    await lock.release();
  }
}
