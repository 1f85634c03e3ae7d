// Object bytes, addressed by random blob ids. A blob is written once, never changed, deleted when
// no record references it. Keys never reach this layer.
import type { Readable } from 'node:stream';

export interface ByteRange {
  /** inclusive */
  start: number;
  /** inclusive */
  end: number;
}

export interface WrittenBlob {
  id: string;
  size: number;
  /**
   * The bytes of a small blob written with `stage` (see WriteOptions), not stored yet: they become durable
   * with the first index write that references the blob (BlobRef.staged).
   */
  staged?: Buffer;
}

export interface WriteOptions {
  /**
   * A store that keeps small blobs as index rows may hand a small blob's bytes back (WrittenBlob.staged)
   * instead of storing them: the caller commits them in the same index transaction as the record that
   * references the blob, so a small write costs one commit, not two, and a crash leaves no orphan row.
   */
  stage?: boolean;
}

export interface BlobStore {
  /**
   * Streams `source` into a new blob and makes it durable (data and directory entry synced) before
   * resolving. If the source errors or `signal` aborts, nothing is left behind and the promise rejects
   * with that error.
   */
  write(source: Readable, signal?: AbortSignal, options?: WriteOptions): Promise<WrittenBlob>;
  /**
   * Opens the blob before resolving, so a missing blob is an error here rather than a cut stream.
   * The returned stream reads `range` (whole blob when absent).
   */
  read(id: string, range?: ByteRange): Promise<Readable>;
  /**
   * The whole blob as a buffer when the store holds it inline (small blobs, see inline-blob-store.ts),
   * so that small reads need no stream; undefined otherwise, including for a missing blob. `storedSize`,
   * when known, lets the store skip the look-up for a blob too large to be inline.
   */
  readInline?(id: string, storedSize?: number): Buffer | undefined | Promise<Buffer | undefined>;
  /**
   * When the blob was finished (made durable under its id); undefined for a missing blob or a store that
   * does not know. Orphan collection on a shared store spares blobs younger than a grace period: another
   * gateway may have written one and not yet committed the record that references it.
   */
  writtenAt?(id: string): Promise<Date | undefined>;
  /** Idempotent: deleting a missing blob is not an error. */
  delete(id: string): Promise<void>;
  /** Every blob id present on disk (for recovery sweeps and scrubbing). */
  ids(): AsyncIterable<string>;
  /** Removes leftover temporary files of interrupted writes; returns how many. */
  sweepTemporary(): Promise<number>;
}

export interface BlobExport {
  blobs: number;
  /** Of those, how many were hard-linked rather than copied. */
  linked: number;
  bytes: number;
}

/** A blob store whose files an online backup can copy (hard-linking where it can). */
export interface ExportableBlobStore {
  exportTo(targetRoot: string): Promise<BlobExport>;
}
