// The metadata and identity contracts on PostgreSQL: one throwaway cluster for the file, a fresh schema
// (created and migrated by the index itself) per case.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/storage/postgres/migrations.js';
import type { PostgresMetadataIndex } from '../../src/storage/postgres/postgres-metadata-index.js';
import { throwawayMetadataSchemas } from '../support/postgres.js';
import { runIdentityIndexContract } from './identity-index.contract.js';
import { runMetadataIndexContract } from './metadata-index.contract.js';
import { blobId, bucketRecord, objectRecord, partRecord, uploadRecord } from './records.js';
import { runSessionIndexContract } from './session-index.contract.js';

const { open, nextSchema, url } = throwawayMetadataSchemas('contract');

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
      // The gateways' writes interleave under the key's lock.
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

/** Three indexes over one fresh schema, as three gateways; closed after `body`. */
async function withGateways(body: (gateways: PostgresMetadataIndex[]) => Promise<void>): Promise<void> {
  const schema = nextSchema();
  const gateways = [await open(schema), await open(schema), await open(schema)];
  try {
    await body(gateways);
  } finally {
    for (const gateway of gateways) await gateway.close();
  }
}

/** One index over a fresh schema, closed after `body`. */
async function withIndex(body: (index: PostgresMetadataIndex) => Promise<void>): Promise<void> {
  const index = await open();
  try {
    await body(index);
  } finally {
    await index.close();
  }
}

const statuses = (results: PromiseSettledResult<unknown>[]) => ({
  fulfilled: results.filter((r) => r.status === 'fulfilled').length,
  refused: results.filter((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'QuotaExceeded').length,
});

describe('PostgreSQL: limits hold under concurrent writes of different keys from several gateways', () => {
  it('lets exactly as many new keys in as the bucket quota allows', async () => {
    await withGateways(async (gateways) => {
      await gateways[0]!.createBucket(bucketRecord('q'));
      await gateways[0]!.patchBucket('q', { quota: { maxObjects: 10 } });
      const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) =>
        gateways[i % 3]!.putObject(objectRecord('q', `k${i}`))));
      expect(statuses(results)).toEqual({ fulfilled: 10, refused: 20 });
      expect(await gateways[1]!.bucketUsage('q')).toEqual({ objects: 10, bytes: 110 });
    });
  });

  it("lets exactly as many bytes in across a user's buckets as the user's quota allows", async () => {
    await withGateways(async (gateways) => {
      const identity = gateways[0]!.identity();
      await identity.createUser({ name: 'carol', createdAt: new Date() });
      await identity.updateUser('carol', { quota: { maxBytes: 55 } });
      for (const name of ['u1', 'u2']) await gateways[0]!.createBucket(bucketRecord(name, { owner: 'carol' }));
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) =>
        gateways[i % 3]!.putObject(objectRecord(i % 2 === 0 ? 'u1' : 'u2', `k${i}`))));
      // Objects of 11 bytes: five fit in 55.
      expect(statuses(results)).toEqual({ fulfilled: 5, refused: 15 });
      expect(await identity.userUsage('carol')).toEqual({ objects: 5, bytes: 55 });
    });
  });

  it('counts parts of uploads on several gateways against the byte quota exactly', async () => {
    await withGateways(async (gateways) => {
      await gateways[0]!.createBucket(bucketRecord('p'));
      await gateways[0]!.patchBucket('p', { quota: { maxBytes: 100 } });
      const upload = uploadRecord('p', 'big');
      await gateways[0]!.createUpload(upload);
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) =>
        gateways[i % 3]!.putPart(partRecord(upload.uploadId, i + 1, { blob: { id: blobId(), size: 20 } }))));
      expect(statuses(results)).toEqual({ fulfilled: 5, refused: 7 });
      expect((await gateways[2]!.allParts(upload.uploadId)).length).toBe(5);
    });
  });

  it('keeps the open-upload limit of a bucket', async () => {
    await withGateways(async (gateways) => {
      await gateways[0]!.createBucket(bucketRecord('m'));
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) =>
        gateways[i % 3]!.createUpload(uploadRecord('m', `k${i}`), 4)));
      expect(statuses(results)).toEqual({ fulfilled: 4, refused: 8 });
    });
  });
});

