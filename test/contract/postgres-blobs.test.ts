// The blob-store contract and the inline-blob cases on PostgreSQL: small blobs as rows of the shared
// database over the disk store. One throwaway cluster for the file, a fresh schema per case.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { DiskBlobStore } from '../../src/storage/disk/disk-blob-store.js';
import { InlineBlobStore } from '../../src/storage/inline-blob-store.js';
import { PostgresMetadataIndex } from '../../src/storage/postgres/postgres-metadata-index.js';
import { startPostgres, type PostgresCluster } from '../support/postgres.js';
import { runBlobStoreContract } from './blob-store.contract.js';
import { runInlineBlobCases, type InlineSubject } from './inline-blob-cases.js';

let cluster: PostgresCluster;
let url: string;
let schemas = 0;

beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase();
});

afterAll(async () => {
  await cluster?.stop();
});

async function open(): Promise<InlineSubject> {
  schemas += 1;
  const dir = await mkdtemp(join(tmpdir(), 'sklad-pg-blobs-'));
  const index = await PostgresMetadataIndex.open({ url, schema: `blobs_${schemas}`, poolSize: 4 });
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

runBlobStoreContract('InlineBlobStore over PostgreSQL and disk', open);
runInlineBlobCases('PostgreSQL', open);
