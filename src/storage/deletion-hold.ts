// A BlobStore wrapper that can hold back deletions for a while: during an online backup, every blob the
// index snapshot references must still exist when the blob files are copied after it.
import type { Readable } from 'node:stream';
import type { BlobStore, ByteRange, WriteOptions, WrittenBlob } from './blob-store.js';

export class DeletionHold<S extends BlobStore> implements BlobStore {
  #holds = 0;
  readonly #pending = new Set<string>();

  constructor(readonly inner: S) {}

  write(source: Readable, signal?: AbortSignal, options?: WriteOptions): Promise<WrittenBlob> {
    return this.inner.write(source, signal, options);
  }

  read(id: string, range?: ByteRange): Promise<Readable> {
    return this.inner.read(id, range);
  }

  writtenAt(id: string): Promise<Date | undefined> {
    return this.inner.writtenAt?.(id) ?? Promise.resolve(undefined);
  }

  async delete(id: string): Promise<void> {
    if (this.#holds > 0) {
      this.#pending.add(id);
      return;
    }
    await this.inner.delete(id);
  }

  ids(): AsyncIterable<string> {
    return this.inner.ids();
  }

  sweepTemporary(): Promise<number> {
    return this.inner.sweepTemporary();
  }

  /**
   * Runs `work` with deletions held; the held ones happen when the last hold ends. A crash meanwhile only
   * leaves unreferenced blobs, which start-up recovery removes.
   */
  async holding<T>(work: () => Promise<T>): Promise<T> {
    this.#holds += 1;
    try {
      return await work();
    } finally {
      this.#holds -= 1;
      if (this.#holds === 0) {
        const ids = [...this.#pending];
        this.#pending.clear();
        for (const id of ids) await this.inner.delete(id);
      }
    }
  }
}
