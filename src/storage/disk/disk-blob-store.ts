// BlobStore on a local directory: blobs at blobs/ab/cd/<id>, written as tmp/<id>, fsynced, then renamed.
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { copyFile, link, mkdir, open, opendir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../file-modes.js';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobExport, BlobStore, ByteRange, ExportableBlobStore, WrittenBlob } from '../blob-store.js';
import { syncDirectory } from './sync-directory.js';

const ID_PATTERN = /^[0-9a-f]{32}$/;
const SHARD_PATTERN = /^[0-9a-f]{2}$/;
// 256 KiB: with sixteen parts in flight, 1 MiB per write stream alone pushed the peak RSS past 200 MiB.
const WRITE_BUFFER = 256 * 1024;
const READ_BUFFER = 256 * 1024;
// Long sequential reads (a whole large object) go in 1 MiB steps: a quarter of the thread-pool round trips,
// stream events and socket writes per byte, for 3 MiB more per such stream at most (read side, verifier, socket).
const LONG_READ_BUFFER = 1024 * 1024;
const LONG_READ = 8 * 1024 * 1024;

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

function ignoreCode(code: string): (error: unknown) => void {
  return (error) => {
    if (errorCode(error) !== code) throw error;
  };
}

/** Ids are generated here; anything else (say, a path fragment) cannot name a blob. */
function notFound(id: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`ENOENT: no such blob '${id}'`);
  error.code = 'ENOENT';
  return error;
}

async function listDirectory(path: string): Promise<Dirent[]> {
  return readdir(path, { withFileTypes: true }).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  });
}

export class DiskBlobStore implements BlobStore, ExportableBlobStore {
  private readonly blobsDir: string;
  private readonly tmpDir: string;
  /** Shard directories made durable by this process: created if needed and their parent synced. */
  private readonly durableDirs = new Map<string, Promise<void>>();
  /** Temp files of writes in progress, which a sweep must leave alone. */
  private readonly writing = new Set<string>();

  private constructor(root: string, writer: string | undefined) {
    this.blobsDir = join(root, 'blobs');
    this.tmpDir = writer === undefined ? join(root, 'tmp') : join(root, 'tmp', writer);
  }

