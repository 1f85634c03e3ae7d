// A BlobStore that keeps small blobs as rows of a table (in the metadata index's database) and hands
// larger ones to a file store. Writing a small blob then costs no file create, fsync, rename and
// directory fsync, only a row written with the index's other writes. A body is buffered in memory only up
// to the threshold: past it, the buffered bytes and the rest of the stream go to the file store, so memory
// stays flat for large objects. Ids of both kinds share one space, so records need not know which is which.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobStore, ByteRange, WriteOptions, WrittenBlob } from './blob-store.js';

/** Blobs up to this many stored bytes are kept inline. */
export const INLINE_THRESHOLD = 64 * 1024;

const ID_PATTERN = /^[0-9a-f]{32}$/;

/**
 * Where the rows live: SQLite answers in the process (synchronously), PostgreSQL over the network. The
 * store is the same over both; only the order of look-ups differs (see `remote`).
 */
export interface InlineBlobTable {
  /**
   * Whether a look-up is a network round trip. Then a missing file is cheaper to find out about than a
   * missing row, so reads try the file store first and large blobs cost no query.
   */
  readonly remote: boolean;
  /** Makes the row durable before resolving. */
  put(id: string, data: Buffer): Promise<void>;
  get(id: string): Buffer | undefined | Promise<Buffer | undefined>;
  /** Idempotent; resolves with whether there was a row. */
  delete(id: string): Promise<boolean>;
  ids(): AsyncIterable<string>;
  /** When the row was written, for tables that record it (shared ones, whose orphans get a grace period). */
  writtenAt?(id: string): Promise<Date | undefined>;
}

function notFound(id: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`ENOENT: no such blob '${id}'`);
  error.code = 'ENOENT';
  return error;
}

/** A non-object-mode stream of one buffer (Readable.from would make an object-mode one). */
function bufferStream(data: Buffer): Readable {
  return new Readable({
    read() {
      if (data.length > 0) this.push(data);
      this.push(null);
    },
  });
}

type Buffered = { kind: 'ended'; chunks: Buffer[]; size: number } | { kind: 'over' };

/**
 * Reads `source` until it ends or more than `limit` bytes have arrived, whichever comes first. In the
 * second case the bytes read are put back (unshifted), so the stream can be consumed from its start.
 */
function bufferUpTo(source: Readable, limit: number, signal: AbortSignal | undefined): Promise<Buffered> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const onData = (chunk: Buffer | Uint8Array): void => {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      chunks.push(buf);
      size += buf.length;
      if (size > limit) {
        source.pause();
        cleanup();
        // Back in front of the stream now, synchronously: by the time the caller resumes, a source that had
        // already received its end would otherwise have emitted 'end' and refuse the bytes.
        for (let i = chunks.length - 1; i >= 0; i--) source.unshift(chunks[i]);
        // Until the file store pipes it, an error of the source must not go unheard (it would crash the
        // process); the pipeline still sees it, the stream being errored.
        source.on('error', () => undefined);
        resolve({ kind: 'over' });
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ kind: 'ended', chunks, size });
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onAbort = (): void => {
      cleanup();
      const reason: unknown = signal?.reason ?? new Error('aborted');
      source.once('error', () => undefined); // the caller hears of it through the rejection below
      source.destroy(reason as Error);
      reject(reason);
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class InlineBlobStore implements BlobStore {
  constructor(
    private readonly files: BlobStore,
    private readonly table: InlineBlobTable,
    private readonly threshold = INLINE_THRESHOLD,
  ) {}

  async write(source: Readable, signal?: AbortSignal, options?: WriteOptions): Promise<WrittenBlob> {
    const buffered = await bufferUpTo(source, this.threshold, signal);
    if (buffered.kind === 'ended') {
      const id = randomBytes(16).toString('hex');
      const data = buffered.chunks.length === 1 ? buffered.chunks[0]! : Buffer.concat(buffered.chunks, buffered.size);
      if (options?.stage === true) return { id, size: buffered.size, staged: data };
      await this.table.put(id, data);
      return { id, size: buffered.size };
    }
    // Too large: the bytes read are back in front of the stream, which goes to the file store as it is,
    // without another stream (and its buffer) in between.
    return this.files.write(source, signal);
  }

  async read(id: string, range?: ByteRange): Promise<Readable> {
    if (!ID_PATTERN.test(id)) throw notFound(id);
    if (range && !(Number.isSafeInteger(range.start) && range.start >= 0 && range.end >= range.start)) {
      throw new RangeError(`invalid byte range ${range.start}-${range.end}`);
    }
    const slice = (data: Buffer): Readable => bufferStream(range ? data.subarray(range.start, range.end + 1) : data);
    if (this.table.remote) {
      try {
        return await this.files.read(id, range);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      const data = await this.table.get(id);
      if (data === undefined) throw notFound(id);
      return slice(data);
    }
    const data = await this.table.get(id);
    if (data === undefined) return this.files.read(id, range);
    return slice(data);
  }

  /** `storedSize`, when the caller knows it, spares a look-up for blobs too large to be inline. */
  readInline(id: string, storedSize?: number): Buffer | undefined | Promise<Buffer | undefined> {
    if (!ID_PATTERN.test(id) || (storedSize !== undefined && storedSize > this.threshold)) return undefined;
    return this.table.get(id);
  }

  async writtenAt(id: string): Promise<Date | undefined> {
    return (await this.table.writtenAt?.(id)) ?? (await this.files.writtenAt?.(id));
  }

  async delete(id: string): Promise<void> {
    if (!(await this.table.delete(id))) await this.files.delete(id);
  }

  async *ids(): AsyncIterable<string> {
    yield* this.files.ids();
    yield* this.table.ids();
  }

  sweepTemporary(): Promise<number> {
    return this.files.sweepTemporary();
  }
}
