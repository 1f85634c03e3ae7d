// The lifecycle part of the MetadataIndex contract: the stored rules, conditional expiration of current objects
// with the cursor committed alongside, and upload expiry scoped to one rule.
import { beforeEach, describe, expect, it } from 'vitest';
import type { LifecycleConfiguration, LifecycleExpiration, MetadataIndex, ObjectRecord, VersionListQuery } from '../../src/storage/metadata-index.js';
import { blobId, bucketRecord, expectS3Error, objectRecord, partRecord, uploadRecord } from './records.js';

const ref = (o: ObjectRecord): LifecycleExpiration => ({ kind: 'current', object: { key: o.key, versionId: o.versionId, etag: o.etag, lastModified: o.lastModified } });
const version = (key: string, versionId: string, overrides: Partial<ObjectRecord> = {}): ObjectRecord =>
  objectRecord('v', key, { versionId, etag: `etag-${versionId}`, ...overrides });
const marker = (key: string, versionId: string): ObjectRecord => objectRecord('v', key, { versionId, deleteMarker: true, blobs: [], size: 0, etag: '' });
const FAR = new Date(4_000_000_000_000);

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

    it('gives back the quota bytes and the open-upload slot of the uploads a rule aborts', async () => {
      await index.patchBucket('b', { quota: { maxBytes: 50 } });
      const old = uploadRecord('b', 'tmp/old', { initiated: new Date(10) });
      await index.createUpload(old, 1);
      await index.putPart(partRecord(old.uploadId, 1, { blob: { id: blobId(), size: 50 } }));
      await expectS3Error(index.putObject(objectRecord('b', 'x', { size: 1 })), 'QuotaExceeded');
      await expectS3Error(index.createUpload(uploadRecord('b', 'tmp/new'), 1), 'QuotaExceeded');
      expect((await index.expireUploads(new Date(1000), { bucket: 'b', prefix: 'tmp/', limit: 10 })).uploads).toBe(1);
      await index.createUpload(uploadRecord('b', 'tmp/new'), 1);
      await index.putObject(objectRecord('b', 'x', { size: 50 }));
      expect((await index.usage()).openUploads).toBe(1);
    });
  });

  describe('lifecycle in versioned buckets', () => {
    const ids = async (query: Partial<VersionListQuery> = {}): Promise<string[]> =>
      (await index.listVersions({ bucket: 'v', prefix: '', delimiter: '', keyMarker: '', versionIdMarker: '', maxKeys: 1000, ...query }))
        .versions.map((v) => `${v.key}@${v.versionId}${v.isLatest ? '*' : ''}${v.deleteMarker ? 'D' : ''}`);

    beforeEach(async () => {
      index = current();
      await index.createBucket(bucketRecord('v', { versioning: 'Enabled', objectLockEnabled: true }));
    });

    it('hides an expired current version behind the delete marker given, even a locked one', async () => {
      const locked = version('k', 'id1');
      await index.putObject(locked);
      await index.putLegalHold('v', 'k', 'id1', true);
      const held = { ...locked, legalHold: true };
      const expiration: LifecycleExpiration = { kind: 'current', object: { key: 'k', versionId: 'id1', etag: locked.etag, lastModified: locked.lastModified }, deleteMarker: marker('k', 'm1') };
      expect(await index.expireObjects('v', [expiration], null)).toEqual({ expired: [expiration], orphans: [] });
      expect(await ids()).toEqual(['k@m1*D', 'k@id1']);
      expect(await index.getObject('v', 'k', 'id1')).toEqual(held);
      // Not again: the current version is no longer the one seen.
      expect((await index.expireObjects('v', [{ ...expiration, deleteMarker: marker('k', 'm2') }], null)).expired).toEqual([]);
      expect(await ids()).toEqual(['k@m1*D', 'k@id1']);
    });

    it('removes noncurrent versions that are not locked, and never a locked one', async () => {
      const free = version('k', 'id1');
      const retained = version('k', 'id2');
      const held = version('k', 'id3');
      for (const v of [free, retained, held, version('k', 'id4')]) await index.putObject(v);
      await index.putRetention('v', 'k', 'id2', { mode: 'GOVERNANCE', retainUntil: FAR }, { now: new Date() });
      await index.putLegalHold('v', 'k', 'id3', true);
      const expirations: LifecycleExpiration[] = ['id1', 'id2', 'id3', 'id4', 'gone'].map((versionId) => ({ kind: 'noncurrent', key: 'k', versionId }));
      const result = await index.expireObjects('v', expirations, null);
      // id4 is current, not noncurrent; 'gone' never existed.
      expect(result).toEqual({ expired: [expirations[0]], orphans: [free.blobs[0]!.id] });
      expect(await ids()).toEqual(['k@id4*', 'k@id3', 'k@id2']);
    });

    it('removes a delete marker only while it is current and alone', async () => {
      await index.putObject(version('a', 'id1'));
      await index.putObject(marker('a', 'm1'));
      await index.putObject(marker('b', 'm2'));
      await index.putObject(marker('c', 'm3'));
      await index.putObject(version('c', 'id2'));
      const markers: LifecycleExpiration[] = [
        { kind: 'delete-marker', key: 'a', versionId: 'm1' },
        { kind: 'delete-marker', key: 'b', versionId: 'm2' },
        { kind: 'delete-marker', key: 'c', versionId: 'm3' },
      ];
      expect((await index.expireObjects('v', markers, null)).expired).toEqual([markers[1]]);
      expect(await ids()).toEqual(['a@m1*D', 'a@id1', 'c@id2*', 'c@m3D']);
      // The noncurrent version behind it expires first in the same batch: then the marker is alone and goes too.
      const both: LifecycleExpiration[] = [{ kind: 'noncurrent', key: 'a', versionId: 'id1' }, markers[0]!];
      expect((await index.expireObjects('v', both, null)).expired).toEqual(both);
      expect(await ids()).toEqual(['c@id2*', 'c@m3D']);
    });

    it('does not expire a locked current version of an unversioned kind of removal', async () => {
      const held = version('k', 'id1');
      await index.putObject(held);
      await index.putLegalHold('v', 'k', 'id1', true);
      expect((await index.expireObjects('v', [ref(held)], null)).expired).toEqual([]);
      expect((await index.getObject('v', 'k'))?.versionId).toBe('id1');
    });
  });
}
