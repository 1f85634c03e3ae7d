// Start-up check of the data folder's permissions: sklad creates everything private (storage/file-modes.ts), but a
// folder or file made earlier (by an older version, an operator, a restore) may be open to other local users.
import { stat } from 'node:fs/promises';
import path from 'node:path';

export interface LooseEntry {
  path: string;
  /** The permission bits, octal (e.g. '755'). */
  mode: string;
}

/** What sklad keeps at the top of a data folder that must not be readable by others. */
const PRIVATE_ENTRIES = ['index.sqlite', 'index.sqlite-wal', 'index.sqlite-shm', 'root-credentials.json', 'master.key', 'blobs', 'tmp', 'audit'];

async function looseMode(file: string): Promise<string | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined) return undefined;
  const mode = info.mode & 0o777;
  return (mode & 0o077) !== 0 ? mode.toString(8).padStart(3, '0') : undefined;
}

/** The data folder itself, and the entries sklad keeps in it, that group or others may access. */
export async function looseEntries(dataDir: string, extraDirs: string[] = []): Promise<LooseEntry[]> {
  if (process.platform === 'win32') return [];
  const candidates = [dataDir, ...PRIVATE_ENTRIES.map((name) => path.join(dataDir, name)), ...extraDirs];
  const found: LooseEntry[] = [];
  for (const file of new Set(candidates)) {
    const mode = await looseMode(file);
    if (mode !== undefined) found.push({ path: file, mode });
  }
  return found;
}
