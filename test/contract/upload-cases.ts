// The multipart part of the MetadataIndex contract: uploads, parts, completion, abort and expiry.
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataIndex, ObjectRecord, PartListPage, PartRecord, UploadRecord } from '../../src/storage/metadata-index.js';
import { blobId, bucketRecord, expectS3Error, objectRecord, partRecord, uploadId, uploadRecord } from './records.js';

/** Registers the multipart cases; `current` yields the index the enclosing suite opened for this test. */
export function uploadCases(current: () => MetadataIndex): void {
  let index: MetadataIndex;

  async function startUpload(key = 'k', overrides: Partial<UploadRecord> = {}): Promise<UploadRecord> {
    const upload = uploadRecord('b', key, overrides);
    await index.createUpload(upload);
    return upload;
  }

  async function putParts(upload: UploadRecord, numbers: number[]): Promise<PartRecord[]> {
    const parts = numbers.map((n) => partRecord(upload.uploadId, n));
    for (const part of parts) expect(await index.putPart(part)).toEqual([]);
    return parts;
  }

  /** The object CompleteMultipartUpload would make of `parts`. */
  function completed(upload: UploadRecord, parts: PartRecord[], overrides: Partial<ObjectRecord> = {}): ObjectRecord {
    return objectRecord(upload.bucket, upload.key, {
      etag: `abc-${parts.length}`,
      size: parts.reduce((sum, p) => sum + p.blob.size, 0),
      blobs: parts.map((p) => p.blob),
      parts: parts.map((p) => ({ partNumber: p.partNumber, size: p.blob.size, etag: p.etag })),
      ...overrides,
    });
  }

  const pageNumbers = (page: PartListPage) => ({
    numbers: page.parts.map((p) => p.partNumber),
    isTruncated: page.isTruncated,
    next: page.nextPartNumberMarker,
  });

  describe('multipart uploads', () => {
    beforeEach(async () => {
      index = current();
      await index.createBucket(bucketRecord('b'));
    });

    describe('createUpload / getUpload', () => {
      it('stores and returns every field of an upload', async () => {
        const upload = await startUpload('dir/big.bin', {
          initiated: new Date(1_700_000_555_001),
          owner: 'someone',
          storageClass: 'STANDARD_IA',
          contentHeaders: { 'content-type': 'application/zip', 'content-disposition': 'attachment' },
          userMetadata: { color: 'blue', 'x-weird': 'ünïcode ✓' },
          tags: [{ key: 'project', value: 'sklad' }],
          acl: 'public-read',
          checksumAlgorithm: 'CRC32C',
          checksumType: 'COMPOSITE',
        });
        expect(await index.getUpload('b', 'dir/big.bin', upload.uploadId)).toEqual(upload);
      });

      it('omits the checksum fields when none were asked for', async () => {
        const upload = await startUpload();
        const stored = await index.getUpload('b', 'k', upload.uploadId);
        expect(stored).toEqual(upload);
        expect(stored && 'checksumAlgorithm' in stored).toBe(false);
        expect(stored && 'checksumType' in stored).toBe(false);
      });

      it('finds an upload only under its own bucket and key', async () => {
        await index.createBucket(bucketRecord('c'));
        const upload = await startUpload('Key');
        expect(await index.getUpload('b', 'Key', upload.uploadId)).toBeDefined();
        expect(await index.getUpload('b', 'key', upload.uploadId)).toBeUndefined();
        expect(await index.getUpload('c', 'Key', upload.uploadId)).toBeUndefined();
        expect(await index.getUpload('b', 'Key', uploadId())).toBeUndefined();
      });

      it('keeps several uploads of one key apart', async () => {
        const first = await startUpload('k', { userMetadata: { n: '1' } });
        const second = await startUpload('k', { userMetadata: { n: '2' } });
        expect(await index.getUpload('b', 'k', first.uploadId)).toEqual(first);
        expect(await index.getUpload('b', 'k', second.uploadId)).toEqual(second);
      });

      it('refuses an upload into a missing bucket', async () => {
        await expectS3Error(index.createUpload(uploadRecord('gone', 'k')), 'NoSuchBucket');
      });
    });

    describe('putPart / listParts / allParts', () => {
      it('stores every field of a part and returns parts in ascending order', async () => {
        const upload = await startUpload();
        const five = partRecord(upload.uploadId, 5, {
          blob: { id: blobId(), size: 5_242_880 },
          etag: '79b281060d337b9b2b84ccf390adcf74',
          checksums: { CRC32C: 'yZRlqg==', SHA256: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=', CRC64NVME: 'AAAAAAAAAAA=' },
          verifyCrc32c: 'Q2xpcA==',
        });
        const one = partRecord(upload.uploadId, 1, { checksums: { CRC32: 'AAAAAA==', SHA1: 'L0p3SqD+KQnOH5MkLgYWHTcImyI=' } });
        const ten = partRecord(upload.uploadId, 10_000);
        for (const part of [five, ten, one]) expect(await index.putPart(part)).toEqual([]);
        expect(await index.allParts(upload.uploadId)).toEqual([one, five, ten]);
        expect((await index.listParts(upload.uploadId, 0, 1000)).parts).toEqual([one, five, ten]);
        expect(await index.isBlobReferenced(five.blob.id)).toBe(true);
      });

      it('keeps the parts of different uploads apart', async () => {
        const a = await startUpload();
        const other = await startUpload();
        const [partA] = await putParts(a, [1]);
        const [partB] = await putParts(other, [1]);
        expect(await index.allParts(a.uploadId)).toEqual([partA]);
        expect(await index.allParts(other.uploadId)).toEqual([partB]);
      });

      it('replaces a part with the same number and returns the blob it released', async () => {
        const upload = await startUpload();
        const [first] = await putParts(upload, [3]);
        const second = partRecord(upload.uploadId, 3, { etag: 'second' });
        expect(await index.putPart(second)).toEqual([first?.blob.id]);
        expect(await index.allParts(upload.uploadId)).toEqual([second]);
        expect(await index.isBlobReferenced(first?.blob.id ?? '')).toBe(false);
        // Re-sending the same blob releases nothing.
        expect(await index.putPart({ ...second, etag: 'third' })).toEqual([]);
        expect((await index.allParts(upload.uploadId))[0]?.etag).toBe('third');
      });

      it('does not release a replaced part blob that an object still uses', async () => {
        const shared = { id: blobId(), size: 5 };
        await index.putObject(objectRecord('b', 'copy-source', { blobs: [shared], size: 5 }));
        const upload = await startUpload();
        await index.putPart(partRecord(upload.uploadId, 1, { blob: shared }));
        expect(await index.putPart(partRecord(upload.uploadId, 1))).toEqual([]);
        expect(await index.isBlobReferenced(shared.id)).toBe(true);
      });

      it('refuses a part of a missing, aborted or completed upload', async () => {
        const orphan = partRecord(uploadId(), 1);
        const error = await expectS3Error(index.putPart(orphan), 'NoSuchUpload');
        expect(error.fields).toEqual({ UploadId: orphan.uploadId });
        expect(await index.isBlobReferenced(orphan.blob.id)).toBe(false);
        const aborted = await startUpload();
        await index.abortUpload(aborted.uploadId);
        await expectS3Error(index.putPart(partRecord(aborted.uploadId, 1)), 'NoSuchUpload');
        const done = await startUpload();
        await index.completeUpload(done.uploadId, completed(done, await putParts(done, [1])));
        const late = partRecord(done.uploadId, 2);
        await expectS3Error(index.putPart(late), 'NoSuchUpload');
        expect(await index.isBlobReferenced(late.blob.id)).toBe(false);
      });

      it('pages parts by part-number marker; truncated only when more parts exist', async () => {
        const upload = await startUpload();
        await putParts(upload, [8, 1, 5, 2, 3]);
        const id = upload.uploadId;
        expect(pageNumbers(await index.listParts(id, 0, 2))).toEqual({ numbers: [1, 2], isTruncated: true, next: 2 });
        expect(pageNumbers(await index.listParts(id, 2, 2))).toEqual({ numbers: [3, 5], isTruncated: true, next: 5 });
        expect(pageNumbers(await index.listParts(id, 5, 2))).toEqual({ numbers: [8], isTruncated: false, next: undefined });
        expect(pageNumbers(await index.listParts(id, 3, 2))).toEqual({ numbers: [5, 8], isTruncated: false, next: undefined });
        expect(pageNumbers(await index.listParts(id, 4, 1))).toEqual({ numbers: [5], isTruncated: true, next: 5 });
        expect(pageNumbers(await index.listParts(id, 8, 2))).toEqual({ numbers: [], isTruncated: false, next: undefined });
        expect(pageNumbers(await index.listParts(id, 0, 1000))).toEqual({ numbers: [1, 2, 3, 5, 8], isTruncated: false, next: undefined });
      });

      it('lists no parts of an upload that has none', async () => {
        const upload = await startUpload();
        expect(await index.listParts(upload.uploadId, 0, 1000)).toEqual({ parts: [], isTruncated: false });
        expect(await index.allParts(upload.uploadId)).toEqual([]);
      });

      it('refuses to list the parts of a missing upload', async () => {
        await expectS3Error(index.listParts(uploadId(), 0, 1000), 'NoSuchUpload');
        await expectS3Error(index.allParts(uploadId()), 'NoSuchUpload');
      });
    });

    describe('completeUpload', () => {
      it('makes the record current, ends the upload and returns the blobs of unused parts', async () => {
        const upload = await startUpload();
        const [one, two, three] = await putParts(upload, [1, 2, 3]);
        if (!one || !two || !three) throw new Error('parts missing');
        const record = completed(upload, [one, three]);
        expect(await index.completeUpload(upload.uploadId, record)).toEqual([two.blob.id]);
        expect(await index.getObject('b', 'k')).toEqual(record);
        expect(await index.getUpload('b', 'k', upload.uploadId)).toBeUndefined();
        await expectS3Error(index.allParts(upload.uploadId), 'NoSuchUpload');
        expect(await index.isBlobReferenced(one.blob.id)).toBe(true);
        expect(await index.isBlobReferenced(three.blob.id)).toBe(true);
        expect(await index.isBlobReferenced(two.blob.id)).toBe(false);
        // The object's blobs now live by the object alone.
        expect((await index.deleteObject('b', 'k')).sort()).toEqual([one.blob.id, three.blob.id].sort());
      });

      it('returns the replaced object blobs, except those still in use', async () => {
        const shared = { id: blobId(), size: 5 };
        const dropped = { id: blobId(), size: 6 };
        await index.putObject(objectRecord('b', 'k', { blobs: [shared, dropped], size: 11 }));
        const upload = await startUpload();
        const [one] = await putParts(upload, [1]);
        await index.putPart(partRecord(upload.uploadId, 2, { blob: shared }));
        if (!one) throw new Error('part missing');
        const orphans = await index.completeUpload(upload.uploadId, completed(upload, [one, { ...one, partNumber: 2, blob: shared }]));
        expect(orphans).toEqual([dropped.id]);
        expect(await index.isBlobReferenced(shared.id)).toBe(true);
      });

      it('refuses a missing, completed or aborted upload', async () => {
        const unknown = uploadId();
        const error = await expectS3Error(index.completeUpload(unknown, objectRecord('b', 'k')), 'NoSuchUpload');
        expect(error.fields).toEqual({ UploadId: unknown });
        const upload = await startUpload();
        const record = completed(upload, await putParts(upload, [1]));
        await index.completeUpload(upload.uploadId, record);
        await expectS3Error(index.completeUpload(upload.uploadId, { ...record, etag: 'again' }), 'NoSuchUpload');
        expect((await index.getObject('b', 'k'))?.etag).toBe(record.etag);
        const aborted = await startUpload();
        await index.abortUpload(aborted.uploadId);
        await expectS3Error(index.completeUpload(aborted.uploadId, objectRecord('b', 'k')), 'NoSuchUpload');
      });

      it('refuses to complete an upload under another key or bucket', async () => {
        await index.createBucket(bucketRecord('c'));
        const upload = await startUpload('k');
        const parts = await putParts(upload, [1]);
        await expectS3Error(index.completeUpload(upload.uploadId, completed(upload, parts, { key: 'other' })), 'NoSuchUpload');
        await expectS3Error(index.completeUpload(upload.uploadId, completed(upload, parts, { bucket: 'c' })), 'NoSuchUpload');
        expect(await index.getObject('b', 'other')).toBeUndefined();
        expect(await index.getObject('c', 'k')).toBeUndefined();
        expect(await index.allParts(upload.uploadId)).toEqual(parts);
      });

      it('changes nothing when the write condition fails', async () => {
        const existing = objectRecord('b', 'k', { etag: 'there' });
        await index.putObject(existing);
        const upload = await startUpload();
        const parts = await putParts(upload, [1, 2]);
        const record = completed(upload, parts);
        await expectS3Error(index.completeUpload(upload.uploadId, record, { ifNoneMatch: true }), 'PreconditionFailed');
        await expectS3Error(index.completeUpload(upload.uploadId, record, { ifMatch: 'other' }), 'PreconditionFailed');
        expect(await index.getObject('b', 'k')).toEqual(existing);
        expect(await index.getUpload('b', 'k', upload.uploadId)).toEqual(upload);
        expect(await index.allParts(upload.uploadId)).toEqual(parts);
        expect(await index.completeUpload(upload.uploadId, record, { ifMatch: '"there"' })).toEqual(existing.blobs.map((b) => b.id));
        expect((await index.getObject('b', 'k'))?.etag).toBe(record.etag);
      });

      it('If-Match on a key with no object fails NoSuchKey and keeps the upload', async () => {
        const upload = await startUpload();
        const parts = await putParts(upload, [1]);
        await expectS3Error(index.completeUpload(upload.uploadId, completed(upload, parts), { ifMatch: '*' }), 'NoSuchKey');
        expect(await index.allParts(upload.uploadId)).toEqual(parts);
        await index.completeUpload(upload.uploadId, completed(upload, parts), { ifNoneMatch: true });
        expect(await index.getObject('b', 'k')).toBeDefined();
      });

      it('leaves the other uploads of the key alone', async () => {
        const first = await startUpload();
        const second = await startUpload();
        const secondParts = await putParts(second, [1]);
        await index.completeUpload(first.uploadId, completed(first, await putParts(first, [1])));
        expect(await index.getUpload('b', 'k', second.uploadId)).toEqual(second);
        expect(await index.allParts(second.uploadId)).toEqual(secondParts);
      });
    });

    describe('abortUpload', () => {
      it('deletes the upload and its parts and returns their blobs', async () => {
        const upload = await startUpload();
        const parts = await putParts(upload, [1, 2, 4]);
        expect((await index.abortUpload(upload.uploadId)).sort()).toEqual(parts.map((p) => p.blob.id).sort());
        expect(await index.getUpload('b', 'k', upload.uploadId)).toBeUndefined();
        for (const part of parts) expect(await index.isBlobReferenced(part.blob.id)).toBe(false);
        const error = await expectS3Error(index.abortUpload(upload.uploadId), 'NoSuchUpload');
        expect(error.fields).toEqual({ UploadId: upload.uploadId });
      });

      it('keeps part blobs that an object still uses, and returns a blob shared by two parts once', async () => {
        const shared = { id: blobId(), size: 5 };
        const twice = { id: blobId(), size: 5 };
        await index.putObject(objectRecord('b', 'source', { blobs: [shared], size: 5 }));
        const upload = await startUpload();
        await index.putPart(partRecord(upload.uploadId, 1, { blob: shared }));
        await index.putPart(partRecord(upload.uploadId, 2, { blob: twice }));
        await index.putPart(partRecord(upload.uploadId, 3, { blob: twice }));
        expect(await index.abortUpload(upload.uploadId)).toEqual([twice.id]);
        expect(await index.isBlobReferenced(shared.id)).toBe(true);
      });

      it('refuses a missing upload', async () => {
        await expectS3Error(index.abortUpload(uploadId()), 'NoSuchUpload');
      });
    });

    describe('expireUploads', () => {
      it('aborts exactly the uploads initiated before the cutoff', async () => {
        const old = await startUpload('a', { initiated: new Date(1000) });
        const older = await startUpload('z', { initiated: new Date(10) });
        const atCutoff = await startUpload('a', { initiated: new Date(2000) });
        const young = await startUpload('b', { initiated: new Date(3000) });
        const oldParts = [...(await putParts(old, [1, 2])), ...(await putParts(older, [1]))];
        const kept = [...(await putParts(atCutoff, [1])), ...(await putParts(young, [1]))];
        const result = await index.expireUploads(new Date(2000));
        expect(result.uploads).toBe(2);
        expect(result.orphans.sort()).toEqual(oldParts.map((p) => p.blob.id).sort());
        expect(await index.getUpload('b', 'a', old.uploadId)).toBeUndefined();
        expect(await index.getUpload('b', 'z', older.uploadId)).toBeUndefined();
        expect(await index.getUpload('b', 'a', atCutoff.uploadId)).toEqual(atCutoff);
        expect(await index.getUpload('b', 'b', young.uploadId)).toEqual(young);
        for (const part of kept) expect(await index.isBlobReferenced(part.blob.id)).toBe(true);
        expect(result.aborted.map((u) => u.uploadId).sort()).toEqual([old.uploadId, older.uploadId].sort());
        expect(await index.expireUploads(new Date(2000))).toEqual({ uploads: 0, aborted: [], orphans: [] });
      });

      it('expires across buckets and keeps part blobs still used by objects', async () => {
        await index.createBucket(bucketRecord('c'));
        const shared = { id: blobId(), size: 5 };
        await index.putObject(objectRecord('b', 'obj', { blobs: [shared], size: 5 }));
        const inB = await startUpload('k', { initiated: new Date(1) });
        const inC = uploadRecord('c', 'k', { initiated: new Date(1) });
        await index.createUpload(inC);
        await index.putPart(partRecord(inB.uploadId, 1, { blob: shared }));
        const [cPart] = await putParts(inC, [1]);
        const result = await index.expireUploads(new Date(2));
        expect(result.uploads).toBe(2);
        expect(result.orphans).toEqual([cPart?.blob.id]);
      });
    });

    it('aborts the open uploads of a deleted bucket and returns their blobs', async () => {
      const upload = await startUpload();
      const parts = await putParts(upload, [1, 2]);
      expect(await index.isBlobReferenced(parts[0]?.blob.id ?? '')).toBe(true);
      expect((await index.deleteBucket('b')).sort()).toEqual(parts.map((p) => p.blob.id).sort());
      for (const part of parts) expect(await index.isBlobReferenced(part.blob.id)).toBe(false);
      await index.createBucket(bucketRecord('b'));
      expect(await index.getUpload('b', 'k', upload.uploadId)).toBeUndefined();
      await expectS3Error(index.allParts(upload.uploadId), 'NoSuchUpload');
    });
  });
}
