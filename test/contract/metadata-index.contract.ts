// The behaviour every MetadataIndex implementation must share, as one vitest suite that each
// implementation's test file runs against its own factory (the pattern of hono's common.case.test.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accessQuotaCases } from './access-quota-cases.js';
import { concurrencyCases } from './concurrency-cases.js';
import { copyCases } from './copy-cases.js';
import { encryptionCases } from './encryption-cases.js';
import { lifecycleCases } from './lifecycle-cases.js';
import { listingCases } from './listing-cases.js';
import { blobId, bucketRecord, expectS3Error, objectRecord, uploadRecord } from './records.js';
import { taggingCases } from './tagging-cases.js';
import { uploadCases } from './upload-cases.js';
import { uploadListingCases } from './upload-listing-cases.js';
import { versioningCases } from './versioning-cases.js';
import { webCases } from './web-cases.js';
import type { MetadataIndex } from '../../src/storage/metadata-index.js';

export interface ContractOptions {
  /** Shrinks the randomised listing comparison for an engine where each call is a network round trip. */
  listingScale?: number;
}

export function runMetadataIndexContract(name: string, makeIndex: () => Promise<MetadataIndex>, options: ContractOptions = {}): void {
  describe(`MetadataIndex contract: ${name}`, () => {
    let index: MetadataIndex;

    beforeEach(async () => {
      index = await makeIndex();
    });

    afterEach(async () => {
      await index.close();
    });

    describe('buckets', () => {
      it('creates, gets and lists buckets in name order', async () => {
        await index.createBucket(bucketRecord('zeta'));
        await index.createBucket(bucketRecord('alpha', { region: 'eu-west-1', acl: 'public-read', versioning: 'Enabled' }));
        expect(await index.getBucket('alpha')).toEqual(
          bucketRecord('alpha', { region: 'eu-west-1', acl: 'public-read', versioning: 'Enabled' }),
        );
        expect(await index.getBucket('missing')).toBeUndefined();
        expect((await index.listBuckets()).map((b) => b.name)).toEqual(['alpha', 'zeta']);
      });

      it('refuses an existing name: owned by you, or by someone else', async () => {
        await index.createBucket(bucketRecord('taken'));
        await expectS3Error(index.createBucket(bucketRecord('taken')), 'BucketAlreadyOwnedByYou');
        await expectS3Error(index.createBucket(bucketRecord('taken', { owner: 'other' })), 'BucketAlreadyExists');
        expect(await index.listBuckets()).toHaveLength(1);
      });

      it('deletes an empty bucket', async () => {
        await index.createBucket(bucketRecord('gone'));
        expect(await index.deleteBucket('gone')).toEqual([]);
        expect(await index.getBucket('gone')).toBeUndefined();
        await index.createBucket(bucketRecord('gone', { owner: 'other' }));
        expect((await index.getBucket('gone'))?.owner).toBe('other');
      });

      it('reports objects, bytes per bucket and open uploads', async () => {
        await index.createBucket(bucketRecord('a'));
        await index.createBucket(bucketRecord('b'));
        await index.putObject(objectRecord('a', 'one', { size: 10 }));
        await index.putObject(objectRecord('a', 'two', { size: 5 }));
        await index.putObject(objectRecord('a', 'two', { size: 7 }));
        await index.createUpload(uploadRecord('b', 'pending'));
        expect(await index.usage()).toEqual({
          buckets: [
            { bucket: 'a', owner: bucketRecord('a').owner, objects: 2, bytes: 17 },
            { bucket: 'b', owner: bucketRecord('b').owner, objects: 0, bytes: 0 },
          ],
          openUploads: 1,
        });
      });

      it('keeps the object ownership setting given at creation, changes it and removes it', async () => {
        await index.createBucket(bucketRecord('owned', { objectOwnership: 'ObjectWriter' }));
        expect((await index.getBucket('owned'))?.objectOwnership).toBe('ObjectWriter');
        await index.patchBucket('owned', { objectOwnership: 'BucketOwnerPreferred' });
        expect((await index.getBucket('owned'))?.objectOwnership).toBe('BucketOwnerPreferred');
        await index.patchBucket('owned', { objectOwnership: null });
        const removed = await index.getBucket('owned');
        expect(removed && 'objectOwnership' in removed).toBe(false);
        await index.createBucket(bucketRecord('plain'));
        const plain = await index.getBucket('plain');
        expect(plain && 'objectOwnership' in plain).toBe(false);
      });

      it('refuses to delete a missing bucket', async () => {
        await expectS3Error(index.deleteBucket('missing'), 'NoSuchBucket');
      });

      it('refuses to delete a bucket holding an object, then deletes it once emptied', async () => {
        await index.createBucket(bucketRecord('full'));
        await index.putObject(objectRecord('full', 'k'));
        await expectS3Error(index.deleteBucket('full'), 'BucketNotEmpty');
        expect(await index.getBucket('full')).toBeDefined();
        await index.deleteObject('full', 'k');
        expect(await index.deleteBucket('full')).toEqual([]);
      });

      it('counts a delete marker as content when deleting a bucket', async () => {
        await index.createBucket(bucketRecord('marked', { versioning: 'Enabled' }));
        await index.putObject(objectRecord('marked', 'k', { deleteMarker: true, blobs: [], size: 0, versionId: 'v1' }));
        await expectS3Error(index.deleteBucket('marked'), 'BucketNotEmpty');
      });
    });

    describe('objects', () => {
      beforeEach(async () => {
        await index.createBucket(bucketRecord('b'));
      });

      it('stores and returns every field of a record', async () => {
        const record = objectRecord('b', 'dir/file.txt', {
          size: 30,
          etag: '9b2cf535f27731c974343645a3985328-2',
          versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
          owner: 'someone',
          storageClass: 'STANDARD_IA',
          contentHeaders: { 'content-type': 'text/plain', 'cache-control': 'no-cache', expires: 'Thu, 01 Dec 1994 16:00:00 GMT' },
          userMetadata: { color: 'blue', 'x-weird': 'ünïcode ✓' },
          tags: [{ key: 'project', value: 'sklad' }, { key: 'empty', value: '' }],
          acl: 'public-read',
          checksum: { algorithm: 'CRC32C', type: 'COMPOSITE', value: 'yZRlqg==-2' },
          blobs: [{ id: blobId(), size: 10 }, { id: blobId(), size: 20 }],
          parts: [
            { partNumber: 1, size: 10, etag: 'aaa', checksum: 'AAAAAA==' },
            { partNumber: 2, size: 20, etag: 'bbb' },
          ],
          verifyCrc32c: 'yZRlqg==',
        });
        expect(await index.putObject(record)).toEqual([]);
        expect(await index.getObject('b', 'dir/file.txt')).toEqual(record);
        const { blobs: _blobs, ...metadata } = record;
        expect(await index.getObjectMetadata('b', 'dir/file.txt')).toEqual(metadata);
      });

      it('keeps blobs in their order, beyond ten of them', async () => {
        const blobs = Array.from({ length: 12 }, (_, i) => ({ id: blobId(), size: i + 1 }));
        await index.putObject(objectRecord('b', 'many', { blobs, size: 78 }));
        expect((await index.getObject('b', 'many'))?.blobs).toEqual(blobs);
      });

      it('omits optional fields that were not given', async () => {
        await index.putObject(objectRecord('b', 'plain'));
        const stored = await index.getObject('b', 'plain');
        expect(stored).toBeDefined();
        expect(stored && 'checksum' in stored).toBe(false);
        expect(stored && 'parts' in stored).toBe(false);
      });

      it('returns undefined for a missing key and keys are case-sensitive', async () => {
        await index.putObject(objectRecord('b', 'Key'));
        expect(await index.getObject('b', 'key')).toBeUndefined();
        expect(await index.getObject('other', 'Key')).toBeUndefined();
        expect(await index.getObjectMetadata('b', 'key')).toBeUndefined();
      });

      it('refuses to put into a missing bucket', async () => {
        await expectS3Error(index.putObject(objectRecord('nope', 'k')), 'NoSuchBucket');
      });

      it('keeps keys of different buckets apart', async () => {
        await index.createBucket(bucketRecord('c'));
        await index.putObject(objectRecord('b', 'same', { size: 1 }));
        await index.putObject(objectRecord('c', 'same', { size: 2 }));
        expect((await index.getObject('b', 'same'))?.size).toBe(1);
        expect((await index.getObject('c', 'same'))?.size).toBe(2);
        await index.deleteObject('b', 'same');
        expect((await index.getObject('c', 'same'))?.size).toBe(2);
        const listed = await index.list({ bucket: 'c', prefix: '', delimiter: '', after: '', maxKeys: 10 });
        expect(listed.objects.map((o) => o.key)).toEqual(['same']);
      });

      it('returns the blobs an overwrite releases', async () => {
        const first = objectRecord('b', 'k', { blobs: [{ id: blobId(), size: 5 }, { id: blobId(), size: 6 }] });
        await index.putObject(first);
        const second = objectRecord('b', 'k');
        const released = await index.putObject(second);
        expect(released.sort()).toEqual(first.blobs.map((b) => b.id).sort());
        for (const blob of first.blobs) expect(await index.isBlobReferenced(blob.id)).toBe(false);
        expect(await index.isBlobReferenced(second.blobs[0]?.id ?? '')).toBe(true);
        expect((await index.getObject('b', 'k'))?.blobs).toEqual(second.blobs);
      });

      it('does not release a blob the new record keeps using', async () => {
        const shared = { id: blobId(), size: 11 };
        const dropped = { id: blobId(), size: 11 };
        await index.putObject(objectRecord('b', 'k', { blobs: [shared, dropped], size: 22 }));
        const released = await index.putObject(objectRecord('b', 'k', { blobs: [shared], etag: 'new' }));
        expect(released).toEqual([dropped.id]);
        expect(await index.isBlobReferenced(shared.id)).toBe(true);
      });

      it('does not release a blob another key still uses', async () => {
        const shared = { id: blobId(), size: 11 };
        await index.putObject(objectRecord('b', 'one', { blobs: [shared] }));
        await index.putObject(objectRecord('b', 'two', { blobs: [shared] }));
        expect(await index.deleteObject('b', 'one')).toEqual([]);
        expect(await index.isBlobReferenced(shared.id)).toBe(true);
        expect(await index.deleteObject('b', 'two')).toEqual([shared.id]);
        expect(await index.isBlobReferenced(shared.id)).toBe(false);
      });

      it('deletes an object and returns its blobs; deleting again is a no-op', async () => {
        const record = objectRecord('b', 'k');
        await index.putObject(record);
        expect(await index.deleteObject('b', 'k')).toEqual(record.blobs.map((b) => b.id));
        expect(await index.getObject('b', 'k')).toBeUndefined();
        expect(await index.deleteObject('b', 'k')).toEqual([]);
        expect(await index.deleteObject('b', 'never')).toEqual([]);
      });

      it('knows no blob it was never told about', async () => {
        expect(await index.isBlobReferenced(blobId())).toBe(false);
      });

      it('stores a delete marker as the current version', async () => {
        await index.putObject(objectRecord('b', 'k'));
        await index.putObject(objectRecord('b', 'k', { deleteMarker: true, blobs: [], size: 0, versionId: 'v2' }));
        expect(await index.getObject('b', 'k')).toMatchObject({ deleteMarker: true, versionId: 'v2', blobs: [] });
      });
    });

    describe('conditional puts', () => {
      beforeEach(async () => {
        await index.createBucket(bucketRecord('b'));
      });

      it('If-None-Match: * writes only when no object exists', async () => {
        await index.putObject(objectRecord('b', 'lock', { etag: 'first' }), { ifNoneMatch: true });
        const loser = objectRecord('b', 'lock', { etag: 'second' });
        await expectS3Error(index.putObject(loser, { ifNoneMatch: true }), 'PreconditionFailed');
        expect((await index.getObject('b', 'lock'))?.etag).toBe('first');
        expect(await index.isBlobReferenced(loser.blobs[0]?.id ?? '')).toBe(false);
      });

      it('If-None-Match: * treats a delete marker as no object', async () => {
        await index.putObject(objectRecord('b', 'k', { deleteMarker: true, blobs: [], size: 0 }));
        await index.putObject(objectRecord('b', 'k', { etag: 'fresh' }), { ifNoneMatch: true });
        expect((await index.getObject('b', 'k'))?.etag).toBe('fresh');
      });

      it('If-Match on a missing key fails with NoSuchKey', async () => {
        await expectS3Error(index.putObject(objectRecord('b', 'k'), { ifMatch: 'abc' }), 'NoSuchKey');
        await expectS3Error(index.putObject(objectRecord('b', 'k'), { ifMatch: '*' }), 'NoSuchKey');
        await index.putObject(objectRecord('b', 'k', { deleteMarker: true, blobs: [], size: 0 }));
        await expectS3Error(index.putObject(objectRecord('b', 'k'), { ifMatch: '*' }), 'NoSuchKey');
        expect((await index.getObject('b', 'k'))?.deleteMarker).toBe(true);
      });

      it('If-Match writes only over the matching ETag', async () => {
        const original = objectRecord('b', 'k', { etag: 'aaa' });
        await index.putObject(original);
        await expectS3Error(index.putObject(objectRecord('b', 'k', { etag: 'bbb' }), { ifMatch: 'zzz' }), 'PreconditionFailed');
        expect((await index.getObject('b', 'k'))?.etag).toBe('aaa');
        expect(await index.putObject(objectRecord('b', 'k', { etag: 'bbb' }), { ifMatch: 'aaa' })).toEqual(
          original.blobs.map((b) => b.id),
        );
        await index.putObject(objectRecord('b', 'k', { etag: 'ccc' }), { ifMatch: '"bbb"' });
        await index.putObject(objectRecord('b', 'k', { etag: 'ddd' }), { ifMatch: '*' });
        expect((await index.getObject('b', 'k'))?.etag).toBe('ddd');
      });

      it('an empty condition changes nothing', async () => {
        await index.putObject(objectRecord('b', 'k', { etag: 'one' }), {});
        await index.putObject(objectRecord('b', 'k', { etag: 'two' }), {});
        expect((await index.getObject('b', 'k'))?.etag).toBe('two');
      });
    });

    listingCases(() => index, options.listingScale);
    copyCases(() => index);
    taggingCases(() => index);
    versioningCases(() => index);
    accessQuotaCases(() => index);
    uploadCases(() => index);
    uploadListingCases(() => index);
    encryptionCases(() => index);
    lifecycleCases(() => index);
    concurrencyCases(() => index);
    webCases(() => index);
  });
}
