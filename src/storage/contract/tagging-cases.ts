// The tagging part of the MetadataIndex contract: object and bucket tag sets.
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataIndex } from '../metadata-index.js';
import { bucketRecord, expectS3Error, objectRecord } from './records.js';

/** Registers the tagging cases; `current` yields the index the enclosing suite opened for this test. */
export function taggingCases(current: () => MetadataIndex): void {
  let index: MetadataIndex;

  describe('tagging', () => {
    beforeEach(async () => {
      index = current();
      await index.createBucket(bucketRecord('b'));
    });

    it('replaces the tag set of an object and changes nothing else', async () => {
      const record = objectRecord('b', 'k', { tags: [{ key: 'old', value: '1' }], etag: 'e1' });
      await index.putObject(record);
      const tags = [{ key: 'a', value: 'x' }, { key: 'empty', value: '' }, { key: 'ü', value: '✓' }];
      await index.putObjectTags('b', 'k', tags);
      expect(await index.getObject('b', 'k')).toEqual({ ...record, tags });
      await index.putObjectTags('b', 'k', []);
      expect((await index.getObject('b', 'k'))?.tags).toEqual([]);
    });

    it('tags only the named object', async () => {
      await index.putObject(objectRecord('b', 'one'));
      await index.putObject(objectRecord('b', 'two'));
      await index.putObjectTags('b', 'one', [{ key: 'a', value: 'b' }]);
      expect((await index.getObject('b', 'two'))?.tags).toEqual([]);
    });

    it('refuses to tag a missing object or a delete marker', async () => {
      const missing = await expectS3Error(index.putObjectTags('b', 'nope', [{ key: 'a', value: 'b' }]), 'NoSuchKey');
      expect(missing.fields).toEqual({ Key: 'nope' });
      await index.putObject(objectRecord('b', 'dead', { deleteMarker: true, blobs: [], size: 0 }));
      await expectS3Error(index.putObjectTags('b', 'dead', [{ key: 'a', value: 'b' }]), 'NoSuchKey');
      expect((await index.getObject('b', 'dead'))?.tags).toEqual([]);
      await expectS3Error(index.putObjectTags('gone', 'k', []), 'NoSuchBucket');
    });

    it('stores, replaces and removes bucket tags', async () => {
      expect((await index.getBucket('b'))?.tags).toBeUndefined();
      await index.patchBucket('b', { tags: [{ key: 'team', value: 'storage' }] });
      expect((await index.getBucket('b'))?.tags).toEqual([{ key: 'team', value: 'storage' }]);
      await index.patchBucket('b', { tags: [{ key: 'a', value: '' }, { key: 'b', value: '2' }] });
      expect((await index.getBucket('b'))?.tags).toEqual([{ key: 'a', value: '' }, { key: 'b', value: '2' }]);
      await index.patchBucket('b', { tags: [] });
      expect((await index.getBucket('b'))?.tags).toEqual([]);
      await index.patchBucket('b', { tags: null });
      expect((await index.getBucket('b'))?.tags).toBeUndefined();
    });

    it('keeps bucket tags per bucket and forgets them with the bucket', async () => {
      await index.createBucket(bucketRecord('c'));
      await index.patchBucket('b', { tags: [{ key: 'k', value: 'v' }] });
      expect((await index.getBucket('c'))?.tags).toBeUndefined();
      await index.deleteBucket('b');
      await index.createBucket(bucketRecord('b'));
      expect((await index.getBucket('b'))?.tags).toBeUndefined();
    });

    it('refuses bucket tags of a missing bucket', async () => {
      await expectS3Error(index.patchBucket('gone', { tags: [{ key: 'k', value: 'v' }] }), 'NoSuchBucket');
      await expectS3Error(index.patchBucket('gone', { tags: null }), 'NoSuchBucket');
      expect(await index.getBucket('gone')).toBeUndefined();
    });
  });
}
