// The behaviour every BlobStore must share, as one vitest suite each store's test file runs against its
// own factory: bytes round-trip exactly, ranges are inclusive, a failed or aborted write leaves nothing,
// deletes are idempotent, and ids() lists exactly the blobs that exist.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/storage/blob-store.js';

export interface BlobStoreUnderTest {
  store: BlobStore;
  /** Releases what the factory made (temporary folders, databases). */
  close(): Promise<void>;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `data` as a stream of `pieces` chunks, so stores see bodies that arrive in parts. */
function streamOf(data: Buffer, pieces = 3): Readable {
  const size = Math.max(1, Math.ceil(data.length / pieces));
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  return Readable.from(chunks);
}

/** Yields `data`, then fails with `error`. */
function failingAfter(data: Buffer, error: Error): Readable {
  return Readable.from((async function* () {
    yield data;
    throw error;
  })());
}

export function runBlobStoreContract(name: string, makeStore: () => Promise<BlobStoreUnderTest>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let subject: BlobStoreUnderTest;
    let store: BlobStore;

    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.close();
    });

    async function allIds(): Promise<string[]> {
      const ids: string[] = [];
      for await (const id of store.ids()) ids.push(id);
      return ids.sort();
    }

    // Sizes on both sides of the inline threshold (64 KiB) and of typical stream chunk sizes.
    for (const size of [0, 1, 1000, 64 * 1024, 64 * 1024 + 1, 1024 * 1024 + 7]) {
      it(`round-trips ${size} bytes exactly`, async () => {
        const data = randomBytes(size);
        const written = await store.write(streamOf(data));
        expect(written.size).toBe(size);
        expect(written.id).toMatch(/^[0-9a-f]{32}$/);
        expect((await collect(await store.read(written.id))).equals(data)).toBe(true);
        const inline = await store.readInline?.(written.id);
        if (inline !== undefined) expect(inline.equals(data)).toBe(true);
      });
    }

    it('gives every write its own id, and lists exactly the blobs written', async () => {
      const a = await store.write(streamOf(Buffer.from('same bytes')));
      const b = await store.write(streamOf(Buffer.from('same bytes')));
      const c = await store.write(streamOf(randomBytes(200 * 1024)));
      expect(new Set([a.id, b.id, c.id]).size).toBe(3);
      expect(await allIds()).toEqual([a.id, b.id, c.id].sort());
    });

    for (const size of [100, 300 * 1024]) {
      it(`reads inclusive byte ranges of a ${size}-byte blob`, async () => {
        const data = randomBytes(size);
        const { id } = await store.write(streamOf(data));
        const read = async (start: number, end: number): Promise<Buffer> => collect(await store.read(id, { start, end }));
        expect((await read(0, 0)).equals(data.subarray(0, 1))).toBe(true);
        expect((await read(10, 49)).equals(data.subarray(10, 50))).toBe(true);
        expect((await read(size - 1, size - 1)).equals(data.subarray(size - 1))).toBe(true);
        expect((await read(0, size - 1)).equals(data)).toBe(true);
      });
    }

    it('refuses an invalid range', async () => {
      const { id } = await store.write(streamOf(randomBytes(10)));
      await expect(store.read(id, { start: 5, end: 4 })).rejects.toThrow(RangeError);
      await expect(store.read(id, { start: -1, end: 4 })).rejects.toThrow(RangeError);
    });

    it('fails to open a blob that does not exist, before any byte is streamed', async () => {
      await expect(store.read('0'.repeat(32))).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(store.read('../../etc/passwd')).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await store.readInline?.('0'.repeat(32))).toBeUndefined();
    });

    it('deletes a blob; deleting again, or a blob never written, is not an error', async () => {
      const small = await store.write(streamOf(Buffer.from('small')));
      const large = await store.write(streamOf(randomBytes(100 * 1024)));
      await store.delete(small.id);
      await store.delete(large.id);
      await store.delete(small.id);
      await store.delete('f'.repeat(32));
      await store.delete('not-an-id');
      await expect(store.read(small.id)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(store.read(large.id)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await allIds()).toEqual([]);
    });

    for (const size of [10, 200 * 1024]) {
      it(`leaves nothing behind when a ${size}-byte source fails, and rejects with its error`, async () => {
        const failure = new Error('client went away');
        await expect(store.write(failingAfter(randomBytes(size), failure))).rejects.toBe(failure);
        expect(await allIds()).toEqual([]);
        expect(await store.sweepTemporary()).toBe(0);
      });
    }

    it('leaves nothing behind when the write is aborted, and rejects with the abort reason', async () => {
      const controller = new AbortController();
      const reason = new Error('request aborted');
      const source = new Readable({ read() {} });
      source.push(randomBytes(100 * 1024));
      const writing = store.write(source, controller.signal);
      setTimeout(() => controller.abort(reason), 20);
      await expect(writing).rejects.toBe(reason);
      expect(await allIds()).toEqual([]);
    });

    it('rejects a write whose signal is already aborted, storing nothing', async () => {
      const reason = new Error('too late');
      await expect(store.write(streamOf(Buffer.from('x')), AbortSignal.abort(reason))).rejects.toBe(reason);
      expect(await allIds()).toEqual([]);
    });

    it('sweeps no finished blob away', async () => {
      const kept = await store.write(streamOf(randomBytes(100 * 1024)));
      const small = await store.write(streamOf(Buffer.from('kept too')));
      await store.sweepTemporary();
      expect(await allIds()).toEqual([kept.id, small.id].sort());
      expect((await collect(await store.read(small.id))).toString()).toBe('kept too');
    });

    it('serves concurrent writes and reads of many blobs', async () => {
      const bodies = Array.from({ length: 20 }, (_, i) => randomBytes(i % 2 === 0 ? 100 : 80 * 1024));
      const written = await Promise.all(bodies.map((body) => store.write(streamOf(body))));
      const read = await Promise.all(written.map(async (blob) => collect(await store.read(blob.id))));
      read.forEach((bytes, i) => expect(bytes.equals(bodies[i]!)).toBe(true));
      expect(await allIds()).toEqual(written.map((w) => w.id).sort());
    });
  });
}
