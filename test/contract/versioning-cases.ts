// The versioning and Object Lock part of the MetadataIndex contract: versions kept and promoted, the null
// version, delete markers, ListObjectVersions paging, locks that refuse removal, and quotas over versions.
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataIndex, ObjectRecord, VersionListQuery } from '../../src/storage/metadata-index.js';
import { bucketRecord, expectS3Error, objectRecord } from './records.js';

const NOW = new Date(1_800_000_000_000);
const LATER = new Date(NOW.getTime() + 86_400_000);
const EARLIER = new Date(NOW.getTime() - 86_400_000);

function version(key: string, versionId: string, overrides: Partial<ObjectRecord> = {}): ObjectRecord {
  return objectRecord('v', key, { versionId, etag: `etag-${versionId}`, ...overrides });
}

function marker(key: string, versionId: string): ObjectRecord {
  return objectRecord('v', key, { versionId, deleteMarker: true, blobs: [], size: 0, etag: 'marker' });
}

function listQuery(overrides: Partial<VersionListQuery> = {}): VersionListQuery {
  return { bucket: 'v', prefix: '', delimiter: '', keyMarker: '', versionIdMarker: '', maxKeys: 1000, ...overrides };
}

/** Registers the versioning cases; `current` yields the index the enclosing suite opened for this test. */
export function versioningCases(current: () => MetadataIndex): void {
  let index: MetadataIndex;
  const ids = async (query: Partial<VersionListQuery> = {}): Promise<string[]> =>
    (await index.listVersions(listQuery(query))).versions.map((v) => `${v.key}@${v.versionId}${v.isLatest ? '*' : ''}${v.deleteMarker ? 'D' : ''}`);

  describe('versioning', () => {
    beforeEach(async () => {
      index = current();
      await index.createBucket(bucketRecord('v', { versioning: 'Enabled' }));
    });

    it('keeps every version; the newest is current and each one stays readable by id', async () => {
      const one = version('k', 'id1');
      const two = version('k', 'id2');
      expect(await index.putObject(one)).toEqual([]);
      expect(await index.putObject(two)).toEqual([]);
      expect(await index.getObject('v', 'k')).toEqual(two);
      expect(await index.getObject('v', 'k', 'id1')).toEqual(one);
      expect(await index.getObject('v', 'k', 'id2')).toEqual(two);
      expect(await index.getObject('v', 'k', 'nope')).toBeUndefined();
      // The same versions without their blob lists, as HEAD reads them.
      const { blobs: _one, ...oneMetadata } = one;
      const { blobs: _two, ...twoMetadata } = two;
      expect(await index.getObjectMetadata('v', 'k')).toEqual(twoMetadata);
      expect(await index.getObjectMetadata('v', 'k', 'id1')).toEqual(oneMetadata);
      expect(await index.getObjectMetadata('v', 'k', 'id2')).toEqual(twoMetadata);
      expect(await index.getObjectMetadata('v', 'k', 'nope')).toBeUndefined();
      expect(await ids()).toEqual(['k@id2*', 'k@id1']);
      expect(await index.bucketUsage('v')).toEqual({ objects: 2, bytes: 22 });
    });

    it('a delete marker hides the key from listing but keeps its versions', async () => {
      await index.putObject(version('k', 'id1'));
      await index.putObject(marker('k', 'm1'));
      expect((await index.list({ bucket: 'v', prefix: '', delimiter: '', after: '', maxKeys: 10 })).objects).toEqual([]);
      expect(await index.getObject('v', 'k')).toMatchObject({ deleteMarker: true, versionId: 'm1' });
      expect(await ids()).toEqual(['k@m1*D', 'k@id1']);
      expect(await index.bucketUsage('v')).toEqual({ objects: 1, bytes: 11 });
      await expectS3Error(index.deleteBucket('v'), 'BucketNotEmpty');
    });

    it('removing the current version by id makes the newest remaining one current', async () => {
      const one = version('k', 'id1');
      await index.putObject(one);
      await index.putObject(version('k', 'id2'));
      await index.putObject(version('k', 'id3'));
      const removed = await index.deleteVersion('v', 'k', 'id3', { now: NOW });
      expect(removed.removed?.versionId).toBe('id3');
      expect(removed.orphans).toHaveLength(1);
      expect((await index.getObject('v', 'k'))?.versionId).toBe('id2');
      await index.deleteVersion('v', 'k', 'id2', { now: NOW });
      expect(await index.getObject('v', 'k')).toEqual(one);
      expect(await index.deleteVersion('v', 'k', 'missing', { now: NOW })).toEqual({ orphans: [] });
      await index.deleteVersion('v', 'k', 'id1', { now: NOW });
      expect(await index.getObject('v', 'k')).toBeUndefined();
      expect(await index.deleteBucket('v')).toEqual([]);
    });

    it('removing a noncurrent version leaves the current one alone and frees only its blobs', async () => {
      const one = version('k', 'id1');
      await index.putObject(one);
      await index.putObject(version('k', 'id2', { blobs: one.blobs }));
      await index.putObject(version('k', 'id3'));
      // id2 shares id1's blob: removing id1 frees nothing yet.
      expect((await index.deleteVersion('v', 'k', 'id1', { now: NOW })).orphans).toEqual([]);
      expect((await index.deleteVersion('v', 'k', 'id2', { now: NOW })).orphans).toEqual([one.blobs[0]!.id]);
      expect(await ids()).toEqual(['k@id3*']);
    });

    it('a null write replaces only the null version (suspended), wherever it is', async () => {
      const firstNull = version('k', 'null');
      await index.putObject(firstNull);
      await index.putObject(version('k', 'id1'));
      const secondNull = version('k', 'null', { etag: 'second' });
      expect(await index.putObject(secondNull)).toEqual(firstNull.blobs.map((b) => b.id));
      expect(await ids()).toEqual(['k@null*', 'k@id1']);
      const thirdNull = version('k', 'null', { etag: 'third' });
      expect(await index.putObject(thirdNull)).toEqual(secondNull.blobs.map((b) => b.id));
      expect(await ids()).toEqual(['k@null*', 'k@id1']);
      expect((await index.getObject('v', 'k', 'null'))?.etag).toBe('third');
    });

    it('If-Match and the delete conditions look at the current version only', async () => {
      await index.putObject(version('k', 'id1', { size: 11 }));
      await index.putObject(version('k', 'id2', { size: 11, lastModified: new Date(1_700_000_555_000) }));
      await expectS3Error(index.deleteVersion('v', 'k', 'id1', { now: NOW }, { ifMatch: 'etag-id1' }), 'PreconditionFailed');
      await expectS3Error(index.deleteObject('v', 'k', { ifMatchSize: 12 }), 'PreconditionFailed');
      await expectS3Error(index.deleteObject('v', 'k', { ifMatchLastModifiedTime: new Date(1_700_000_556_000) }), 'PreconditionFailed');
      await index.putObject(marker('k', 'm'), { ifMatch: 'etag-id2', ifMatchSize: 11, ifMatchLastModifiedTime: new Date(1_700_000_555_999) });
      // Behind a delete marker there is no object: If-Match answers NoSuchKey, the others hold vacuously.
      await expectS3Error(index.putObject(marker('k', 'm2'), { ifMatch: '*' }), 'NoSuchKey');
      await index.putObject(marker('k', 'm3'), { ifMatchSize: 1 });
      expect(await ids()).toEqual(['k@m3*D', 'k@mD', 'k@id2', 'k@id1']);
    });

    it('If-None-Match with an ETag fails only on that ETag', async () => {
      await index.putObject(version('k', 'id1'));
      await expectS3Error(index.putObject(version('k', 'id2'), { ifNoneMatch: '"etag-id1"' }), 'PreconditionFailed');
      await index.putObject(version('k', 'id2'), { ifNoneMatch: 'other' });
      expect((await index.getObject('v', 'k'))?.versionId).toBe('id2');
    });

    it('lists keys in order, versions newest first, with prefixes, delimiters and markers', async () => {
      await index.putObject(version('a', 'a1'));
      await index.putObject(version('a', 'a2'));
      await index.putObject(marker('a', 'a3'));
      await index.putObject(version('d/x', 'x1'));
      await index.putObject(version('d/y', 'y1'));
      await index.putObject(version('e', 'e1'));
      await index.putObject(version('e', 'e2'));
      expect(await ids()).toEqual(['a@a3*D', 'a@a2', 'a@a1', 'd/x@x1*', 'd/y@y1*', 'e@e2*', 'e@e1']);
      const rolled = await index.listVersions(listQuery({ delimiter: '/' }));
      expect(rolled.commonPrefixes).toEqual(['d/']);
      expect(rolled.versions.map((v) => v.versionId)).toEqual(['a3', 'a2', 'a1', 'e2', 'e1']);
      expect(await ids({ prefix: 'd/' })).toEqual(['d/x@x1*', 'd/y@y1*']);
      expect(await ids({ keyMarker: 'a' })).toEqual(['d/x@x1*', 'd/y@y1*', 'e@e2*', 'e@e1']);
      expect(await ids({ keyMarker: 'a', versionIdMarker: 'a3' })).toEqual(['a@a2', 'a@a1', 'd/x@x1*', 'd/y@y1*', 'e@e2*', 'e@e1']);

      // Walk page by page: every entry once, in order, whatever the page size.
      for (const size of [1, 2, 3]) {
        const seen: string[] = [];
        let query = listQuery({ maxKeys: size, delimiter: '/' });
        for (;;) {
          const page = await index.listVersions(query);
          seen.push(...page.versions.map((v) => `${v.key}@${v.versionId}`), ...page.commonPrefixes);
          if (!page.isTruncated) break;
          expect(page.nextKeyMarker).toBeDefined();
          query = { ...query, keyMarker: page.nextKeyMarker!, versionIdMarker: page.nextVersionIdMarker ?? '' };
        }
        expect(seen.sort()).toEqual(['a@a1', 'a@a2', 'a@a3', 'd/', 'e@e1', 'e@e2'].sort());
      }
      const first = await index.listVersions(listQuery({ maxKeys: 2 }));
      expect(first).toMatchObject({ isTruncated: true, nextKeyMarker: 'a', nextVersionIdMarker: 'a2' });
      expect((await index.listVersions(listQuery({ maxKeys: 7 }))).isTruncated).toBe(false);
    });

    it('tags, ACLs and quarantine address one version', async () => {
      await index.putObject(version('k', 'id1'));
      await index.putObject(version('k', 'id2'));
      await index.putObjectTags('v', 'k', [{ key: 'a', value: 'b' }], 'id1');
      await index.putObjectAcl('v', 'k', 'public-read', 'id1');
      expect(await index.getObject('v', 'k', 'id1')).toMatchObject({ tags: [{ key: 'a', value: 'b' }], acl: 'public-read' });
      expect(await index.getObject('v', 'k')).toMatchObject({ tags: [], acl: 'private' });
      await expectS3Error(index.putObjectTags('v', 'k', [], 'nope'), 'NoSuchVersion');
      expect(await index.setQuarantined('v', 'k', 'etag-id1', true, 'id1')).toBe(true);
      expect((await index.getObject('v', 'k', 'id1'))?.quarantined).toBe(true);
      expect((await index.getObject('v', 'k'))?.quarantined).toBeUndefined();
    });

    it('scans every stored version for the scrub, delete markers left out', async () => {
      await index.putObject(version('k', 'id1'));
      await index.putObject(version('k', 'id2'));
      await index.putObject(marker('k', 'm'));
      await index.putObject(version('l', 'id9'));
      const all = await index.scanVersions(undefined, 10);
      expect(all.map((r) => `${r.key}@${r.versionId}`)).toEqual(['k@id1', 'k@id2', 'l@id9']);
      const rest = await index.scanVersions({ bucket: 'v', key: 'k', versionId: 'id1' }, 1);
      expect(rest.map((r) => `${r.key}@${r.versionId}`)).toEqual(['k@id2']);
    });

    it('counts every version against a quota', async () => {
      await index.patchBucket('v', { quota: { maxObjects: 2 } });
      await index.putObject(version('k', 'id1'));
      await index.putObject(version('k', 'id2'));
      await expectS3Error(index.putObject(version('k', 'id3')), 'QuotaExceeded');
      // A delete marker stores nothing and is allowed.
      await index.putObject(marker('k', 'm'));
    });

    describe('Object Lock', () => {
      it('a legal hold or retention in force refuses removal; delete markers are still allowed', async () => {
        await index.putObject(version('held', 'h1', { legalHold: true }));
        await index.putObject(version('comp', 'c1', { retention: { mode: 'COMPLIANCE', retainUntil: LATER } }));
        await index.putObject(version('gov', 'g1', { retention: { mode: 'GOVERNANCE', retainUntil: LATER } }));
        await index.putObject(version('old', 'o1', { retention: { mode: 'COMPLIANCE', retainUntil: EARLIER } }));
        expect(await index.getObject('v', 'comp')).toMatchObject({ retention: { mode: 'COMPLIANCE', retainUntil: LATER } });
        await expectS3Error(index.deleteVersion('v', 'held', 'h1', { now: NOW, bypassGovernance: true }), 'AccessDenied');
        await expectS3Error(index.deleteVersion('v', 'comp', 'c1', { now: NOW, bypassGovernance: true }), 'AccessDenied');
        await expectS3Error(index.deleteVersion('v', 'gov', 'g1', { now: NOW }), 'AccessDenied');
        expect(await index.bucketHoldsLockedVersions('v', NOW)).toBe(true);
        await index.putObject(marker('comp', 'cm'));
        await expectS3Error(index.deleteVersion('v', 'comp', 'c1', { now: NOW }), 'AccessDenied');
        expect((await index.getObject('v', 'comp', 'c1'))?.versionId).toBe('c1');
        // Expired retention no longer protects; GOVERNANCE yields to the bypass.
        await index.deleteVersion('v', 'old', 'o1', { now: NOW });
        await index.deleteVersion('v', 'gov', 'g1', { now: NOW, bypassGovernance: true });
        // The COMPLIANCE version is removable once its date has passed.
        await index.deleteVersion('v', 'comp', 'c1', { now: new Date(LATER.getTime() + 1) });
      });

      it('a locked null version cannot be overwritten or deleted in place', async () => {
        await index.createBucket(bucketRecord('plain'));
        const locked = objectRecord('plain', 'k', { legalHold: true });
        await index.putObject(locked);
        await expectS3Error(index.putObject(objectRecord('plain', 'k')), 'AccessDenied');
        await expectS3Error(index.deleteObject('plain', 'k'), 'AccessDenied');
        expect(await index.getObject('plain', 'k')).toEqual(locked);
      });

      it('COMPLIANCE retention can only be extended; GOVERNANCE changes need the bypass', async () => {
        await index.putObject(version('c', 'c1', { retention: { mode: 'COMPLIANCE', retainUntil: LATER } }));
        const shorter = { mode: 'COMPLIANCE' as const, retainUntil: new Date(LATER.getTime() - 1000) };
        const longer = { mode: 'COMPLIANCE' as const, retainUntil: new Date(LATER.getTime() + 1000) };
        await expectS3Error(index.putRetention('v', 'c', 'c1', shorter, { now: NOW, bypassGovernance: true }), 'AccessDenied');
        await expectS3Error(index.putRetention('v', 'c', 'c1', undefined, { now: NOW, bypassGovernance: true }), 'AccessDenied');
        await expectS3Error(index.putRetention('v', 'c', 'c1', { ...longer, mode: 'GOVERNANCE' }, { now: NOW, bypassGovernance: true }), 'AccessDenied');
        await index.putRetention('v', 'c', undefined, longer, { now: NOW });
        expect((await index.getObject('v', 'c', 'c1'))?.retention).toEqual(longer);

        await index.putObject(version('g', 'g1', { retention: { mode: 'GOVERNANCE', retainUntil: LATER } }));
        await expectS3Error(index.putRetention('v', 'g', 'g1', undefined, { now: NOW }), 'AccessDenied');
        await index.putRetention('v', 'g', 'g1', undefined, { now: NOW, bypassGovernance: true });
        expect((await index.getObject('v', 'g', 'g1'))?.retention).toBeUndefined();

        await index.putLegalHold('v', 'g', 'g1', true);
        expect((await index.getObject('v', 'g', 'g1'))?.legalHold).toBe(true);
        await index.putLegalHold('v', 'g', 'g1', false);
        expect((await index.getObject('v', 'g', 'g1'))?.legalHold).toBeUndefined();
        await expectS3Error(index.putLegalHold('v', 'g', 'nope', true), 'NoSuchVersion');
        await expectS3Error(index.putLegalHold('v', 'none', undefined, true), 'NoSuchKey');
      });
    });
  });
}