  /**
   * `writer` names this process among several sharing `root` (the gateway id): its temporary files go to
   * tmp/<writer>/, so sweeping them never touches another writer's writes in progress.
   */
  static async open(root: string, writer?: string): Promise<DiskBlobStore> {
    const store = new DiskBlobStore(root, writer);
    await mkdir(store.blobsDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    await mkdir(store.tmpDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    await syncDirectory(root);
    return store;
  }

  async write(source: Readable, signal?: AbortSignal): Promise<WrittenBlob> {
    const id = randomBytes(16).toString('hex');
    const tmp = join(this.tmpDir, id);
    // 'wx' fails on an existing file: a path we did not create is never removed below.
    const handle = await open(tmp, 'wx', PRIVATE_FILE_MODE).catch((error: unknown) => {
      source.destroy(); // as pipeline would have: the caller's body is not left half-read and open
      throw error;
    });
    this.writing.add(id);
    let placed: string | undefined;
    try {
      // flush: the stream fsyncs the file before it closes the handle, and pipeline settles only
      // once the stream has closed, so the bytes are durable when it resolves.
      const sink = handle.createWriteStream({ highWaterMark: WRITE_BUFFER, flush: true });
      await pipeline(source, sink, signal ? { signal } : {});
      const size = sink.bytesWritten;
      const dir = await this.shardDirectory(id);
      const target = join(dir, id);
      await rename(tmp, target);
      placed = target;
      await syncDirectory(dir);
      return { id, size };
    } catch (error) {
      // Normally already closed by the failed stream; this waits for that close to finish.
      await handle.close().catch(() => undefined);
      await unlink(placed ?? tmp).catch(ignoreCode('ENOENT'));
      // pipeline wraps an abort in its own AbortError; callers expect the reason they aborted with.
      throw signal?.aborted && signal.reason !== undefined ? signal.reason : error;
    } finally {
      this.writing.delete(id);
    }
  }

  async read(id: string, range?: ByteRange): Promise<Readable> {
    if (!ID_PATTERN.test(id)) throw notFound(id);
    if (range && !(Number.isSafeInteger(range.start) && range.start >= 0 && range.end >= range.start)) {
      throw new RangeError(`invalid byte range ${range.start}-${range.end}`);
    }
    const handle = await open(this.blobPath(id), 'r');
    try {
      return handle.createReadStream({
        start: range?.start,
        end: range?.end,
        highWaterMark: range !== undefined && range.end - range.start + 1 >= LONG_READ ? LONG_READ_BUFFER : READ_BUFFER,
        autoClose: true,
      });
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async writtenAt(id: string): Promise<Date | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const info = await stat(this.blobPath(id)).catch(ignoreCode('ENOENT'));
    return info ? info.mtime : undefined;
  }

  async delete(id: string): Promise<void> {
    if (!ID_PATTERN.test(id)) return;
    await unlink(this.blobPath(id)).catch(ignoreCode('ENOENT'));
  }

  async *ids(): AsyncIterable<string> {
    for (const ab of await listDirectory(this.blobsDir)) {
      if (!ab.isDirectory() || !SHARD_PATTERN.test(ab.name)) continue;
      for (const cd of await listDirectory(join(this.blobsDir, ab.name))) {
        if (!cd.isDirectory() || !SHARD_PATTERN.test(cd.name)) continue;
        const shard = ab.name + cd.name;
        // opendir streams entries: a shard directory can hold many blobs.
        const dir = await opendir(join(this.blobsDir, ab.name, cd.name)).catch(ignoreCode('ENOENT'));
        if (!dir) continue;
        for await (const entry of dir) {
          if (entry.isFile() && ID_PATTERN.test(entry.name) && entry.name.startsWith(shard)) yield entry.name;
        }
      }
    }
  }

  /**
   * Puts every blob into `targetRoot`'s blobs/ layout: a hard link where the target is on the same file
   * system (blobs never change once written, so a link is a true copy), else a byte copy.
   */
  async exportTo(targetRoot: string): Promise<BlobExport> {
    const report: BlobExport = { blobs: 0, linked: 0, bytes: 0 };
    for await (const id of this.ids()) {
      const from = this.blobPath(id);
      const dir = join(targetRoot, 'blobs', id.slice(0, 2), id.slice(2, 4));
      await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      const to = join(dir, id);
      try {
        await link(from, to);
        report.linked += 1;
      } catch (error) {
        // A blob deleted meanwhile was no longer referenced by the snapshot being taken: skip it.
        if (errorCode(error) === 'ENOENT') continue;
        if (errorCode(error) !== 'EXDEV' && errorCode(error) !== 'EPERM') throw error;
        await copyFile(from, to).catch(ignoreCode('ENOENT'));
      }
      report.blobs += 1;
      report.bytes += (await stat(to).catch(() => ({ size: 0 }))).size;
    }
    return report;
  }

  async sweepTemporary(): Promise<number> {
    let removed = 0;
    for (const entry of await listDirectory(this.tmpDir)) {
      if (this.writing.has(entry.name)) continue;
      await rm(join(this.tmpDir, entry.name), { recursive: true, force: true });
      removed += 1;
    }
    return removed;
  }

  private blobPath(id: string): string {
    return join(this.blobsDir, id.slice(0, 2), id.slice(2, 4), id);
  }

  /** blobs/ab/cd for `id`, existing and durably linked into its parent before any blob lands in it. */
  private async shardDirectory(id: string): Promise<string> {
    const ab = join(this.blobsDir, id.slice(0, 2));
    const cd = join(ab, id.slice(2, 4));
    await this.durableDirectory(ab, this.blobsDir);
    await this.durableDirectory(cd, ab);
    return cd;
  }

  // Memoised per process so concurrent writers share one mkdir + parent fsync, and a directory
  // left unsynced by a crashed earlier run is synced again on first use.
  private durableDirectory(dir: string, parent: string): Promise<void> {
    let ready = this.durableDirs.get(dir);
    if (!ready) {
      ready = mkdir(dir, PRIVATE_DIR_MODE)
        .catch(ignoreCode('EEXIST'))
        .then(() => syncDirectory(parent));
      ready.catch(() => this.durableDirs.delete(dir));
      this.durableDirs.set(dir, ready);
    }
    return ready;
  }
}
