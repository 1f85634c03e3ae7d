// The metadata and identity contracts on PostgreSQL: one throwaway cluster for the file, a fresh schema
// (created and migrated by the index itself) per case.
import { describe, expect, it } from 'vitest';
import { throwawayMetadataSchemas } from '../support/postgres.js';
import { runIdentityIndexContract } from './identity-index.contract.js';
import { runMetadataIndexContract } from './metadata-index.contract.js';
import { bucketRecord, objectRecord } from './records.js';
import { runSessionIndexContract } from './session-index.contract.js';

const { open, nextSchema } = throwawayMetadataSchemas('contract');

// A quarter of the randomised listing comparison: its thousands of round trips are what this engine pays for.
runMetadataIndexContract('PostgreSQL', open, { listingScale: 0.25 });
runIdentityIndexContract('PostgreSQL', async () => {
  const metadata = await open();
  return { metadata, identity: metadata.identity() };
});

describe('PostgreSQL: versions written by several gateways at once', () => {
  it('gives every version of one key its own place, whichever gateway wrote it, and removes them in that order', async () => {
    const schema = nextSchema();
    const gateways = [await open(schema), await open(schema), await open(schema)];
    try {
      await gateways[0]!.createBucket(bucketRecord('v', { versioning: 'Enabled' }));
      const ids = Array.from({ length: 60 }, (_, i) => `id${String(i).padStart(2, '0')}`);
      // Each gateway's writes share its group commit; the gateways' batches interleave under the bucket lock.
      await Promise.all(ids.map((id, i) => gateways[i % gateways.length]!.putObject(objectRecord('v', 'k', { versionId: id }))));
      const page = await gateways[1]!.listVersions({ bucket: 'v', prefix: '', delimiter: '', keyMarker: '', versionIdMarker: '', maxKeys: 1000 });
      const listed = page.versions.map((v) => v.versionId);
      // A place shared by two versions would hide one of them from the listing (it walks places downwards).
      expect([...listed].sort()).toEqual(ids);
      expect(page.versions.filter((v) => v.isLatest).map((v) => v.versionId)).toEqual([listed[0]]);
      expect((await gateways[2]!.getObject('v', 'k'))?.versionId).toBe(listed[0]);
      // Deleting the current version promotes the next in listed order, from any gateway.
      for (const [i, id] of listed.slice(0, 5).entries()) {
        await gateways[i % gateways.length]!.deleteVersion('v', 'k', id, { now: new Date() });
        expect((await gateways[(i + 1) % gateways.length]!.getObject('v', 'k'))?.versionId).toBe(listed[i + 1]);
      }
      expect((await gateways[0]!.bucketUsage('v')).objects).toBe(ids.length - 5);
    } finally {
      for (const gateway of gateways) await gateway.close();
    }
  });
});

runSessionIndexContract('PostgreSQL', async () => {
  const metadata = await open();
  return { sessions: metadata.sessions(), close: () => metadata.close() };
});
