// InlineBlobStore over the real SQLite index and disk store (the cases are shared with PostgreSQL's).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInlineBlobCases } from '../../test/contract/inline-blob-cases.js';
import { DiskBlobStore } from './disk/disk-blob-store.js';
import { InlineBlobStore } from './inline-blob-store.js';
import { SqliteMetadataIndex } from './sqlite/sqlite-metadata-index.js';

runInlineBlobCases('SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sklad-inline-'));
  const index = SqliteMetadataIndex.open(join(dir, 'index.sqlite'));
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
});
