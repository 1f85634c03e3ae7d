// Online backup of a running server's data folder: a consistent snapshot of the index (SQLite online backup)
// and the blob files it references, while the server keeps serving. Blob deletions are held back for the
// duration, so nothing the snapshot references can vanish before it is copied; blobs written after the
// snapshot are copied too and merely unreferenced in the backup (a server started on it removes them).
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../storage/file-modes.js';
import { ROOT_CREDENTIALS_FILE } from './root-credentials.js';
import type { DeletionHold } from '../storage/deletion-hold.js';
import type { BlobStore, ExportableBlobStore } from '../storage/blob-store.js';

export interface BackupReport {
  destination: string;
  startedAt: string;
  seconds: number;
  indexBytes: number;
  blobs: number;
  /** Blobs hard-linked rather than copied (same file system). */
  linked: number;
  blobBytes: number;
}

export interface BackupSources {
  dataDir: string;
  /** Writes a consistent copy of the metadata index to a file. */
  snapshotIndex(file: string): Promise<void>;
  blobs: DeletionHold<BlobStore & ExportableBlobStore>;
  version: string;
}

export class BackupTargetError extends Error {}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function prepareTarget(destination: string, dataDir: string): Promise<void> {
  if (!path.isAbsolute(destination)) throw new BackupTargetError('the backup destination must be an absolute path on the server');
  if (inside(destination, dataDir) || inside(dataDir, destination)) {
    throw new BackupTargetError('the backup destination must lie outside the data folder (and not contain it)');
  }
  const entries = await readdir(destination).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    if (e.code === 'ENOTDIR') throw new BackupTargetError(`${destination} is a file, not a folder`);
    throw e;
  });
  if (entries.length > 0) throw new BackupTargetError(`${destination} is not empty: back up into a new or empty folder`);
  await mkdir(destination, { recursive: true, mode: PRIVATE_DIR_MODE });
}

export async function backupDataFolder(sources: BackupSources, destination: string): Promise<BackupReport> {
  const started = Date.now();
  await prepareTarget(destination, sources.dataDir);
  const indexFile = path.join(destination, 'index.sqlite');
  const blobs = await sources.blobs.holding(async () => {
    await sources.snapshotIndex(indexFile);
    return sources.blobs.inner.exportTo(destination);
  });
  // Root's generated credentials belong with the data they guard; the master key deliberately does not.
  await copyFile(path.join(sources.dataDir, ROOT_CREDENTIALS_FILE), path.join(destination, ROOT_CREDENTIALS_FILE)).catch(
    (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    },
  );
  const report: BackupReport = {
    destination,
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    indexBytes: (await stat(indexFile)).size,
    blobs: blobs.blobs,
    linked: blobs.linked,
    blobBytes: blobs.bytes,
  };
  await writeFile(path.join(destination, 'backup.json'), JSON.stringify({ ...report, version: sources.version }, null, 2) + '\n', { mode: PRIVATE_FILE_MODE });
  return report;
}
