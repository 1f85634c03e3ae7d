// Streams an object's bytes, or a range of them, across the blobs that hold it. Ranges are plaintext
// offsets; encrypted blobs are decrypted segment by segment, reading only the segments a range touches.
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openDecryptedRange } from '../crypto/blob-format.js';
import type { BlobStore, ByteRange } from '../storage/blob-store.js';
import type { BlobRef } from '../storage/metadata-index.js';

interface Slice {
  id: string;
  /** Plaintext size of the blob. */
  size: number;
  range: ByteRange;
}

function slicesFor(blobs: BlobRef[], range: ByteRange): Slice[] {
  const slices: Slice[] = [];
  let offset = 0;
  for (const blob of blobs) {
    const first = offset;
    const last = offset + blob.size - 1;
    offset += blob.size;
    if (blob.size === 0 || last < range.start || first > range.end) continue;
    slices.push({ id: blob.id, size: blob.size, range: { start: Math.max(range.start, first) - first, end: Math.min(range.end, last) - first } });
  }
  return slices;
}

function openSlice(store: BlobStore, slice: Slice, dataKey: Buffer | undefined): Promise<Readable> {
  if (dataKey === undefined) return store.read(slice.id, slice.range);
  return openDecryptedRange((r) => store.read(slice.id, r), dataKey, slice.size, slice.range.start, slice.range.end);
}

/**
 * Opens the first blob before resolving so that a missing blob is an error response, not a cut stream.
 * Later blobs open as the reader reaches them. `dataKey` decrypts objects stored encrypted.
 */
export async function openObjectStream(store: BlobStore, blobs: BlobRef[], range: ByteRange, dataKey?: Buffer): Promise<Readable> {
  const slices = slicesFor(blobs, range);
  if (slices.length === 0) return new PassThrough().end();
  const first = await openSlice(store, slices[0]!, dataKey);
  if (slices.length === 1) return first;
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  void (async () => {
    let current: Readable = first;
    for (let i = 0; ; i++) {
      await pipeline(current, out, { end: false });
      const next = slices[i + 1];
      if (next === undefined) break;
      current = await openSlice(store, next, dataKey);
    }
    out.end();
  })().catch((err: unknown) => out.destroy(err as Error));
  return out;
}
