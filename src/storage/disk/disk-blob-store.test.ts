// DiskBlobStore: layout, durability path, ranges, failure cleanup, sweeping, flat memory.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { S3Error } from '../../errors/s3-error.js';
import { DiskBlobStore } from './disk-blob-store.js';

let root: string;
let store: DiskBlobStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sklad-blobs-'));
  store = await DiskBlobStore.open(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function allIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of store.ids()) ids.push(id);
  return ids.sort();
}

/** Yields `total` bytes in 64 KiB chunks, then fails with `error` if given. */
function generated(total: number, error?: Error): Readable {
  const chunk = Buffer.alloc(64 * 1024, 7);
  return Readable.from((async function* () {
    for (let sent = 0; sent < total; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, total - sent));
    if (error) throw error;
  })());
}

describe('DiskBlobStore', () => {
  it('round-trips bytes under blobs/ab/cd/<id> and leaves tmp empty', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const written = await store.write(Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
    expect(written.id).toMatch(/^[0-9a-f]{32}$/);
    expect(written.size).toBe(data.length);
    const onDisk = join(root, 'blobs', written.id.slice(0, 2), written.id.slice(2, 4), written.id);
    expect((await stat(onDisk)).size).toBe(data.length);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect((await collect(await store.read(written.id))).equals(data)).toBe(true);
  });

  it('reads a long range (8 MiB or more) in 1 MiB chunks and a short one in 256 KiB chunks, bytes intact', async () => {
    const data = randomBytes(9 * 1024 * 1024 + 5);
    const { id } = await store.write(Readable.from([data]));
    const chunkSizes = async (range: { start: number; end: number }): Promise<number> => {
      const stream = await store.read(id, range);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(data.subarray(range.start, range.end + 1))).toBe(true);
      return Math.max(...chunks.map((c) => c.length));
    };
    expect(await chunkSizes({ start: 3, end: data.length - 2 })).toBe(1024 * 1024);
    expect(await chunkSizes({ start: 3, end: 3 + 8 * 1024 * 1024 - 2 })).toBe(256 * 1024);
  });

  it('stores an empty blob', async () => {
    const written = await store.write(Readable.from([]));
    expect(written.size).toBe(0);
    expect((await collect(await store.read(written.id))).length).toBe(0);
  });

  it('gives every write a fresh id', async () => {
    const a = await store.write(Readable.from([Buffer.from('same')]));
    const b = await store.write(Readable.from([Buffer.from('same')]));
    expect(a.id).not.toBe(b.id);
  });

  it('reads inclusive byte ranges', async () => {
    const data = randomBytes(1024 * 1024);
    const { id } = await store.write(Readable.from([data]));
    const range = async (start: number, end: number): Promise<Buffer> => collect(await store.read(id, { start, end }));
    expect((await range(0, 0)).equals(data.subarray(0, 1))).toBe(true);
    expect((await range(10, 19)).equals(data.subarray(10, 20))).toBe(true);
    expect((await range(300_000, 700_000)).equals(data.subarray(300_000, 700_001))).toBe(true);
    expect((await range(data.length - 1, data.length - 1)).equals(data.subarray(data.length - 1))).toBe(true);
    await expect(store.read(id, { start: 5, end: 4 })).rejects.toThrow(RangeError);
  });

  it('rejects reading a missing blob with ENOENT before any stream exists', async () => {
    await expect(store.read('0123456789abcdef0123456789abcdef')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(store.read('../../etc/passwd')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps serving an open read after the blob is deleted', async () => {
    const data = randomBytes(2 * 1024 * 1024);
    const { id } = await store.write(Readable.from([data]));
    const stream = await store.read(id);
    await store.delete(id);
    expect((await collect(stream)).equals(data)).toBe(true);
    await expect(store.read(id)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('deletes idempotently', async () => {
    const { id } = await store.write(Readable.from([Buffer.from('x')]));
    await store.delete(id);
    await store.delete(id);
    await store.delete('not-an-id');
    expect(await allIds()).toEqual([]);
  });

  it('fails mid-stream with the source error object, leaving no file behind', async () => {
    const failure = new S3Error('IncompleteBody');
    await expect(store.write(generated(5 * 1024 * 1024, failure))).rejects.toBe(failure);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect(await allIds()).toEqual([]);
  });

  it('fails on abort with the abort reason, leaving no file behind', async () => {
    const controller = new AbortController();
    const reason = new Error('client went away');
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(1024 * 1024, 1));
    const writing = store.write(source, controller.signal);
    setTimeout(() => controller.abort(reason), 20);
    await expect(writing).rejects.toBe(reason);
    expect(source.destroyed).toBe(true);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect(await allIds()).toEqual([]);
  });

  it('lists the ids of stored blobs', async () => {
    const written = await Promise.all([1, 2, 3, 4, 5].map((n) => store.write(Readable.from([Buffer.alloc(n)]))));
    await writeFile(join(root, 'blobs', 'stray-file'), 'ignored');
    expect(await allIds()).toEqual(written.map((w) => w.id).sort());
  });

  it('sweeps leftover temporary files but not writes in progress', async () => {
    await writeFile(join(root, 'tmp', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'), 'partial');
    await writeFile(join(root, 'tmp', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'), 'partial');
    await mkdir(join(root, 'tmp', 'odd-dir'));
    const source = new Readable({ read() {} });
    source.push(Buffer.from('in flight'));
    const inFlight = store.write(source);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.sweepTemporary()).toBe(3);
    source.push(null);
    const { id, size } = await inFlight;
    expect(size).toBe('in flight'.length);
    expect((await collect(await store.read(id))).toString()).toBe('in flight');
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect(await store.sweepTemporary()).toBe(0);
  });

  it('reopens an existing root', async () => {
    const { id } = await store.write(Readable.from([Buffer.from('kept')]));
    const again = await DiskBlobStore.open(root);
    expect((await collect(await again.read(id))).toString()).toBe('kept');
  });

  it('streams a large blob in and out without buffering it', async () => {
    const total = 256 * 1024 * 1024;
    const before = process.memoryUsage();
    let peak = 0;
    const sample = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(peak, now.arrayBuffers - before.arrayBuffers, now.rss - before.rss);
    }, 5);
    try {
      const { id, size } = await store.write(generated(total));
      expect(size).toBe(total);
      const hash = createHash('sha256');
      for await (const chunk of await store.read(id)) hash.update(chunk as Buffer);
      const expected = createHash('sha256');
      for await (const chunk of generated(total)) expected.update(chunk as Buffer);
      expect(hash.digest('hex')).toBe(expected.digest('hex'));
    } finally {
      clearInterval(sample);
    }
    expect(peak).toBeLessThan(64 * 1024 * 1024);
  });
});
