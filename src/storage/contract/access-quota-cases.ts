// The access-settings and quota part of the MetadataIndex contract: bucket policy, ACLs, public access block,
// owner, usage counters kept exact by every write path, and quotas enforced inside the write's transaction.
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataIndex } from '../metadata-index.js';
import { blobId, bucketRecord, expectS3Error, objectRecord, partRecord, uploadRecord } from './records.js';

export function accessQuotaCases(current: () => MetadataIndex): void {
  let index: MetadataIndex;

  describe('access settings and quotas', () => {
    beforeEach(async () => {
      index = current();
      await index.createBucket(bucketRecord('b'));
    });

    it('stores and removes the bucket policy, ACL, public access block, quota and owner', async () => {
      const block = { blockPublicAcls: true, ignorePublicAcls: false, blockPublicPolicy: true, restrictPublicBuckets: false };
      await index.patchBucket('b', { policy: '{"Version":"2012-10-17","Statement":[]}', acl: 'public-read' });
      await index.patchBucket('b', { publicAccessBlock: block });
      const patched = await index.patchBucket('b', { quota: { maxBytes: 100 }, owner: 'alice' });
      expect(await index.getBucket('b')).toEqual(patched);
      expect(patched).toMatchObject({
        policy: '{"Version":"2012-10-17","Statement":[]}',
        acl: 'public-read',
        publicAccessBlock: block,
        quota: { maxBytes: 100 },
        owner: 'alice',
      });
      await index.patchBucket('b', { policy: null, publicAccessBlock: null, quota: null });
      const after = await index.getBucket('b');
      expect(after?.policy).toBeUndefined();
      expect(after?.publicAccessBlock).toBeUndefined();
      expect(after?.quota).toBeUndefined();
      for (const call of [
        () => index.patchBucket('gone', { policy: '{}' }),
        () => index.patchBucket('gone', { acl: 'private' }),
        () => index.patchBucket('gone', { publicAccessBlock: null }),
        () => index.patchBucket('gone', {}),
        () => index.bucketUsage('gone'),
      ]) {
        await expectS3Error(call(), 'NoSuchBucket');
      }
    });

    it('replaces an object ACL; NoSuchKey for a missing object', async () => {
      await index.putObject(objectRecord('b', 'k'));
      await index.putObjectAcl('b', 'k', 'public-read');
      expect((await index.getObject('b', 'k'))?.acl).toBe('public-read');
      await expectS3Error(index.putObjectAcl('b', 'missing', 'private'), 'NoSuchKey');
    });

    it('keeps usage exact through overwrites, deletes, delete markers, copies and completes', async () => {
      await index.putObject(objectRecord('b', 'one', { size: 10 }));
      await index.putObject(objectRecord('b', 'two', { size: 5 }));
      await index.putObject(objectRecord('b', 'two', { size: 7 }));
      expect(await index.bucketUsage('b')).toEqual({ objects: 2, bytes: 17 });
      await index.putObject(objectRecord('b', 'marker', { deleteMarker: true, blobs: [], size: 0 }));
      await index.deleteObject('b', 'one');
      expect(await index.bucketUsage('b')).toEqual({ objects: 1, bytes: 7 });
      await index.copyObject({ bucket: 'b', key: 'two' }, () => undefined, (src) => ({ ...src, key: 'copy' }));
      expect(await index.bucketUsage('b')).toEqual({ objects: 2, bytes: 14 });
      const upload = uploadRecord('b', 'mp');
      await index.createUpload(upload);
      const part = partRecord(upload.uploadId, 1, { blob: { id: blobId(), size: 3 } });
      await index.putPart(part);
      await index.completeUpload(upload.uploadId, objectRecord('b', 'mp', { size: 3, blobs: [part.blob] }));
      expect(await index.bucketUsage('b')).toEqual({ objects: 3, bytes: 17 });
      expect((await index.usage()).buckets).toEqual([{ bucket: 'b', owner: bucketRecord('b').owner, objects: 3, bytes: 17 }]);
    });

    it('refuses writes past the bucket quota, in the same transaction, and allows those that do not grow usage', async () => {
      await index.patchBucket('b', { quota: { maxObjects: 2, maxBytes: 100 } });
      await index.putObject(objectRecord('b', 'a', { size: 60 }));
      await index.putObject(objectRecord('b', 'b', { size: 40 }));
      const refused = objectRecord('b', 'c', { size: 1, blobs: [{ id: blobId(), size: 1 }] });
      await expectS3Error(index.putObject(refused), 'QuotaExceeded');
      expect(await index.getObject('b', 'c')).toBeUndefined();
      expect(await index.isBlobReferenced(refused.blobs[0]!.id)).toBe(false);
      await expectS3Error(index.putObject(objectRecord('b', 'a', { size: 61 })), 'QuotaExceeded');
      expect((await index.getObject('b', 'a'))?.size).toBe(60);
      await index.patchBucket('b', { quota: { maxBytes: 10 } });
      await index.putObject(objectRecord('b', 'a', { size: 50 }));
      expect(await index.bucketUsage('b')).toEqual({ objects: 2, bytes: 90 });
      await expectS3Error(
        index.copyObject({ bucket: 'b', key: 'a' }, () => undefined, (src) => ({ ...src, key: 'a2' })),
        'QuotaExceeded',
      );
    });
  });
}
