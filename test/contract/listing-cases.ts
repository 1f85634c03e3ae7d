// The listing part of the MetadataIndex contract: order, prefixes, delimiters, pagination.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ListPage, ListQuery, MetadataIndex } from '../../src/storage/metadata-index.js';
import { bucketRecord, expectS3Error, objectRecord } from './records.js';
import { byteCompare, pageShape, random, referenceList, type ReferencePage } from './reference-listing.js';

/**
 * Registers the listing cases; `current` yields the index the enclosing suite opened for this test.
 * `scale` shrinks the randomised comparison with the reference (keys, queries and page walks alike) for an
 * engine where every call is a network round trip; its deterministic cases run in full either way.
 */
export function listingCases(current: () => MetadataIndex, scale = 1): void {
  let index: MetadataIndex;
  const list = (bucket: string, q: Partial<Omit<ListQuery, 'bucket'>> = {}): Promise<ListPage> =>
    index.list({ bucket, prefix: '', delimiter: '', after: '', maxKeys: 1000, ...q });

  /** Puts issued together (distinct keys), so an implementation may commit many in one transaction. */
  async function putKeys(bucket: string, keys: Iterable<string>): Promise<void> {
    const all = [...keys];
    for (let at = 0; at < all.length; at += 200) {
      await Promise.all(all.slice(at, at + 200).map((key) => index.putObject(objectRecord(bucket, key))));
    }
  }

  describe('listing', () => {
    beforeEach(async () => {
      index = current();
      await index.createBucket(bucketRecord('b'));
    });

    it('refuses a missing bucket', async () => {
      await expectS3Error(list('nope'), 'NoSuchBucket');
    });

    it('lists nothing in an empty bucket', async () => {
      expect(pageShape(await list('b'))).toEqual({ keys: [], commonPrefixes: [], isTruncated: false });
    });

    it('returns the summary fields of each object', async () => {
      const record = objectRecord('b', 'k', {
        size: 42,
        etag: 'abc',
        owner: 'o',
        storageClass: 'GLACIER',
        checksum: { algorithm: 'SHA256', type: 'FULL_OBJECT', value: 'x' },
      });
      await index.putObject(record);
      await index.putObject(objectRecord('b', 'plain'));
      const page = await list('b');
      expect(page.objects[0]).toEqual({
        key: 'k',
        size: 42,
        etag: 'abc',
        lastModified: record.lastModified,
        owner: 'o',
        storageClass: 'GLACIER',
        checksumAlgorithm: 'SHA256',
        checksumType: 'FULL_OBJECT',
      });
      expect(page.objects[1] && 'checksumAlgorithm' in page.objects[1]).toBe(false);
    });

    it('orders keys bytewise in UTF-8, not by UTF-16 code units or case', async () => {
      const keys = ['a', 'B', 'b', 'a b', 'a+b', 'a/b', 'a%b', 'a_b', 'é', 'z', '~', '\u007f', '\uE000', '\uFFFD', '😀', '😀/x', '\u{10FFFF}', '0', ' '];
      await putKeys('b', keys);
      const listed = (await list('b')).objects.map((o) => o.key);
      expect(listed).toEqual([...keys].sort(byteCompare));
      // The cases where UTF-16 order disagrees: astral characters sort after U+E000..U+FFFF.
      expect(listed.indexOf('\uFFFD')).toBeLessThan(listed.indexOf('😀'));
      expect(listed.indexOf('\uE000')).toBeLessThan(listed.indexOf('\u{10FFFF}'));
      expect(listed.indexOf('B')).toBeLessThan(listed.indexOf('a'));
    });

    it('leaves out delete markers, also from common prefixes', async () => {
      await putKeys('b', ['live', 'dir/live']);
      const marker = { deleteMarker: true, blobs: [], size: 0 };
      await index.putObject(objectRecord('b', 'dead', marker));
      await index.putObject(objectRecord('b', 'ghost/only', marker));
      expect((await list('b')).objects.map((o) => o.key)).toEqual(['dir/live', 'live']);
      expect(pageShape(await list('b', { delimiter: '/' }))).toEqual({
        keys: ['live'],
        commonPrefixes: ['dir/'],
        isTruncated: false,
      });
    });

    it('matches prefixes literally and case-sensitively', async () => {
      const keys = ['a%c', 'abc', 'a_c', 'aXc', 'A%c', 'a%', 'a', 'a\\c', '😀a', '😀b', '\u{10FFFF}x', '\u{10FFFF}', 'ab'];
      await putKeys('b', keys);
      const keysUnder = async (prefix: string): Promise<string[]> => (await list('b', { prefix })).objects.map((o) => o.key);
      expect(await keysUnder('a%')).toEqual(['a%', 'a%c']);
      expect(await keysUnder('a_')).toEqual(['a_c']);
      expect(await keysUnder('A')).toEqual(['A%c']);
      expect(await keysUnder('a\\')).toEqual(['a\\c']);
      expect(await keysUnder('😀')).toEqual(['😀a', '😀b']);
      expect(await keysUnder('\u{10FFFF}')).toEqual(['\u{10FFFF}', '\u{10FFFF}x']);
      expect(await keysUnder('abc')).toEqual(['abc']);
      expect(await keysUnder('abcd')).toEqual([]);
    });

    it('pages with exact truncation and resumes after the last key', async () => {
      await putKeys('b', ['a', 'b', 'c', 'd']);
      expect(pageShape(await list('b', { maxKeys: 2 }))).toEqual({ keys: ['a', 'b'], commonPrefixes: [], isTruncated: true, nextAfter: 'b' });
      // Exactly the remaining keys: nothing follows, so not truncated.
      expect(pageShape(await list('b', { maxKeys: 2, after: 'b' }))).toEqual({ keys: ['c', 'd'], commonPrefixes: [], isTruncated: false });
      expect(pageShape(await list('b', { after: 'bb' }))).toEqual({ keys: ['c', 'd'], commonPrefixes: [], isTruncated: false });
      expect(pageShape(await list('b', { after: 'd' }))).toEqual({ keys: [], commonPrefixes: [], isTruncated: false });
    });

    it('answers max-keys 0 with an empty page that is not truncated', async () => {
      await putKeys('b', ['a', 'dir/x']);
      expect(pageShape(await list('b', { maxKeys: 0 }))).toEqual({ keys: [], commonPrefixes: [], isTruncated: false });
      expect(pageShape(await list('b', { maxKeys: 0, delimiter: '/' }))).toEqual({ keys: [], commonPrefixes: [], isTruncated: false });
    });

    it('rolls keys up into common prefixes at the first delimiter after the prefix', async () => {
      await putKeys('b', ['test/foo/bar/123', 'test/foo/bar/456', 'test/bar/foo/123', 'test/', 'test//x', 'top']);
      expect(pageShape(await list('b', { delimiter: '/' }))).toEqual({ keys: ['top'], commonPrefixes: ['test/'], isTruncated: false });
      expect(pageShape(await list('b', { prefix: 'test/', delimiter: '/' }))).toEqual({
        keys: ['test/'],
        commonPrefixes: ['test//', 'test/bar/', 'test/foo/'],
        isTruncated: false,
      });
      expect(pageShape(await list('b', { prefix: 'test/foo', delimiter: '/' }))).toEqual({
        keys: [],
        commonPrefixes: ['test/foo/'],
        isTruncated: false,
      });
      expect(pageShape(await list('b', { prefix: 'test/foo/bar', delimiter: '/' }))).toEqual({
        keys: [],
        commonPrefixes: ['test/foo/bar/'],
        isTruncated: false,
      });
    });

    it('pages across common prefixes without repeating them (AWS-recorded sequence)', async () => {
      await putKeys('b', ['folder/aSubfolder/subFile1', 'folder/aSubfolder/subFile2', 'folder/file1', 'folder/file2']);
      const q = { prefix: 'folder/', delimiter: '/', maxKeys: 1 };
      const first = await list('b', q);
      expect(pageShape(first)).toEqual({ keys: [], commonPrefixes: ['folder/aSubfolder/'], isTruncated: true, nextAfter: 'folder/aSubfolder/' });
      const second = await list('b', { ...q, after: first.nextAfter ?? '' });
      expect(pageShape(second)).toEqual({ keys: ['folder/file1'], commonPrefixes: [], isTruncated: true, nextAfter: 'folder/file1' });
      const third = await list('b', { ...q, after: second.nextAfter ?? '' });
      expect(pageShape(third)).toEqual({ keys: ['folder/file2'], commonPrefixes: [], isTruncated: false });
      // A marker inside a common prefix skips the rest of that prefix.
      expect(pageShape(await list('b', { ...q, after: 'folder/aSubfolder/subFile1' }))).toEqual({
        keys: ['folder/file1'],
        commonPrefixes: [],
        isTruncated: true,
        nextAfter: 'folder/file1',
      });
    });

    it('is not truncated when the page ends on the last common prefix', async () => {
      await putKeys('b', ['asdf', 'boo/bar', 'boo/baz/xyzzy', 'cquux/thud', 'cquux/bla']);
      expect(pageShape(await list('b', { delimiter: '/', after: 'boo/', maxKeys: 1 }))).toEqual({
        keys: [],
        commonPrefixes: ['cquux/'],
        isTruncated: false,
      });
      expect(pageShape(await list('b', { delimiter: '/', maxKeys: 2 }))).toEqual({
        keys: ['asdf'],
        commonPrefixes: ['boo/'],
        isTruncated: true,
        nextAfter: 'boo/',
      });
    });

    it('handles multi-character and non-ASCII delimiters, and prefixes at the top of the code space', async () => {
      await putKeys('b', ['a--b--c', 'a--d', 'a-e', 'x😀y😀z', 'x😀w', 'xy', '\u{10FFFF}\u{10FFFF}a', '\u{10FFFF}\u{10FFFF}b', '\u{10FFFF}a']);
      expect(pageShape(await list('b', { delimiter: '--' }))).toEqual({
        keys: ['a-e', 'xy', 'x😀w', 'x😀y😀z', '\u{10FFFF}a', '\u{10FFFF}\u{10FFFF}a', '\u{10FFFF}\u{10FFFF}b'],
        commonPrefixes: ['a--'],
        isTruncated: false,
      });
      expect(pageShape(await list('b', { prefix: 'a--', delimiter: '--' }))).toEqual({
        keys: ['a--d'],
        commonPrefixes: ['a--b--'],
        isTruncated: false,
      });
      expect(pageShape(await list('b', { prefix: 'x', delimiter: '😀' }))).toEqual({
        keys: ['xy'],
        commonPrefixes: ['x😀'],
        isTruncated: false,
      });
      // No string sorts after every string starting with U+10FFFF U+10FFFF: the listing ends there.
      const top = { prefix: '\u{10FFFF}', delimiter: '\u{10FFFF}' };
      expect(pageShape(await list('b', { ...top, maxKeys: 1 }))).toEqual({
        keys: ['\u{10FFFF}a'],
        commonPrefixes: [],
        isTruncated: true,
        nextAfter: '\u{10FFFF}a',
      });
      expect(pageShape(await list('b', { ...top, after: '\u{10FFFF}a', maxKeys: 1 }))).toEqual({
        keys: [],
        commonPrefixes: ['\u{10FFFF}\u{10FFFF}'],
        isTruncated: false,
      });
      expect(pageShape(await list('b', { ...top, after: '\u{10FFFF}\u{10FFFF}' }))).toEqual({
        keys: [],
        commonPrefixes: [],
        isTruncated: false,
      });
    });

    // Heavy on a networked database under load: a longer time limit than the default.
    it('agrees with a naive reference on thousands of keys and random queries', { timeout: 60_000 }, async () => {
      const next = random(20240601);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
      const alphabet = ['a', 'b', 'B', '/', '/', '/', '-', ' ', '+', '%', '_', 'é', '\uFFFD', '\uE000', '😀', '\u{10FFFF}', '.'];
      const live = new Set<string>();
      while (live.size < Math.round(3000 * scale)) {
        const length = 1 + Math.floor(next() * 8);
        let key = '';
        for (let i = 0; i < length; i++) key += pick(alphabet);
        live.add(key);
      }
      await putKeys('b', live);
      // Some keys deleted, some hidden behind delete markers: neither may be listed.
      const all = [...live];
      const removed = Math.round(150 * scale);
      await Promise.all(all.slice(0, removed).map((key) => index.deleteObject('b', key)));
      await Promise.all(all.slice(removed, 2 * removed).map((key) => index.putObject(objectRecord('b', key, { deleteMarker: true, blobs: [], size: 0 }))));
      for (const key of all.slice(0, 2 * removed)) live.delete(key);

      const keys = [...live].sort(byteCompare);
      // Cut by code points: S3 keys are UTF-8, so a prefix never ends inside a surrogate pair.
      const randomString = (): string => {
        const source = [...pick(keys)];
        return next() < 0.7 ? source.slice(0, Math.floor(next() * (source.length + 1))).join('') : pick(alphabet) + pick(alphabet);
      };
      for (let round = 0; round < Math.round(300 * scale); round++) {
        const q = {
          prefix: next() < 0.3 ? '' : randomString(),
          delimiter: pick(['', '', '/', 'a', '😀', '/a', '\u{10FFFF}', 'é/']),
          after: next() < 0.4 ? '' : randomString(),
          maxKeys: pick([0, 1, 2, 3, 7, 50, 1000]),
        };
        const actual = pageShape(await list('b', q));
        expect({ q, page: actual }).toEqual({ q, page: referenceList(keys, q) });
      }

      // Walking every page must visit exactly what one unbounded listing returns.
      for (let round = 0; round < Math.round(30 * scale); round++) {
        const base = { prefix: next() < 0.5 ? '' : pick(alphabet), delimiter: pick(['', '/', 'b']), maxKeys: pick([1, 3, 10, 100]) };
        const expected = referenceList(keys, { ...base, after: '', maxKeys: 1_000_000 });
        const seen: ReferencePage = { keys: [], commonPrefixes: [], isTruncated: false };
        let after = '';
        for (let pages = 0; ; pages++) {
          expect(pages).toBeLessThan(10_000);
          const page = await list('b', { ...base, after });
          seen.keys.push(...page.objects.map((o) => o.key));
          seen.commonPrefixes.push(...page.commonPrefixes);
          if (!page.isTruncated) break;
          expect(page.nextAfter).toBeDefined();
          after = page.nextAfter ?? '';
        }
        expect({ base, seen }).toEqual({ base, seen: expected });
      }
    });
  });
}
