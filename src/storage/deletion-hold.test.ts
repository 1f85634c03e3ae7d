// DeletionHold: deletions asked for while held happen only when the last hold ends.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DeletionHold } from './deletion-hold.js';
import { DiskBlobStore } from './disk/disk-blob-store.js';

let dir: string;
let store: DeletionHold<DiskBlobStore>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sklad-hold-'));
  store = new DeletionHold(await DiskBlobStore.open(dir));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ids(): Promise<string[]> {
  const all: string[] = [];
  for await (const id of store.ids()) all.push(id);
  return all;
}

it('keeps blobs deleted during a hold until every hold has ended', async () => {
  const a = await store.write(Readable.from([Buffer.from('a')]));
  const b = await store.write(Readable.from([Buffer.from('b')]));
  let release!: () => void;
  const outer = store.holding(() => new Promise<void>((resolve) => (release = resolve)));
  await store.holding(async () => {
    await store.delete(a.id);
    expect(await ids()).toContain(a.id);
  });
  expect(await ids()).toContain(a.id); // the outer hold is still on
  release();
  await outer;
  expect(await ids()).toEqual([b.id]);
  await store.delete(b.id); // no hold: at once
  expect(await ids()).toEqual([]);
});

it('exports blob files into another folder, hard-linked on the same file system', async () => {
  const a = await store.write(Readable.from([Buffer.from('hello')]));
  const report = await store.inner.exportTo(join(dir, 'copy'));
  expect(report).toEqual({ blobs: 1, linked: 1, bytes: 5 });
  const copy = await DiskBlobStore.open(join(dir, 'copy'));
  const chunks: Buffer[] = [];
  for await (const chunk of await copy.read(a.id)) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).toString()).toBe('hello');
});
