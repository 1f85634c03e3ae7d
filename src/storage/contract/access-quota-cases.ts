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

    it('counts the parts of open uploads against the byte quota, refusing a part in its own transaction', async () => {
      await index.patchBucket('b', { quota: { maxBytes: 100 } });
      await index.putObject(objectRecord('b', 'stored', { size: 60 }));
      const upload = uploadRecord('b', 'mp');
      await index.createUpload(upload);
      await index.putPart(partRecord(upload.uploadId, 1, { blob: { id: blobId(), size: 30 } }));
      const refused = partRecord(upload.uploadId, 2, { blob: { id: blobId(), size: 11 } });
      await expectS3Error(index.putPart(refused), 'QuotaExceeded');
      expect((await index.allParts(upload.uploadId)).map((p) => p.partNumber)).toEqual([1]);
      expect(await index.isBlobReferenced(refused.blob.id)).toBe(false);
      // A second upload shares the same budget, and so does a plain PUT.
      const other = uploadRecord('b', 'other');
      await index.createUpload(other);
      await expectS3Error(index.putPart(partRecord(other.uploadId, 1, { blob: { id: blobId(), size: 11 } })), 'QuotaExceeded');
      await expectS3Error(index.putObject(objectRecord('b', 'small', { size: 11 })), 'QuotaExceeded');
      // Replacing a part counts only the difference.
      await index.putPart(partRecord(upload.uploadId, 1, { blob: { id: blobId(), size: 40 } }));
      await expectS3Error(index.putPart(partRecord(upload.uploadId, 1, { blob: { id: blobId(), size: 41 } })), 'QuotaExceeded');
    });

    it('completes an upload that fills the quota exactly without counting its bytes twice', async () => {
      await index.patchBucket('b', { quota: { maxBytes: 100 } });
      await index.putObject(objectRecord('b', 'stored', { size: 60 }));
      const upload = uploadRecord('b', 'mp');
      await index.createUpload(upload);
      const parts = [partRecord(upload.uploadId, 1, { blob: { id: blobId(), size: 25 } }), partRecord(upload.uploadId, 2, { blob: { id: blobId(), size: 15 } })];
      for (const part of parts) await index.putPart(part);
      await index.completeUpload(upload.uploadId, objectRecord('b', 'mp', { size: 40, blobs: parts.map((p) => p.blob) }));
      expect(await index.bucketUsage('b')).toEqual({ objects: 2, bytes: 100 });
      await expectS3Error(index.putObject(objectRecord('b', 'one-more', { size: 1 })), 'QuotaExceeded');
    });

    it('gives reserved bytes back when an upload is aborted, expired, or completes with fewer parts', async () => {
      await index.patchBucket('b', { quota: { maxBytes: 50 } });
      const aborted = uploadRecord('b', 'a');
      await index.createUpload(aborted);
      await index.putPart(partRecord(aborted.uploadId, 1, { blob: { id: blobId(), size: 50 } }));
      await expectS3Error(index.putObject(objectRecord('b', 'x', { size: 1 })), 'QuotaExceeded');
      await index.abortUpload(aborted.uploadId);
      await index.putObject(objectRecord('b', 'x', { size: 10 }));
      const expired = uploadRecord('b', 'e', { initiated: new Date(Date.now() - 3_600_000) });
      await index.createUpload(expired);
      await index.putPart(partRecord(expired.uploadId, 1, { blob: { id: blobId(), size: 40 } }));
      await index.expireUploads(new Date(Date.now() - 60_000));
      const partial = uploadRecord('b', 'p');
      await index.createUpload(partial);
      const kept = partRecord(partial.uploadId, 1, { blob: { id: blobId(), size: 20 } });
      await index.putPart(kept);
      await index.putPart(partRecord(partial.uploadId, 2, { blob: { id: blobId(), size: 20 } }));
      await index.completeUpload(partial.uploadId, objectRecord('b', 'p', { size: 20, blobs: [kept.blob] }));
      // 10 + 20 stored, nothing reserved: 20 more fit, 21 do not.
      await expectS3Error(index.putObject(objectRecord('b', 'y', { size: 21 })), 'QuotaExceeded');
      await index.putObject(objectRecord('b', 'y', { size: 20 }));
    });

    it('limits the open uploads of a bucket at creation, in the same transaction', async () => {
      await index.createBucket(bucketRecord('other'));
      const first = uploadRecord('b', 'k');
      await index.createUpload(first, 2);
      await index.createUpload(uploadRecord('b', 'k'), 2);
      await expectS3Error(index.createUpload(uploadRecord('b', 'k'), 2), 'QuotaExceeded');
      // Concurrent creations are decided in issue order: exactly the room left is used.
      await index.createUpload(uploadRecord('other', 'k'), 2);
      const racing = await Promise.allSettled([1, 2, 3].map(() => index.createUpload(uploadRecord('other', 'k'), 2)));
      expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      await index.abortUpload(first.uploadId);
      await index.createUpload(uploadRecord('b', 'k'), 2);
      expect((await index.usage()).openUploads).toBe(4);
      await expectS3Error(index.createUpload(uploadRecord('gone', 'k'), 2), 'NoSuchBucket');
    });
  });
}