describe('PostgreSQL schema step 5: usage counters in shards', () => {
  it('carries the counters a database kept in its bucket rows, and counts on from there', async () => {
    const schema = nextSchema();
    const client = new pg.Client({ connectionString: url(), options: `-c search_path=${schema}` });
    await client.connect();
    try {
      // A database as the release before this step left it: four steps, counters in the bucket rows.
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query('CREATE TABLE sklad_schema (version INTEGER NOT NULL)');
      for (const step of migrations.slice(0, 4)) await client.query(step);
      await client.query('INSERT INTO sklad_schema (version) VALUES (4)');
      await client.query(`INSERT INTO buckets (name, owner, region, created_at, acl) VALUES ('old', 'o', 'us-east-1', 0, 'private')`);
      for (const [key, size] of [['a', 5], ['b', 7]] as const) {
        await client.query(`INSERT INTO objects (bucket, key, version_id, size, etag, last_modified, owner, storage_class, acl)
          VALUES ('old', $1, 'null', $2, 'e', 0, 'o', 'STANDARD', 'private')`, [key, size]);
      }
      await client.query(`INSERT INTO uploads (upload_id, bucket, key, initiated, owner, storage_class, acl)
        VALUES ('u1', 'old', 'c', 0, 'o', 'STANDARD', 'private')`);
      await client.query(`INSERT INTO upload_parts (upload_id, part_number, blob_id, size, etag, last_modified) VALUES ('u1', 1, 'x', 9, 'e', 0)`);
    } finally {
      await client.end();
    }
    const index = await open(schema);
    try {
      expect(await index.bucketUsage('old')).toEqual({ objects: 2, bytes: 12 });
      expect((await index.usage()).buckets).toEqual([{ bucket: 'old', owner: 'o', objects: 2, bytes: 12 }]);
      await index.putObject(objectRecord('old', 'd'));
      await index.deleteObject('old', 'a');
      expect(await index.bucketUsage('old')).toEqual({ objects: 2, bytes: 18 });
      // The upload's part still counts against a byte quota: 18 + 9 of 30 leaves room for 3 bytes, not 11.
      await index.patchBucket('old', { quota: { maxBytes: 30 } });
      await expect(index.putObject(objectRecord('old', 'e'))).rejects.toMatchObject({ code: 'QuotaExceeded' });
      await index.abortUpload('u1');
      await index.putObject(objectRecord('old', 'e'));
      expect(await index.bucketUsage('old')).toEqual({ objects: 3, bytes: 29 });
    } finally {
      await index.close();
    }
  });
});

describe('PostgreSQL: a write of a key starts with its lock, its values sent as escaped literals', () => {
  it('writes, conditions and deletes keys holding quotes, backslashes and other odd characters', async () => {
    const index = await open();
    try {
      await index.createBucket(bucketRecord('odd'));
      const keys = ["it's", 'back\\slash', "\\'; DROP TABLE objects; --", 'E\'\\x41\'', 'ключ/💾\t"q"', '$1 $$ $tag$'];
      for (const key of keys) {
        await index.putObject(objectRecord('odd', key, { etag: 'one' }), { ifNoneMatch: true });
        await expect(index.putObject(objectRecord('odd', key), { ifNoneMatch: true })).rejects.toMatchObject({ code: 'PreconditionFailed' });
        await index.putObject(objectRecord('odd', key, { etag: 'two' }), { ifMatch: 'one' });
        expect((await index.getObject('odd', key))?.etag).toBe('two');
      }
      expect(await index.bucketUsage('odd')).toEqual({ objects: keys.length, bytes: 11 * keys.length });
      for (const key of keys) await index.deleteObject('odd', key, { ifMatch: 'two' });
      expect(await index.bucketUsage('odd')).toEqual({ objects: 0, bytes: 0 });
      await expect(index.putObject(objectRecord("no'such", 'k'))).rejects.toMatchObject({ code: 'NoSuchBucket' });
    } finally {
      await index.close();
    }
  });
});

