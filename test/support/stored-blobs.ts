// Direct access to stored blobs for tests that inspect or damage them: a blob is either a file under
// blobs/ab/cd/<id> or, when small, a row of inline_blobs in index.sqlite.
import { readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';

export function blobFilePath(dataDir: string, id: string): string {
  return path.join(dataDir, 'blobs', id.slice(0, 2), id.slice(2, 4), id);
}

function withIndex<T>(dataDir: string, work: (db: Database.Database) => T, readonly = true): T {
  const db = new Database(path.join(dataDir, 'index.sqlite'), { readonly, fileMustExist: true });
  try {
    if (!readonly) db.pragma('busy_timeout = 5000');
    return work(db);
  } finally {
    db.close();
  }
}

function inlineRow(dataDir: string, id: string): Buffer | undefined {
  return withIndex(dataDir, (db) => db.prepare('SELECT data FROM inline_blobs WHERE id = ?').pluck().get(id) as Buffer | undefined);
}

export function isInline(dataDir: string, id: string): boolean {
  return inlineRow(dataDir, id) !== undefined;
}

export async function readStoredBlob(dataDir: string, id: string): Promise<Buffer> {
  return inlineRow(dataDir, id) ?? readFile(blobFilePath(dataDir, id));
}

/** Replaces a blob's stored bytes where they are (a running server sees the change). */
export async function writeStoredBlob(dataDir: string, id: string, data: Buffer): Promise<void> {
  if (inlineRow(dataDir, id) !== undefined) {
    withIndex(dataDir, (db) => db.prepare('UPDATE inline_blobs SET data = ? WHERE id = ?').run(data, id), false);
  } else {
    await writeFile(blobFilePath(dataDir, id), data);
  }
}

export async function flipStoredByte(dataDir: string, id: string, offset: number): Promise<void> {
  const bytes = Buffer.from(await readStoredBlob(dataDir, id));
  bytes[offset] = bytes[offset]! ^ 0x01;
  await writeStoredBlob(dataDir, id, bytes);
}

export async function deleteStoredBlob(dataDir: string, id: string): Promise<void> {
  if (inlineRow(dataDir, id) !== undefined) {
    withIndex(dataDir, (db) => db.prepare('DELETE FROM inline_blobs WHERE id = ?').run(id), false);
  } else {
    await unlink(blobFilePath(dataDir, id));
  }
}

/** Ids of every stored blob: files under blobs/ and inline rows. */
export async function storedBlobIds(dataDir: string): Promise<string[]> {
  const ids: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) await walk(path.join(dir, entry.name));
      else ids.push(entry.name);
    }
  };
  await walk(path.join(dataDir, 'blobs'));
  ids.push(...withIndex(dataDir, (db) => db.prepare('SELECT id FROM inline_blobs').pluck().all() as string[]));
  return ids;
}
