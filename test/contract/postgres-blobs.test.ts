// The blob-store contract and the inline-blob cases on PostgreSQL: small blobs as rows of the shared
// database over the disk store. One throwaway cluster for the file, a fresh schema per case.
import { Readable } from 'node:stream';
import pino from 'pino';
import { expect, it } from 'vitest';
import { recoverStorage } from '../../src/data-folder/recovery.js';
import { throwawayMetadataSchemas } from '../support/postgres.js';
import { runBlobStoreContract } from './blob-store.contract.js';
import { inlineSubject, runInlineBlobCases } from './inline-blob-cases.js';

const schemas = throwawayMetadataSchemas('blobs');

const open = () => inlineSubject(() => schemas.open());

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
