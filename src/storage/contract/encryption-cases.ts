// The encryption part of the MetadataIndex contract: bucket default encryption and the encryption facts
// kept on objects and uploads.
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataIndex, ObjectEncryption, ObjectRecord } from '../metadata-index.js';
import { blobId, bucketRecord, expectS3Error, objectRecord, partRecord, uploadRecord } from './records.js';

export const SSE_S3: ObjectEncryption = { mode: 'SSE-S3', keyId: '0123456789abcdef', wrappedKey: 'd3JhcHBlZC1kYXRhLWtleQ==' };
export const SSE_C: ObjectEncryption = { mode: 'SSE-C', verifierSalt: 'c2FsdA==', verifier: 'dmVyaWZpZXI=', keyMd5: 'Xsqb0+sHwAbNQ65I395/0w==' };

/** Registers the encryption cases; `current` yields the index the enclosing suite opened for this test. */
export function encryptionCases(current: () => MetadataIndex): void {
  let index: MetadataIndex;

  describe('encryption', () => {
    beforeEach(async () => {
      index = current();
      await index.createBucket(bucketRecord('b'));
    });

    it('keeps a bucket default given at creation, and none when not given', async () => {
      await index.createBucket(bucketRecord('enc', { defaultEncryption: 'AES256' }));
      expect(await index.getBucket('enc')).toEqual(bucketRecord('enc', { defaultEncryption: 'AES256' }));
      const plain = await index.getBucket('b');
      expect(plain && 'defaultEncryption' in plain).toBe(false);
    });

    it('sets, reports and removes the bucket default encryption', async () => {
      await index.patchBucket('b', { defaultEncryption: 'AES256' });
      expect((await index.getBucket('b'))?.defaultEncryption).toBe('AES256');
      expect((await index.listBuckets()).find((x) => x.name === 'b')?.defaultEncryption).toBe('AES256');
      await index.patchBucket('b', { defaultEncryption: 'AES256' });
      expect((await index.getBucket('b'))?.defaultEncryption).toBe('AES256');
      await index.patchBucket('b', { defaultEncryption: null });
      expect(await index.getBucket('b')).toEqual(bucketRecord('b'));
      await index.patchBucket('b', { defaultEncryption: null });
      await expectS3Error(index.patchBucket('missing', { defaultEncryption: 'AES256' }), 'NoSuchBucket');
    });

    it('forgets the default with the bucket', async () => {
      await index.patchBucket('b', { defaultEncryption: 'AES256' });
      await index.deleteBucket('b');
      await index.createBucket(bucketRecord('b'));
      expect((await index.getBucket('b'))?.defaultEncryption).toBeUndefined();
    });

    it.each([['SSE-S3', SSE_S3], ['SSE-C', SSE_C]] as const)('stores %s facts with an object and returns them on every read', async (_, encryption) => {
      const record = objectRecord('b', 'k', { encryption });
      await index.putObject(record);
      expect(await index.getObject('b', 'k')).toEqual(record);
      expect((await index.scanObjects(undefined, 10)).find((r) => r.key === 'k')).toEqual(record);
      await index.putObjectTags('b', 'k', [{ key: 'a', value: 'b' }]);
      expect((await index.getObject('b', 'k'))?.encryption).toEqual(encryption);
      await index.setQuarantined('b', 'k', record.etag, true);
      expect((await index.getObject('b', 'k'))?.encryption).toEqual(encryption);
    });

    it('an overwrite in plaintext drops the encryption facts', async () => {
      await index.putObject(objectRecord('b', 'k', { encryption: SSE_S3 }));
      await index.putObject(objectRecord('b', 'k'));
      const stored = await index.getObject('b', 'k');
      expect(stored && 'encryption' in stored).toBe(false);
    });

    it('a copy keeps what build gives: the source facts with shared blobs, or new facts with new blobs', async () => {
      const source = objectRecord('b', 'src', { encryption: SSE_S3 });
      await index.putObject(source);
      const shared = await index.copyObject({ bucket: 'b', key: 'src' }, () => {}, (s): ObjectRecord => ({ ...s, key: 'dst' }));
      expect(shared.record.encryption).toEqual(SSE_S3);
      expect((await index.getObject('b', 'dst'))?.blobs).toEqual(source.blobs);

      const fresh = { id: blobId(), size: source.size };
      const reencrypted = await index.copyObject(
        { bucket: 'b', key: 'src' },
        () => {},
        (s): ObjectRecord => ({ ...s, blobs: [fresh], encryption: SSE_C }),
      );
      expect(reencrypted.orphans).toEqual([]); // 'dst' still shares the old blob
      expect(await index.getObject('b', 'src')).toEqual({ ...source, blobs: [fresh], encryption: SSE_C });
      expect(await index.deleteObject('b', 'dst')).toEqual(source.blobs.map((b) => b.id));
    });

    it.each([['SSE-S3', SSE_S3], ['SSE-C', SSE_C]] as const)('stores %s facts with an upload and hands them to the completed object', async (_, encryption) => {
      const upload = uploadRecord('b', 'mp', { encryption });
      await index.createUpload(upload);
      expect(await index.getUpload('b', 'mp', upload.uploadId)).toEqual(upload);
      const listed = await index.listUploads({ bucket: 'b', prefix: '', delimiter: '', keyMarker: '', uploadIdMarker: '', maxUploads: 10 });
      expect(listed.uploads).toEqual([upload]);
      const part = partRecord(upload.uploadId, 1);
      await index.putPart(part);
      const record = objectRecord('b', 'mp', { blobs: [part.blob], size: part.blob.size, encryption });
      await index.completeUpload(upload.uploadId, record);
      expect(await index.getObject('b', 'mp')).toEqual(record);
    });

    it('omits encryption on uploads that have none', async () => {
      const upload = uploadRecord('b', 'plain');
      await index.createUpload(upload);
      const stored = await index.getUpload('b', 'plain', upload.uploadId);
      expect(stored && 'encryption' in stored).toBe(false);
    });

    it('re-wraps every SSE-S3 data key in steps that resume from a cursor, leaving SSE-C and plaintext alone', async () => {
      const under = (keyId: string, n: number): ObjectEncryption => ({ mode: 'SSE-S3', keyId, wrappedKey: `wrapped-${n}-under-${keyId}` });
      await index.createBucket(bucketRecord('a'));
      await index.putObject(objectRecord('a', 'one', { encryption: under('old', 1) }));
      await index.putObject(objectRecord('b', 'two', { encryption: under('old', 2) }));
      await index.putObject(objectRecord('b', 'current', { encryption: under('new', 3) }));
      await index.putObject(objectRecord('b', 'customer', { encryption: SSE_C }));
      await index.putObject(objectRecord('b', 'plain'));
      const upload = uploadRecord('b', 'mp', { encryption: under('old', 4) });
      await index.createUpload(upload);
      await index.createUpload(uploadRecord('b', 'mp-plain'));
      expect(await index.dataKeysByMasterKey()).toEqual({ old: 3, new: 1 });

      const seen: string[] = [];
      const rewrap = (w: { keyId: string; wrappedKey: string }) => {
        seen.push(w.wrappedKey);
        return w.keyId === 'new' ? undefined : { keyId: 'new', wrappedKey: w.wrappedKey.replace('under-old', 'under-new') };
      };
      let cursor: string | undefined;
      let steps = 0;
      let scanned = 0;
      let changed = 0;
      do {
        const step = await index.rewrapDataKeys(cursor, 2, rewrap);
        expect(step.scanned).toBeLessThanOrEqual(2);
        scanned += step.scanned;
        changed += step.rewrapped;
        cursor = step.next;
        steps++;
      } while (cursor !== undefined && steps < 20);
      expect(cursor).toBeUndefined();
      // Five objects and two uploads visited once each; the SSE-C and plaintext records never reach the callback.
      expect(scanned).toBe(7);
      expect(changed).toBe(3);
      expect(seen.sort()).toEqual(['wrapped-1-under-old', 'wrapped-2-under-old', 'wrapped-3-under-new', 'wrapped-4-under-old']);
      expect(await index.dataKeysByMasterKey()).toEqual({ new: 4 });
      expect((await index.getObject('a', 'one'))?.encryption).toEqual(under('new', 1));
      expect((await index.getUpload('b', 'mp', upload.uploadId))?.encryption).toEqual(under('new', 4));
      expect((await index.getObject('b', 'customer'))?.encryption).toEqual(SSE_C);
      // A second run finds nothing left to change.
      expect(await index.rewrapDataKeys(undefined, 100, rewrap)).toEqual({ scanned: 7, rewrapped: 0 });
      await expectS3Error(index.rewrapDataKeys('not-a-cursor', 10, rewrap), 'InvalidArgument');
    });
  });
}
