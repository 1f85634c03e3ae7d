// The CopyObject part of the MetadataIndex contract: source checks, conditions, shared blobs.
import { beforeEach, describe, expect, it } from 'vitest';
import { S3Error } from '../../src/errors/s3-error.js';
import type { MetadataIndex, ObjectRecord } from '../../src/storage/metadata-index.js';
import { blobId, bucketRecord, expectS3Error, objectRecord } from './records.js';

/** Registers the copy cases; `current` yields the index the enclosing suite opened for this test. */
export function copyCases(current: () => MetadataIndex): void {
  let index: MetadataIndex;
  const accept = (): void => {};
  /** The build step of a plain copy: the source's bytes and facts under a new key. */
  const to = (key: string, overrides: Partial<ObjectRecord> = {}) =>
    (source: ObjectRecord): ObjectRecord => ({ ...source, key, lastModified: new Date(1_700_000_900_000), ...overrides });

  describe('copyObject', () => {
    beforeEach(async () => {
      index = current();
      await index.createBucket(bucketRecord('b'));
    });

    it('hands check and build the stored source, writes the built record and shares its blobs', async () => {
      const source = objectRecord('b', 'src', {
        userMetadata: { color: 'red' },
        tags: [{ key: 't', value: 'v' }],
        blobs: [{ id: blobId(), size: 4 }, { id: blobId(), size: 7 }],
      });
      await index.putObject(source);
      const seen: ObjectRecord[] = [];
      const result = await index.copyObject(
        { bucket: 'b', key: 'src' },
        (s) => { seen.push(s); },
        (s) => { seen.push(s); return to('dst', { userMetadata: { color: 'blue' } })(s); },
      );
      expect(seen).toEqual([source, source]);
      expect(result.orphans).toEqual([]);
      expect(result.record).toEqual({ ...source, key: 'dst', lastModified: new Date(1_700_000_900_000), userMetadata: { color: 'blue' } });
      expect(await index.getObject('b', 'dst')).toEqual(result.record);
      expect(await index.getObject('b', 'src')).toEqual(source);
    });

    it('copies across buckets', async () => {
      await index.createBucket(bucketRecord('other'));
      const source = objectRecord('b', 'k');
      await index.putObject(source);
      const { record } = await index.copyObject({ bucket: 'b', key: 'k' }, accept, (s) => ({ ...s, bucket: 'other' }));
      expect(await index.getObject('other', 'k')).toEqual(record);
      expect(record.blobs).toEqual(source.blobs);
    });

    it('fails NoSuchKey, naming the source key, when the source is missing or a delete marker', async () => {
      let built = 0;
      const build = (s: ObjectRecord): ObjectRecord => { built += 1; return to('dst')(s); };
      const missing = await expectS3Error(index.copyObject({ bucket: 'b', key: 'nope' }, accept, build), 'NoSuchKey');
      expect(missing.fields).toEqual({ Key: 'nope' });
      await index.putObject(objectRecord('b', 'dead', { deleteMarker: true, blobs: [], size: 0 }));
      const marked = await expectS3Error(index.copyObject({ bucket: 'b', key: 'dead' }, accept, build), 'NoSuchKey');
      expect(marked.fields).toEqual({ Key: 'dead' });
      expect(built).toBe(0);
      expect(await index.getObject('b', 'dst')).toBeUndefined();
    });

    it('fails NoSuchBucket for a missing source or destination bucket', async () => {
      await index.putObject(objectRecord('b', 'k'));
      await expectS3Error(index.copyObject({ bucket: 'gone', key: 'k' }, accept, to('dst')), 'NoSuchBucket');
      await expectS3Error(index.copyObject({ bucket: 'b', key: 'k' }, accept, (s) => ({ ...s, bucket: 'gone' })), 'NoSuchBucket');
    });

    it('changes nothing when check throws, and passes its error through', async () => {
      await index.putObject(objectRecord('b', 'src', { etag: 'aaa' }));
      const old = objectRecord('b', 'dst', { etag: 'old' });
      await index.putObject(old);
      let built = false;
      const refusal = new S3Error('PreconditionFailed', { fields: { Condition: 'x-amz-copy-source-if-match' } });
      const error = await expectS3Error(
        index.copyObject({ bucket: 'b', key: 'src' }, () => { throw refusal; }, (s) => { built = true; return to('dst')(s); }),
        'PreconditionFailed',
      );
      expect(error).toBe(refusal);
      expect(built).toBe(false);
      expect(await index.getObject('b', 'dst')).toEqual(old);
    });

    it('applies the write condition to the destination, as putObject does', async () => {
      const source = objectRecord('b', 'src', { etag: 'srcetag' });
      await index.putObject(source);
      await expectS3Error(index.copyObject({ bucket: 'b', key: 'src' }, accept, to('dst'), { ifMatch: '*' }), 'NoSuchKey');
      expect(await index.getObject('b', 'dst')).toBeUndefined();
      await index.copyObject({ bucket: 'b', key: 'src' }, accept, to('dst'), { ifNoneMatch: true });
      expect((await index.getObject('b', 'dst'))?.etag).toBe('srcetag');
      await expectS3Error(
        index.copyObject({ bucket: 'b', key: 'src' }, accept, to('dst', { etag: 'second' }), { ifNoneMatch: true }),
        'PreconditionFailed',
      );
      await expectS3Error(
        index.copyObject({ bucket: 'b', key: 'src' }, accept, to('dst', { etag: 'second' }), { ifMatch: 'nope' }),
        'PreconditionFailed',
      );
      expect((await index.getObject('b', 'dst'))?.etag).toBe('srcetag');
      await index.copyObject({ bucket: 'b', key: 'src' }, accept, to('dst', { etag: 'third' }), { ifMatch: '"srcetag"' });
      expect((await index.getObject('b', 'dst'))?.etag).toBe('third');
      // The shared blobs survived every refused attempt.
      for (const blob of source.blobs) expect(await index.isBlobReferenced(blob.id)).toBe(true);
    });

    it('returns the overwritten destination blobs that nothing else uses', async () => {
      await index.putObject(objectRecord('b', 'src'));
      const old = objectRecord('b', 'dst', { blobs: [{ id: blobId(), size: 5 }, { id: blobId(), size: 6 }] });
      await index.putObject(old);
      const { orphans } = await index.copyObject({ bucket: 'b', key: 'src' }, accept, to('dst'));
      expect(orphans.sort()).toEqual(old.blobs.map((b) => b.id).sort());
      for (const blob of old.blobs) expect(await index.isBlobReferenced(blob.id)).toBe(false);
      // Asked a page at a time, as recovery and scrub do: the same answers, in the order asked.
      const live = (await index.getObject('b', 'src'))!.blobs.map((b) => b.id);
      const asked = [old.blobs[1]!.id, ...live, old.blobs[0]!.id, blobId()];
      expect(await index.unreferencedBlobs(asked)).toEqual([old.blobs[1]!.id, old.blobs[0]!.id, asked[asked.length - 1]]);
      expect(await index.unreferencedBlobs([])).toEqual([]);
    });

    it('does not orphan destination blobs that the source also holds', async () => {
      const source = objectRecord('b', 'src');
      await index.putObject(source);
      await index.copyObject({ bucket: 'b', key: 'src' }, accept, to('dst'));
      const again = await index.copyObject({ bucket: 'b', key: 'src' }, accept, to('dst', { etag: 'again' }));
      expect(again.orphans).toEqual([]);
      expect((await index.getObject('b', 'dst'))?.etag).toBe('again');
    });

    it('copies an object onto itself with new metadata, keeping its blobs', async () => {
      const source = objectRecord('b', 'self', {
        userMetadata: { old: '1' },
        blobs: [{ id: blobId(), size: 3 }, { id: blobId(), size: 8 }],
      });
      await index.putObject(source);
      const { record, orphans } = await index.copyObject(
        { bucket: 'b', key: 'self' },
        accept,
        (s) => ({ ...s, userMetadata: { new: '2' }, contentHeaders: { 'content-type': 'text/plain' } }),
      );
      expect(orphans).toEqual([]);
      expect(record.blobs).toEqual(source.blobs);
      expect(await index.getObject('b', 'self')).toEqual({ ...source, userMetadata: { new: '2' }, contentHeaders: { 'content-type': 'text/plain' } });
      for (const blob of source.blobs) expect(await index.isBlobReferenced(blob.id)).toBe(true);
    });

    it('keeps shared blobs referenced until the last copy is deleted, and releases them once', async () => {
      const source = objectRecord('b', 'src', { blobs: [{ id: blobId(), size: 4 }, { id: blobId(), size: 7 }] });
      const ids = source.blobs.map((b) => b.id).sort();
      await index.putObject(source);
      await index.copyObject({ bucket: 'b', key: 'src' }, accept, to('dst'));
      expect(await index.deleteObject('b', 'src')).toEqual([]);
      for (const id of ids) expect(await index.isBlobReferenced(id)).toBe(true);
      expect((await index.getObject('b', 'dst'))?.blobs).toEqual(source.blobs);
      expect((await index.deleteObject('b', 'dst')).sort()).toEqual(ids);
      for (const id of ids) expect(await index.isBlobReferenced(id)).toBe(false);
      expect(await index.deleteObject('b', 'dst')).toEqual([]);
    });

    it('releases a source blob the copy dropped only when the source is gone', async () => {
      const kept = { id: blobId(), size: 4 };
      const dropped = { id: blobId(), size: 7 };
      await index.putObject(objectRecord('b', 'src', { blobs: [kept, dropped] }));
      await index.copyObject({ bucket: 'b', key: 'src' }, accept, to('dst', { blobs: [kept], size: 4 }));
      expect(await index.deleteObject('b', 'src')).toEqual([dropped.id]);
      expect(await index.deleteObject('b', 'dst')).toEqual([kept.id]);
    });
  });
}
