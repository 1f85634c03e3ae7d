// The lifecycle part of the MetadataIndex contract: the stored rules, conditional expiration of current objects
// with the cursor committed alongside, and upload expiry scoped to one rule.
import { beforeEach, describe, expect, it } from 'vitest';
import type { LifecycleConfiguration, MetadataIndex, ObjectRecord, ObjectVersionRef } from '../metadata-index.js';
import { bucketRecord, expectS3Error, objectRecord, partRecord, uploadRecord } from './records.js';

const ref = (o: ObjectRecord): ObjectVersionRef => ({ key: o.key, versionId: o.versionId, etag: o.etag, lastModified: o.lastModified });

/** Registers the lifecycle cases; `current` yields the index the enclosing suite opened for this test. */
export function lifecycleCases(current: () => MetadataIndex): void {
  let index: MetadataIndex;

  describe('lifecycle', () => {
    beforeEach(async () => {
      index = current();
      await index.createBucket(bucketRecord('b'));
    });

    it('stores the rules as a bucket setting, dates included, and removes them', async () => {
      const lifecycle: LifecycleConfiguration = {
        rules: [
          { id: 'logs', enabled: true, form: 'filter', filter: { prefix: 'logs/' }, expirationDays: 3, abortIncompleteMultipartUploadDays: 1 },
          {
            id: 'dated', enabled: false, form: 'and',
            filter: { prefix: 'x', tags: [{ key: 'k', value: 'v' }], objectSizeGreaterThan: 10, objectSizeLessThan: 100 },
            expirationDate: new Date('2030-01-01T00:00:00Z'), noncurrentDays: 2, newerNoncurrentVersions: 3,
          },
          { id: 'markers', enabled: true, form: 'prefix', filter: { prefix: '' }, expiredObjectDeleteMarker: true },
        ],
      };
      expect((await index.patchBucket('b', { lifecycle })).lifecycle).toEqual(lifecycle);
      expect((await index.getBucket('b'))?.lifecycle).toEqual(lifecycle);
      expect((await index.listBuckets())[0]?.lifecycle).toEqual(lifecycle);
      expect((await index.patchBucket('b', { lifecycle: null })).lifecycle).toBeUndefined();
      expect((await index.getBucket('b'))?.lifecycle).toBeUndefined();
    });

    it('expires only objects that are still the version seen, and releases their blobs', async () => {
      const gone = objectRecord('b', 'gone');
      const replaced = objectRecord('b', 'replaced');
      const deleted = objectRecord('b', 'deleted');
      for (const o of [gone, replaced, deleted]) await index.putObject(o);
      const newer = objectRecord('b', 'replaced', { etag: 'ffffffffffffffffffffffffffffffff', lastModified: new Date(1_700_000_999_000) });
      const [replacedBlob] = await index.putObject(newer);
      expect(replacedBlob).toBe(replaced.blobs[0]!.id);
      await index.deleteObject('b', 'deleted');
      const result = await index.expireObjects('b', [ref(gone), ref(replaced), ref(deleted)], null);
      expect(result.expired).toEqual([ref(gone)]);
      expect(result.orphans).toEqual([gone.blobs[0]!.id]);
      expect(await index.getObject('b', 'gone')).toBeUndefined();
      expect(await index.getObject('b', 'replaced')).toEqual(newer);
      expect(await index.bucketUsage('b')).toEqual({ objects: 1, bytes: newer.size });
    });

    it('keeps blobs another object still shares', async () => {
      const shared = { id: 'shared-blob', size: 11 };
      const a = objectRecord('b', 'a', { blobs: [shared] });
      await index.putObject(a);
      await index.putObject(objectRecord('b', 'copy', { blobs: [shared] }));
      expect(await index.expireObjects('b', [ref(a)], null)).toEqual({ expired: [ref(a)], orphans: [] });
      expect(await index.isBlobReferenced(shared.id)).toBe(true);
    });

    it('records the cursor with the batch and clears it when the pass is over', async () => {
      const passStartedAt = new Date(1_700_000_500_000);
      expect(await index.getLifecycleCursor('b')).toBeUndefined();
      await index.expireObjects('b', [], { afterKey: 'k/0042', passStartedAt });
      expect(await index.getLifecycleCursor('b')).toEqual({ afterKey: 'k/0042', passStartedAt });
      await index.expireObjects('b', [], { afterKey: 'k/0099', passStartedAt });
      expect(await index.getLifecycleCursor('b')).toEqual({ afterKey: 'k/0099', passStartedAt });
      await index.expireObjects('b', [], null);
      expect(await index.getLifecycleCursor('b')).toBeUndefined();
    });

    it('forgets the cursor with its bucket, and refuses a missing bucket', async () => {
      await index.expireObjects('b', [], { afterKey: 'x', passStartedAt: new Date(1) });
      await index.deleteBucket('b');
      await index.createBucket(bucketRecord('b'));
      expect(await index.getLifecycleCursor('b')).toBeUndefined();
      await expectS3Error(index.expireObjects('missing', [], null), 'NoSuchBucket');
    });

    it('aborts old uploads of one bucket under one prefix, oldest first, at most the limit', async () => {
      await index.createBucket(bucketRecord('other'));
      const uploads = [
        uploadRecord('b', 'tmp/a', { initiated: new Date(30) }),
        uploadRecord('b', 'tmp/b', { initiated: new Date(10) }),
        uploadRecord('b', 'tmp/c', { initiated: new Date(20) }),
        uploadRecord('b', 'tmp/young', { initiated: new Date(5000) }),
        uploadRecord('b', 'keep/a', { initiated: new Date(10) }),
        uploadRecord('other', 'tmp/a', { initiated: new Date(10) }),
      ];
      for (const u of uploads) await index.createUpload(u);
      const part = partRecord(uploads[1]!.uploadId, 1);
      await index.putPart(part);
      const first = await index.expireUploads(new Date(1000), { bucket: 'b', prefix: 'tmp/', limit: 2 });
      expect(first.aborted).toEqual([uploads[1], uploads[2]].map((u) => ({ bucket: 'b', key: u!.key, uploadId: u!.uploadId })));
      expect(first.uploads).toBe(2);
      expect(first.orphans).toEqual([part.blob.id]);
      const second = await index.expireUploads(new Date(1000), { bucket: 'b', prefix: 'tmp/', limit: 2 });
      expect(second.aborted.map((u) => u.key)).toEqual(['tmp/a']);
      expect((await index.expireUploads(new Date(1000), { bucket: 'b', prefix: 'tmp/', limit: 2 })).uploads).toBe(0);
      for (const u of uploads.slice(3)) expect(await index.getUpload(u.bucket, u.key, u.uploadId)).toEqual(u);
    });
  });
}
