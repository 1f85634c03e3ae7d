// Writes issued together (an implementation may commit them in one transaction): each is decided on
// its own, in issue order, and one write's failure never undoes or fails another.
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataIndex } from '../../src/storage/metadata-index.js';
import { bucketRecord, expectS3Error, objectRecord } from './records.js';

export function concurrencyCases(getIndex: () => MetadataIndex): void {
  describe('concurrent writes', () => {
    let index: MetadataIndex;

    beforeEach(async () => {
      index = getIndex();
      await index.createBucket(bucketRecord('b'));
    });

    it('lets exactly one of many concurrent If-None-Match: * puts of a key win, the first issued', async () => {
      const contenders = Array.from({ length: 8 }, (_, i) => objectRecord('b', 'lock', { etag: `e${i}` }));
      const results = await Promise.allSettled(contenders.map((r) => index.putObject(r, { ifNoneMatch: true })));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', ...Array(7).fill('rejected')]);
      for (const r of results.slice(1)) await expectS3Error(Promise.reject((r as PromiseRejectedResult).reason), 'PreconditionFailed');
      expect((await index.getObject('b', 'lock'))?.etag).toBe('e0');
      for (const loser of contenders.slice(1)) expect(await index.isBlobReferenced(loser.blobs[0]!.id)).toBe(false);
    });

    it('applies concurrent If-Match puts in issue order, each against the one before it', async () => {
      await index.putObject(objectRecord('b', 'k', { etag: 'v0' }));
      const chain = ['v1', 'v2', 'v3'].map((etag, i) => index.putObject(objectRecord('b', 'k', { etag }), { ifMatch: `v${i}` }));
      const stale = index.putObject(objectRecord('b', 'k', { etag: 'stale' }), { ifMatch: 'v0' });
      await Promise.all(chain);
      await expectS3Error(stale, 'PreconditionFailed');
      expect((await index.getObject('b', 'k'))?.etag).toBe('v3');
    });

    it('keeps a failing write from affecting the writes issued with it', async () => {
      const good = [objectRecord('b', 'one'), objectRecord('b', 'two')];
      const [first, bad, second, deleted] = await Promise.allSettled([
        index.putObject(good[0]!),
        index.putObject(objectRecord('missing-bucket', 'k')),
        index.putObject(good[1]!),
        index.deleteObject('b', 'never-there'),
      ]);
      expect(first.status).toBe('fulfilled');
      expect(second.status).toBe('fulfilled');
      expect(deleted).toEqual({ status: 'fulfilled', value: [] });
      await expectS3Error(Promise.reject((bad as PromiseRejectedResult).reason), 'NoSuchBucket');
      expect((await index.getObject('b', 'one'))?.etag).toBe(good[0]!.etag);
      expect((await index.getObject('b', 'two'))?.etag).toBe(good[1]!.etag);
    });

    it('rolls back all of a failing write, even what it changed before failing', async () => {
      // copyObject writes the target only after the check; a check that throws leaves nothing behind.
      await index.putObject(objectRecord('b', 'src', { etag: 'src' }));
      const results = await Promise.allSettled([
        index.putObject(objectRecord('b', 'x', { etag: 'x1' })),
        index.copyObject({ bucket: 'b', key: 'src' }, () => undefined, (s) => ({ ...s, key: 'x', etag: 'copy' }), { ifMatch: 'nope' }),
        index.putObject(objectRecord('b', 'y', { etag: 'y1' })),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((await index.getObject('b', 'x'))?.etag).toBe('x1');
      expect((await index.getObject('b', 'y'))?.etag).toBe('y1');
    });
  });
}