describe('PostgreSQL: reads of current versions that arrive together go as one statement', () => {
  it('answers each read with its own key, found or not, duplicates and bodies included', () =>
    withIndex(async (index) => {
      await index.createBucket(bucketRecord('batch'));
      await index.createBucket(bucketRecord('other'));
      const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
      for (const key of keys) await index.putObject(objectRecord('batch', key, { etag: `etag-${key}` }));
      await index.putObject(objectRecord('other', 'k1', { etag: 'other-k1' }));
      // Far more reads than batches may run at once, so most wait and go together.
      const asked = [...keys, 'missing', 'k1', 'k1', 'k39', 'nope/k2'].flatMap((key) => [['batch', key], ['other', key]] as const);
      const records = await Promise.all(asked.map(([bucket, key]) => index.getObject(bucket, key)));
      const withBody = await Promise.all(asked.map(([bucket, key]) => index.getObjectWithBody!(bucket, key)));
      for (const [i, [bucket, key]] of asked.entries()) {
        const expected = bucket === 'batch' && keys.includes(key) ? `etag-${key}` : bucket === 'other' && key === 'k1' ? 'other-k1' : undefined;
        expect(records[i]?.etag, `${bucket}/${key}`).toBe(expected);
        expect(records[i] && { bucket: records[i]!.bucket, key: records[i]!.key }, `${bucket}/${key}`).toEqual(expected && { bucket, key });
        expect(withBody[i]?.etag, `${bucket}/${key} with body`).toBe(expected);
      }
    }));
});

describe('PostgreSQL: U+0000, which its text cannot hold', () => {
  it("is the client's InvalidArgument in a read, a listing, a write and a conditional write, and changes nothing", () =>
    withIndex(async (index) => {
      await index.createBucket(bucketRecord('nul'));
      await index.putObject(objectRecord('nul', 'k', { etag: 'one' }));
      const refusals: [string, () => Promise<unknown>][] = [
        ['getObject', () => index.getObject('nul', 'a\u0000b')],
        ['getObjectWithBody', () => index.getObjectWithBody!('nul', 'a\u0000b')],
        ['list', () => index.list({ bucket: 'nul', prefix: '\u0000', delimiter: '', after: '', maxKeys: 10 })],
        ['putObject', () => index.putObject(objectRecord('nul', 'a\u0000b'))],
        ['putObject if-none-match', () => index.putObject(objectRecord('nul', 'a\u0000b'), { ifNoneMatch: true })],
        ['deleteObject if-match', () => index.deleteObject('nul', 'a\u0000b', { ifMatch: 'one' })],
      ];
      for (const [what, refusal] of refusals) {
        await expect(refusal(), what).rejects.toMatchObject({ name: 'S3Error', code: 'InvalidArgument', status: 400 });
      }
      expect(await index.bucketUsage('nul')).toEqual({ objects: 1, bytes: 11 });
    }));
});

describe('PostgreSQL: a read of a small object brings its inline bytes in the same query', () => {
  it('returns the bytes of a plaintext object kept inline, and none for others', async () => {
    const index = await open();
    try {
      await index.createBucket(bucketRecord('r', { versioning: 'Enabled' }));
      const inline = index.inlineBlobs();
      const data = Buffer.from('hello, inline');
      const small = objectRecord('r', 'small', { versionId: 'v1', size: data.length, blobs: [{ id: blobId(), size: data.length }] });
      await inline.put(small.blobs[0]!.id, data);
      await index.putObject(small);
      expect((await index.getObjectWithBody('r', 'small'))?.inlineBody).toEqual(data);
      // A version by id, once it is noncurrent too.
      await index.putObject(objectRecord('r', 'small', { versionId: 'v2' }));
      expect((await index.getObjectWithBody('r', 'small', 'v1'))?.inlineBody).toEqual(data);
      expect((await index.getObjectWithBody('r', 'small'))?.inlineBody).toBeUndefined(); // v2's blob is no row
      // Encrypted bytes are never sent this way (GetObject decrypts from the blob store).
      const sealed = objectRecord('r', 'sealed', { versionId: 'v3', size: data.length, blobs: [{ id: blobId(), size: data.length }], encryption: { mode: 'SSE-S3', keyId: 'k', wrappedKey: 'w' } as never });
      await inline.put(sealed.blobs[0]!.id, data);
      await index.putObject(sealed);
      expect((await index.getObjectWithBody('r', 'sealed'))?.inlineBody).toBeUndefined();
      expect(await index.getObjectWithBody('r', 'missing')).toBeUndefined();
    } finally {
      await index.close();
    }
  });
});
