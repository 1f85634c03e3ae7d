// The blob-store contract on every BlobStore: files on disk, small blobs inline in the index's database
// (over the disk store), and the deletion hold an online backup wraps around the store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeletionHold } from '../../src/storage/deletion-hold.js';
import { DiskBlobStore } from '../../src/storage/disk/disk-blob-store.js';
import { InlineBlobStore } from '../../src/storage/inline-blob-store.js';
import { SqliteMetadataIndex } from '../../src/storage/sqlite/sqlite-metadata-index.js';
import { runBlobStoreContract, type BlobStoreUnderTest } from './blob-store.contract.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sklad-blob-contract-'));
}

async function disk(): Promise<BlobStoreUnderTest> {
  const dir = await tempDir();
  return { store: await DiskBlobStore.open(dir), close: () => rm(dir, { recursive: true, force: true }) };
}

runBlobStoreContract('DiskBlobStore', disk);

runBlobStoreContract('InlineBlobStore over SQLite and disk', async () => {
  const dir = await tempDir();
  const index = SqliteMetadataIndex.open(join(dir, 'index.sqlite'));
  const store = new InlineBlobStore(await DiskBlobStore.open(dir), index.inlineBlobs());
  return {
    store,
    close: async () => {
      await index.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

runBlobStoreContract('DeletionHold over disk', async () => {
  const inner = await disk();
  return { store: new DeletionHold(inner.store), close: inner.close };
});
