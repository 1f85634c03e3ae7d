// The blob-store contract and the inline-blob cases on PostgreSQL: small blobs as rows of the shared
// database over the disk store. One throwaway cluster for the file, a fresh schema per case.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { expect, it } from 'vitest';
import { recoverStorage } from '../../src/data-folder/recovery.js';
import { DiskBlobStore } from '../../src/storage/disk/disk-blob-store.js';
import { InlineBlobStore } from '../../src/storage/inline-blob-store.js';
import { throwawayMetadataSchemas } from '../support/postgres.js';
import { runBlobStoreContract } from './blob-store.contract.js';
import { runInlineBlobCases, type InlineSubject } from './inline-blob-cases.js';

const schemas = throwawayMetadataSchemas('blobs');

async function open(): Promise<InlineSubject> {
  const dir = await mkdtemp(join(tmpdir(), 'sklad-pg-blobs-'));
  const index = await schemas.open();
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

it('recovery with a grace period removes an unreferenced inline row once it is older than the grace', async () => {
  const { index, store, close } = await open();
  try {
    const old = await store.write(Readable.from([Buffer.from('old orphan')]));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const young = await store.write(Readable.from([Buffer.from('young orphan')]));
    expect((await store.writtenAt(old.id))?.getTime()).toBeLessThan(Date.now() - 250);
    const report = await recoverStorage(index, store, pino({ level: 'silent' }), { orphanGraceMs: 200 });
    expect(report.orphanBlobs).toBe(1);
    const left: string[] = [];
    for await (const id of store.ids()) left.push(id);
    expect(left).toEqual([young.id]);
  } finally {
    await close();
  }
});
