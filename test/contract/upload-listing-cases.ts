// The ListMultipartUploads part of the MetadataIndex contract: order, markers, prefixes, delimiters, paging.
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataIndex, UploadListPage, UploadListQuery, UploadRecord } from '../../src/storage/metadata-index.js';
import { bucketRecord, expectS3Error, uploadRecord } from './records.js';
import { random } from './reference-listing.js';
import { referenceUploads, uploadPageShape, type ReferenceUploadPage, type UploadEntry } from './reference-upload-listing.js';

/** Registers the upload-listing cases; `current` yields the index the enclosing suite opened for this test. */
export function uploadListingCases(current: () => MetadataIndex): void {
  let index: MetadataIndex;
  const listUploads = (bucket: string, q: Partial<Omit<UploadListQuery, 'bucket'>> = {}): Promise<UploadListPage> =>
    index.listUploads({ bucket, prefix: '', delimiter: '', keyMarker: '', uploadIdMarker: '', maxUploads: 1000, ...q });
  const shape = async (q: Partial<Omit<UploadListQuery, 'bucket'>> = {}): Promise<ReferenceUploadPage> =>
    uploadPageShape(await listUploads('b', q));

  /** Creates uploads in bucket b from `key uploadId initiated` triples. */
  async function start(...uploads: [string, string, number][]): Promise<UploadRecord[]> {
    const records = uploads.map(([key, uploadId, at]) => uploadRecord('b', key, { uploadId, initiated: new Date(at) }));
    for (const record of records) await index.createUpload(record);
    return records;
  }

  describe('listUploads', () => {
    beforeEach(async () => {
      index = current();
      await index.createBucket(bucketRecord('b'));
    });

    it('refuses a missing bucket', async () => {
      await expectS3Error(listUploads('nope'), 'NoSuchBucket');
    });

    it('lists nothing without uploads', async () => {
      expect(await shape()).toEqual({ uploads: [], commonPrefixes: [], isTruncated: false });
    });

    it('returns whole upload records of the bucket only', async () => {
      await index.createBucket(bucketRecord('c'));
      const upload = uploadRecord('b', 'k', {
        checksumAlgorithm: 'SHA256',
        checksumType: 'FULL_OBJECT',
        userMetadata: { a: 'b' },
        contentHeaders: { 'content-type': 'text/plain' },
      });
      await index.createUpload(upload);
      await index.createUpload(uploadRecord('c', 'k'));
      expect((await listUploads('b')).uploads).toEqual([upload]);
    });

    it('orders by key bytewise, then initiation time, then upload id', async () => {
      await start(
        ['😀', 'u1', 1],
        ['\uFFFD', 'u2', 1],
        ['a', 'z-first', 100],
        ['a', 'a-second', 200],
        ['a', 'm-tie', 150],
        ['a', 'b-tie', 150],
        ['B', 'u3', 999],
      );
      expect((await shape()).uploads).toEqual(['B u3', 'a z-first', 'a b-tie', 'a m-tie', 'a a-second', '\uFFFD u2', '😀 u1']);
    });

    it('starts after the key marker alone, or after the marker upload within its key', async () => {
      await start(['a', 'x', 1], ['k', 'z1', 10], ['k', 'a2', 20], ['k', 'm3', 30], ['l', 'y', 1]);
      expect((await shape({ keyMarker: 'k' })).uploads).toEqual(['l y']);
      expect((await shape({ keyMarker: 'j' })).uploads).toEqual(['k z1', 'k a2', 'k m3', 'l y']);
      // Within the key the order is by initiation: "after a2" is m3 although "z1" > "a2" as a string.
      expect((await shape({ keyMarker: 'k', uploadIdMarker: 'a2' })).uploads).toEqual(['k m3', 'l y']);
      expect((await shape({ keyMarker: 'k', uploadIdMarker: 'z1' })).uploads).toEqual(['k a2', 'k m3', 'l y']);
      expect((await shape({ keyMarker: 'k', uploadIdMarker: 'm3' })).uploads).toEqual(['l y']);
      // An upload-id-marker without a key-marker is ignored, as in S3.
      expect((await shape({ uploadIdMarker: 'm3' })).uploads).toHaveLength(5);
    });

    it('lists every remaining upload of the marker key when the marker upload is gone', async () => {
      const [, second] = await start(['k', 'u1', 10], ['k', 'u2', 20], ['k', 'u3', 30], ['l', 'u4', 1]);
      // A client aborting each page's uploads resumes from an upload that no longer exists.
      const page = await listUploads('b', { maxUploads: 2 });
      expect(uploadPageShape(page)).toEqual({ uploads: ['k u1', 'k u2'], commonPrefixes: [], isTruncated: true, nextKeyMarker: 'k', nextUploadIdMarker: 'u2' });
      await index.abortUpload('u1');
      await index.abortUpload(second?.uploadId ?? '');
      expect((await shape({ keyMarker: 'k', uploadIdMarker: 'u2' })).uploads).toEqual(['k u3', 'l u4']);
      // An upload id of another key does not position the listing inside this one.
      expect((await shape({ keyMarker: 'l', uploadIdMarker: 'u3' })).uploads).toEqual(['l u4']);
    });

    it('pages through several uploads of one key with both next markers', async () => {
      await start(['k', 'c', 1], ['k', 'b', 2], ['k', 'a', 3], ['m', 'd', 1]);
      const seen: string[] = [];
      let keyMarker = '';
      let uploadIdMarker = '';
      const markers: [string, string][] = [];
      for (let pages = 0; pages < 10; pages++) {
        const page = await shape({ keyMarker, uploadIdMarker, maxUploads: 1 });
        seen.push(...page.uploads);
        if (!page.isTruncated) break;
        keyMarker = page.nextKeyMarker ?? '';
        uploadIdMarker = page.nextUploadIdMarker ?? '';
        markers.push([keyMarker, uploadIdMarker]);
      }
      expect(seen).toEqual(['k c', 'k b', 'k a', 'm d']);
      expect(markers).toEqual([['k', 'c'], ['k', 'b'], ['k', 'a']]);
    });

    it('rolls keys up into common prefixes that count toward max-uploads', async () => {
      await start(['photos/2024/a.jpg', 'u1', 1], ['photos/2024/b.jpg', 'u2', 1], ['photos/2025/c.jpg', 'u3', 1],
        ['photos/top.jpg', 'u4', 1], ['photos/top.jpg', 'u5', 2], ['readme', 'u6', 1]);
      expect(await shape({ delimiter: '/' })).toEqual({ uploads: ['readme u6'], commonPrefixes: ['photos/'], isTruncated: false });
      expect(await shape({ prefix: 'photos/', delimiter: '/' })).toEqual({
        uploads: ['photos/top.jpg u4', 'photos/top.jpg u5'],
        commonPrefixes: ['photos/2024/', 'photos/2025/'],
        isTruncated: false,
      });
      const first = await shape({ prefix: 'photos/', delimiter: '/', maxUploads: 1 });
      expect(first).toEqual({ uploads: [], commonPrefixes: ['photos/2024/'], isTruncated: true, nextKeyMarker: 'photos/2024/' });
      // A common prefix, or any key inside it, as key-marker skips the whole prefix.
      expect(await shape({ prefix: 'photos/', delimiter: '/', maxUploads: 2, keyMarker: 'photos/2024/' })).toEqual({
        uploads: ['photos/top.jpg u4'],
        commonPrefixes: ['photos/2025/'],
        isTruncated: true,
        nextKeyMarker: 'photos/top.jpg',
        nextUploadIdMarker: 'u4',
      });
      expect((await shape({ prefix: 'photos/', delimiter: '/', keyMarker: 'photos/2024/a.jpg', uploadIdMarker: 'u1' })).commonPrefixes)
        .toEqual(['photos/2025/']);
      expect(await shape({ prefix: 'photos/2', maxUploads: 2 })).toEqual({
        uploads: ['photos/2024/a.jpg u1', 'photos/2024/b.jpg u2'],
        commonPrefixes: [],
        isTruncated: true,
        nextKeyMarker: 'photos/2024/b.jpg',
        nextUploadIdMarker: 'u2',
      });
    });

    it('answers max-uploads=0 with an empty, untruncated page', async () => {
      await start(['k', 'u', 1]);
      expect(await shape({ maxUploads: 0 })).toEqual({ uploads: [], commonPrefixes: [], isTruncated: false });
    });

    it('agrees with a naive reference on random uploads and queries, and pages visit everything once', async () => {
      const next = random(20240917);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
      const alphabet = ['a', 'b', '/', '/', '-', 'é', '\uFFFD', '😀', '\u{10FFFF}'];
      const randomKey = (): string => {
        let key = '';
        for (let i = 1 + Math.floor(next() * 5); i > 0; i--) key += pick(alphabet);
        return key;
      };
      const keys = Array.from({ length: 60 }, randomKey);
      const all: UploadEntry[] = [];
      for (let i = 0; i < 250; i++) {
        // Few distinct times, so uploads of one key often tie on initiation and fall back to the id.
        const entry = { key: pick(keys), uploadId: `id-${Math.floor(next() * 1e6).toString(36)}-${i}`, initiated: Math.floor(next() * 4) };
        all.push(entry);
        await index.createUpload(uploadRecord('b', entry.key, { uploadId: entry.uploadId, initiated: new Date(entry.initiated) }));
      }

      const cut = (key: string): string => [...key].slice(0, Math.floor(next() * (key.length + 1))).join('');
      for (let round = 0; round < 300; round++) {
        const marker = next() < 0.5 ? pick(all) : undefined;
        const q = {
          prefix: next() < 0.4 ? '' : cut(pick(keys)),
          delimiter: pick(['', '', '/', 'a', '😀', '/a']),
          keyMarker: marker?.key ?? (next() < 0.5 ? '' : cut(pick(keys))),
          uploadIdMarker: marker && next() < 0.8 ? marker.uploadId : pick(['', 'id-zzz', 'id-0']),
          maxUploads: pick([0, 1, 2, 3, 7, 50, 1000]),
        };
        expect({ q, page: await shape(q) }).toEqual({ q, page: referenceUploads(all, q) });
      }

      for (let round = 0; round < 20; round++) {
        const base = { prefix: next() < 0.5 ? '' : pick(alphabet), delimiter: pick(['', '/', 'b']), maxUploads: pick([1, 2, 5, 100]) };
        const expected = referenceUploads(all, { ...base, keyMarker: '', uploadIdMarker: '', maxUploads: 1_000_000 });
        const seen: ReferenceUploadPage = { uploads: [], commonPrefixes: [], isTruncated: false };
        let keyMarker = '';
        let uploadIdMarker = '';
        for (let pages = 0; ; pages++) {
          expect(pages).toBeLessThan(1000);
          const page = await shape({ ...base, keyMarker, uploadIdMarker });
          seen.uploads.push(...page.uploads);
          seen.commonPrefixes.push(...page.commonPrefixes);
          if (!page.isTruncated) break;
          expect(page.nextKeyMarker).toBeDefined();
          keyMarker = page.nextKeyMarker ?? '';
          uploadIdMarker = page.nextUploadIdMarker ?? '';
        }
        expect({ base, seen }).toEqual({ base, seen: expected });
      }
    });
  });
}
