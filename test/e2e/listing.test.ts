import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { s3Error } from '../support/s3-error.js';

let t: TestServer;
let s3: S3Client;
const bucket = 'listing';
const keys: string[] = [];
for (let a = 0; a < 6; a++) for (let b = 0; b < 10; b++) for (let c = 0; c < 50; c++) keys.push(`p${a}/q${b}/obj-${String(c).padStart(4, '0')}`);
keys.push('top-level-1', 'top-level-2', 'p0/direct', 'sp ace/x', 'plus+/y', 'ünï/z', 'per%cent/w');

const bytewise = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function putAll(list: string[]) {
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const key = list[next++]!;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** What S3 returns for a whole listing: keys and common prefixes in bytewise order. */
function reference(prefix: string, delimiter: string) {
  const contents: string[] = [];
  const prefixes = new Set<string>();
  for (const key of [...keys].sort(bytewise)) {
    if (!key.startsWith(prefix)) continue;
    const i = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (i === -1) contents.push(key);
    else prefixes.add(key.slice(0, i + delimiter.length));
  }
  return { contents, prefixes: [...prefixes] };
}

beforeAll(async () => {
  t = await startTestServer();
  s3 = t.client();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await putAll(keys);
}, 120_000);
afterAll(() => t.cleanup());

describe('ListObjectsV2', () => {
  it(`lists all ${keys.length} keys in bytewise order across pages`, async () => {
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 1000 }, { Bucket: bucket })) {
      pages++;
      expect(page.KeyCount).toBe(page.Contents?.length ?? 0);
      seen.push(...(page.Contents ?? []).map((o) => o.Key!));
    }
    expect(pages).toBe(Math.ceil(keys.length / 1000));
    expect(seen).toEqual([...keys].sort(bytewise));
  });

  it.each([
    ['', '/'],
    ['p1/', '/'],
    ['p1/q3/', '/'],
    ['p', '/'],
    ['p2/q', '-'],
    ['', 'q'],
  ])('prefix %j delimiter %j matches the reference across small pages', async (prefix, delimiter) => {
    const contents: string[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: delimiter, MaxKeys: 7, ContinuationToken: token }));
      expect((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0)).toBeLessThanOrEqual(7);
      contents.push(...(page.Contents ?? []).map((o) => o.Key!));
      prefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated) expect(token).toBeTruthy();
    } while (token);
    expect({ contents, prefixes }).toEqual(reference(prefix, delimiter));
  });

  it('honours start-after and reports it', async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: 'p5/q9/obj-0047' }));
    expect(page.StartAfter).toBe('p5/q9/obj-0047');
    expect(page.Contents?.[0]?.Key).toBe('p5/q9/obj-0048');
  });

  it('returns owners only with fetch-owner', async () => {
    const without = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
    expect(without.Contents?.[0]?.Owner).toBeUndefined();
    const withOwner = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1, FetchOwner: true }));
    expect(withOwner.Contents?.[0]?.Owner?.ID).toBeTruthy();
  });

  it('url-encodes keys, prefixes and delimiter with encoding-type=url', async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', EncodingType: 'url', Prefix: '' }));
    expect(page.EncodingType).toBe('url');
    const prefixes = (page.CommonPrefixes ?? []).map((p) => p.Prefix!);
    expect(prefixes).toContain('sp%20ace/');
    expect(prefixes).toContain('plus%2B/');
    expect(prefixes).toContain('per%25cent/');
    expect(prefixes).toContain(encodeURIComponent('ünï') + '/');
    expect(prefixes.map(decodeURIComponent).sort(bytewise)).toEqual(reference('', '/').prefixes);
  });

  it('rejects a forged continuation token and a bad max-keys', async () => {
    expect(await s3Error(s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: '!!not-a-token' })))).toMatchObject({ name: 'InvalidArgument', status: 400 });
    expect(await s3Error(s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: -1 })))).toMatchObject({ name: 'InvalidArgument', status: 400 });
  });

  it('returns an empty, untruncated page for an unmatched prefix', async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'zzz' }));
    expect(page.KeyCount).toBe(0);
    expect(page.IsTruncated).toBe(false);
    expect(page.Contents).toBeUndefined();
  });
});

describe('ListObjects (v1)', () => {
  it('paginates with marker and NextMarker under a delimiter', async () => {
    const contents: string[] = [];
    const prefixes: string[] = [];
    let marker: string | undefined;
    do {
      const page = await s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'p3/', Delimiter: '/', MaxKeys: 3, Marker: marker }));
      contents.push(...(page.Contents ?? []).map((o) => o.Key!));
      prefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      expect(page.Contents?.every((o) => o.Owner?.ID)).not.toBe(false);
      marker = page.IsTruncated ? page.NextMarker : undefined;
    } while (marker);
    expect({ contents, prefixes }).toEqual(reference('p3/', '/'));
  });

  it('lists everything without a delimiter in one page of up to 1000', async () => {
    const page = await s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'p4/' }));
    expect(page.Contents).toHaveLength(500);
    expect(page.IsTruncated).toBe(false);
    expect(page.MaxKeys).toBe(1000);
  });
});
