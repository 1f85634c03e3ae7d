// InlineBlobStore over a real metadata index and disk store, for each engine that keeps small blobs inline:
// which blobs go inline, reading them back, their lifetime through the index (overwrite, copy, multipart,
// delete) and recovery of orphan rows.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recoverStorage } from '../../src/data-folder/recovery.js';
import { DiskBlobStore } from '../../src/storage/disk/disk-blob-store.js';
import { INLINE_THRESHOLD, InlineBlobStore, type InlineBlobTable } from '../../src/storage/inline-blob-store.js';
import type { MetadataIndex } from '../../src/storage/metadata-index.js';
import { bucketRecord, expectS3Error, objectRecord, partRecord, uploadRecord } from './records.js';

export interface InlineSubject {
  index: MetadataIndex;
  table: InlineBlobTable;
  store: InlineBlobStore;
  close(): Promise<void>;
}

/** An index that keeps small blobs inline, in its table. */
export type InlineIndex = MetadataIndex & { inlineBlobs(): InlineBlobTable };

/** The index's inline table over a disk store in a fresh temporary folder (given to `openIndex` too). */
export async function inlineSubject(openIndex: (dir: string) => InlineIndex | Promise<InlineIndex>): Promise<InlineSubject> {
  const dir = await mkdtemp(join(tmpdir(), 'sklad-inline-'));
  const index = await openIndex(dir);
  const table = index.inlineBlobs();
  return {
    index,
    table,
    store: new InlineBlobStore(await DiskBlobStore.open(dir), table),
    async close() {
      await index.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A stream of `data` in chunks of `chunk` bytes, as a socket would deliver it. */
function chunked(data: Buffer, chunk = 16 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) parts.push(data.subarray(i, i + chunk));
  return Readable.from(parts, { objectMode: false });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function runInlineBlobCases(name: string, open: () => Promise<InlineSubject>): void {
  let subject: InlineSubject;
  let index: MetadataIndex;
  let table: InlineBlobTable;
  let store: InlineBlobStore;

  beforeEach(async () => {
    subject = await open();
    ({ index, table, store } = subject);
    await index.createBucket(bucketRecord('b'));
  });

  afterEach(async () => {
    await subject.close();
  });

  const held = async (id: string): Promise<boolean> => (await table.get(id)) !== undefined;

  async function ids(): Promise<string[]> {
    const out: string[] = [];
    for await (const id of store.ids()) out.push(id);
    return out.sort();
  }

  describe(`InlineBlobStore over ${name}`, () => {
    it('keeps blobs up to the threshold inline and larger ones in files, and reads both back', async () => {
      const sizes = [0, 1, 4096, INLINE_THRESHOLD, INLINE_THRESHOLD + 1, 3 * INLINE_THRESHOLD + 7];
      for (const size of sizes) {
        const data = randomBytes(size);
        const written = await store.write(chunked(data));
        expect(written.size).toBe(size);
        expect(await held(written.id)).toBe(size <= INLINE_THRESHOLD);
        expect((await readAll(await store.read(written.id))).equals(data)).toBe(true);
      }
    });

    it('serves byte ranges of an inline blob', async () => {
      const data = randomBytes(5000);
      const { id } = await store.write(chunked(data, 1000));
      for (const [start, end] of [[0, 0], [10, 4999], [4999, 4999], [100, 10_000]] as const) {
        expect((await readAll(await store.read(id, { start, end }))).equals(data.subarray(start, end + 1))).toBe(true);
      }
      await expect(store.read(id, { start: 5, end: 2 })).rejects.toThrow(RangeError);
    });

    it('answers a missing or malformed id as ENOENT', async () => {
      await expect(store.read('0'.repeat(32))).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(store.read('../x')).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('stores nothing when the source fails, small or large', async () => {
      for (const before of [100, 2 * INLINE_THRESHOLD]) {
        const failing = new Readable({ read() {} });
        failing.push(randomBytes(before));
        setImmediate(() => failing.destroy(new Error('client went away')));
        await expect(store.write(failing)).rejects.toThrow('client went away');
      }
      expect(await ids()).toEqual([]);
    });

    it('stops on an aborted signal', async () => {
      const controller = new AbortController();
      const source = new Readable({ read() {} });
      source.push(randomBytes(10));
      const writing = store.write(source, controller.signal);
      controller.abort(new Error('stop'));
      await expect(writing).rejects.toThrow('stop');
      expect(await ids()).toEqual([]);
    });

    it('deletes both kinds, idempotently, and lists both kinds', async () => {
      const small = await store.write(chunked(randomBytes(10)));
      const large = await store.write(chunked(randomBytes(INLINE_THRESHOLD * 2)));
      expect(await ids()).toEqual([small.id, large.id].sort());
      await store.delete(small.id);
      await store.delete(small.id);
      await store.delete(large.id);
      expect(await ids()).toEqual([]);
    });
  });

  describe(`inline blobs through the ${name} index`, () => {
    const refOf = (w: { id: string; size: number }) => [{ id: w.id, size: w.size }];

    it('drops an inline blob in the same commit as its last reference: overwrite inline → file → inline', async () => {
      const small = await store.write(chunked(randomBytes(100)));
      await index.putObject(objectRecord('b', 'k', { blobs: refOf(small), size: 100 }));
      const large = await store.write(chunked(randomBytes(INLINE_THRESHOLD + 1)));
      // The inline blob is gone already; only the file blob would be left for the caller to delete.
      expect(await index.putObject(objectRecord('b', 'k', { blobs: refOf(large), size: large.size }))).toEqual([]);
      expect(await held(small.id)).toBe(false);
      const again = await store.write(chunked(randomBytes(50)));
      expect(await index.putObject(objectRecord('b', 'k', { blobs: refOf(again), size: 50 }))).toEqual([large.id]);
      expect(await index.deleteObject('b', 'k')).toEqual([]);
      expect(await held(again.id)).toBe(false);
    });

    it('keeps an inline blob shared by a copy until the last key using it goes', async () => {
      const small = await store.write(chunked(randomBytes(100)));
      await index.putObject(objectRecord('b', 'src', { blobs: refOf(small), size: 100 }));
      await index.copyObject({ bucket: 'b', key: 'src' }, () => undefined, (s) => ({ ...s, key: 'dst' }));
      expect(await index.deleteObject('b', 'src')).toEqual([]);
      expect(await held(small.id)).toBe(true);
      expect((await readAll(await store.read(small.id))).length).toBe(100);
      await index.deleteObject('b', 'dst');
      expect(await held(small.id)).toBe(false);
    });

    it('keeps inline parts through Complete and drops them on abort', async () => {
      const kept = await store.write(chunked(randomBytes(300)));
      const dropped = await store.write(chunked(randomBytes(200)));
      await index.createUpload(uploadRecord('b', 'mp', { uploadId: 'u1' }));
      await index.putPart(partRecord('u1', 1, { blob: refOf(kept)[0]! }));
      await index.completeUpload('u1', objectRecord('b', 'mp', { blobs: refOf(kept), size: 300 }));
      expect(await held(kept.id)).toBe(true);
      await index.createUpload(uploadRecord('b', 'mp2', { uploadId: 'u2' }));
      await index.putPart(partRecord('u2', 1, { blob: refOf(dropped)[0]! }));
      expect(await index.abortUpload('u2')).toEqual([]);
      expect(await held(dropped.id)).toBe(false);
    });

    it('a staged small blob stores nothing until the record that references it commits, then reads back', async () => {
      const data = randomBytes(4096);
      const small = await store.write(chunked(data), undefined, { stage: true });
      expect(small.staged?.equals(data)).toBe(true);
      expect(await ids()).toEqual([]);
      await index.putObject(objectRecord('b', 'k', { blobs: [small], size: small.size }));
      expect((await readAll(await store.read(small.id))).equals(data)).toBe(true);
      expect((await index.getObject('b', 'k'))?.blobs).toEqual([{ id: small.id, size: 4096 }]);
      // Larger blobs are never staged: they are files, durable before the write resolves.
      const large = await store.write(chunked(randomBytes(INLINE_THRESHOLD + 1)), undefined, { stage: true });
      expect(large.staged).toBeUndefined();
      expect(await ids()).toEqual([small.id, large.id].sort());
    });

    it('a refused write leaves no row of its staged blob (condition, quota)', async () => {
      await index.putObject(objectRecord('b', 'k', { blobs: [], size: 0 }));
      const refused = await store.write(chunked(randomBytes(100)), undefined, { stage: true });
      await expectS3Error(index.putObject(objectRecord('b', 'k', { blobs: [refused], size: 100 }), { ifNoneMatch: true }), 'PreconditionFailed');
      await index.patchBucket('b', { quota: { maxBytes: 10 } });
      const over = await store.write(chunked(randomBytes(100)), undefined, { stage: true });
      await expectS3Error(index.putObject(objectRecord('b', 'other', { blobs: [over], size: 100 })), 'QuotaExceeded');
      expect(await held(refused.id)).toBe(false);
      expect(await held(over.id)).toBe(false);
    });

    it('a staged part is stored with the part and kept through Complete; a staged copy with its record', async () => {
      const part = await store.write(chunked(randomBytes(300)), undefined, { stage: true });
      await index.createUpload(uploadRecord('b', 'mp', { uploadId: 'u1' }));
      await index.putPart(partRecord('u1', 1, { blob: part }));
      expect(await held(part.id)).toBe(true);
      await index.completeUpload('u1', objectRecord('b', 'mp', { blobs: [{ id: part.id, size: 300 }], size: 300 }));
      expect((await readAll(await store.read(part.id))).length).toBe(300);
      const copied = await store.write(chunked(randomBytes(200)), undefined, { stage: true });
      await index.copyObject({ bucket: 'b', key: 'mp' }, () => undefined, (s) => ({ ...s, key: 'copy', blobs: [copied], size: 200 }));
      expect((await readAll(await store.read(copied.id))).length).toBe(200);
      expect(await held(part.id)).toBe(true);
    });

    it('recovery removes inline rows that no record references (written, never committed to a record)', async () => {
      await store.write(chunked(randomBytes(100))); // an orphan
      const used = await store.write(chunked(randomBytes(100)));
      await index.putObject(objectRecord('b', 'k', { blobs: refOf(used), size: 100 }));
      const report = await recoverStorage(index, store, pino({ level: 'silent' }));
      expect(report.orphanBlobs).toBe(1);
      expect(await ids()).toEqual([used.id]);
    });

    it('recovery with a grace period spares a young unreferenced inline row (another gateway may commit it)', async () => {
      const young = await store.write(chunked(randomBytes(100)));
      const report = await recoverStorage(index, store, pino({ level: 'silent' }), { orphanGraceMs: 3_600_000 });
      expect(report.orphanBlobs).toBe(0);
      expect(await ids()).toEqual([young.id]);
    });
  });
}
