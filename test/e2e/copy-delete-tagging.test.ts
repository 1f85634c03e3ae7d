import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CopyObjectCommand, CreateBucketCommand, DeleteBucketTaggingCommand, DeleteObjectsCommand, DeleteObjectTaggingCommand,
  GetBucketTaggingCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command,
  PutBucketTaggingCommand, PutObjectCommand, PutObjectTaggingCommand, S3Client,
} from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { s3Error } from '../support/s3-error.js';
import { errorCode, signedRequest } from '../support/raw-client.js';

let t: TestServer;
let s3: S3Client;

beforeAll(async () => {
  t = await startTestServer();
  s3 = t.client();
  await s3.send(new CreateBucketCommand({ Bucket: 'src' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'dst' }));
});
afterAll(() => t.cleanup());

async function text(bucket: string, key: string): Promise<string> {
  return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
}

describe('CopyObject', () => {
  it('copies across buckets with metadata, tags and ETag', async () => {
    const body = randomBytes(300_000);
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'dir/a b+c.bin', Body: body, ContentType: 'image/png', Metadata: { k: 'v' }, Tagging: 'team=ops' }));
    const res = await s3.send(new CopyObjectCommand({ Bucket: 'dst', Key: 'copied', CopySource: `src/${encodeURIComponent('dir/a b+c.bin')}` }));
    expect(res.CopyObjectResult?.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    expect(res.CopyObjectResult?.LastModified).toBeInstanceOf(Date);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'dst', Key: 'copied' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect(got.ContentType).toBe('image/png');
    expect(got.Metadata).toEqual({ k: 'v' });
    expect(got.TagCount).toBe(1);
  });

  it('replaces metadata and tags with the REPLACE directives', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'meta', Body: 'm', Metadata: { old: '1' }, Tagging: 'a=1' }));
    await s3.send(new CopyObjectCommand({
      Bucket: 'dst', Key: 'meta', CopySource: 'src/meta', MetadataDirective: 'REPLACE', Metadata: { fresh: '2' }, ContentType: 'text/x-new',
      TaggingDirective: 'REPLACE', Tagging: 'b=2&c=3',
    }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'dst', Key: 'meta' }));
    expect(head.Metadata).toEqual({ fresh: '2' });
    expect(head.ContentType).toBe('text/x-new');
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: 'dst', Key: 'meta' }));
    expect(tags.TagSet).toEqual([{ Key: 'b', Value: '2' }, { Key: 'c', Value: '3' }]);
  });

  it('refuses to copy an object onto itself without REPLACE, and allows it with REPLACE', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'self', Body: 'same', Metadata: { v: '1' } }));
    const err = await s3Error(s3.send(new CopyObjectCommand({ Bucket: 'src', Key: 'self', CopySource: 'src/self' })));
    expect(err).toMatchObject({ name: 'InvalidRequest', status: 400 });
    await s3.send(new CopyObjectCommand({ Bucket: 'src', Key: 'self', CopySource: 'src/self', MetadataDirective: 'REPLACE', Metadata: { v: '2' } }));
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'src', Key: 'self' }))).Metadata).toEqual({ v: '2' });
    expect(await text('src', 'self')).toBe('same');
  });

  it('keeps a copy readable after its source is overwritten and deleted', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'shared', Body: 'shared bytes' }));
    await s3.send(new CopyObjectCommand({ Bucket: 'dst', Key: 'shared', CopySource: 'src/shared' }));
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'shared', Body: 'replaced' }));
    await s3.send(new DeleteObjectsCommand({ Bucket: 'src', Delete: { Objects: [{ Key: 'shared' }] } }));
    expect(await text('dst', 'shared')).toBe('shared bytes');
  });

  it('applies copy-source conditions', async () => {
    const { ETag } = await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'cond', Body: 'c' }));
    expect(await s3Error(s3.send(new CopyObjectCommand({ Bucket: 'dst', Key: 'cond', CopySource: 'src/cond', CopySourceIfMatch: '"ffff"' }))))
      .toMatchObject({ name: 'PreconditionFailed', status: 412 });
    expect(await s3Error(s3.send(new CopyObjectCommand({ Bucket: 'dst', Key: 'cond', CopySource: 'src/cond', CopySourceIfNoneMatch: ETag }))))
      .toMatchObject({ name: 'PreconditionFailed', status: 412 });
    await s3.send(new CopyObjectCommand({ Bucket: 'dst', Key: 'cond', CopySource: 'src/cond', CopySourceIfMatch: ETag }));
    expect(await text('dst', 'cond')).toBe('c');
  });

  it('answers NoSuchKey and NoSuchBucket for a missing source', async () => {
    expect(await s3Error(s3.send(new CopyObjectCommand({ Bucket: 'dst', Key: 'x', CopySource: 'src/missing' })))).toMatchObject({ name: 'NoSuchKey', status: 404 });
    expect(await s3Error(s3.send(new CopyObjectCommand({ Bucket: 'dst', Key: 'x', CopySource: 'no-such-bucket/k' })))).toMatchObject({ name: 'NoSuchBucket', status: 404 });
  });
});

describe('DeleteObjects', () => {
  it('deletes 1000 keys in one request and reports each', async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `bulk/${String(i).padStart(4, '0')}`);
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        await s3.send(new PutObjectCommand({ Bucket: 'src', Key: key, Body: key }));
      }
    }));
    const res = await s3.send(new DeleteObjectsCommand({ Bucket: 'src', Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    expect(res.Deleted).toHaveLength(1000);
    expect(res.Errors ?? []).toEqual([]);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: 'src', Prefix: 'bulk/' }));
    expect(left.KeyCount).toBe(0);
  });

  it('reports nothing but errors in Quiet mode, and missing keys as deleted', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'q1', Body: '1' }));
    const res = await s3.send(new DeleteObjectsCommand({ Bucket: 'src', Delete: { Quiet: true, Objects: [{ Key: 'q1' }, { Key: 'never-there' }] } }));
    expect(res.Deleted ?? []).toEqual([]);
    expect(res.Errors ?? []).toEqual([]);
    const loud = await s3.send(new DeleteObjectsCommand({ Bucket: 'src', Delete: { Objects: [{ Key: 'never-there' }] } }));
    expect(loud.Deleted?.map((d) => d.Key)).toEqual(['never-there']);
  });

  it('accepts Content-MD5 instead of a checksum and refuses a request with neither', async () => {
    const xml = '<Delete><Object><Key>k</Key></Object></Delete>';
    const withMd5 = await signedRequest(t.endpoint, { method: 'POST', path: '/src', query: { delete: '' }, body: xml, headers: { 'content-md5': createHash('md5').update(xml).digest('base64') } });
    expect(withMd5.status).toBe(200);
    const without = await signedRequest(t.endpoint, { method: 'POST', path: '/src', query: { delete: '' }, body: xml });
    expect(without.status).toBe(400);
    expect(errorCode(without.body)).toBe('MissingContentMD5');
    const badXml = '<Delete><Object><Key>k</Key></Object>';
    const malformed = await signedRequest(t.endpoint, { method: 'POST', path: '/src', query: { delete: '' }, body: badXml, headers: { 'content-md5': createHash('md5').update(badXml).digest('base64') } });
    expect(errorCode(malformed.body)).toBe('MalformedXML');
  });
});

describe('tagging', () => {
  it('puts, gets and deletes object tags, and counts them on GET', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'tagged', Body: 't', Tagging: 'x=1' }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'src', Key: 'tagged' }))).TagSet).toEqual([{ Key: 'x', Value: '1' }]);
    await s3.send(new PutObjectTaggingCommand({ Bucket: 'src', Key: 'tagged', Tagging: { TagSet: [{ Key: 'a', Value: 'b' }, { Key: 'c', Value: '' }] } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'src', Key: 'tagged' }));
    expect(got.TagCount).toBe(2);
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: 'src', Key: 'tagged' }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'src', Key: 'tagged' }))).TagSet ?? []).toEqual([]);
  });

  it('refuses more than 10 tags, long keys and values, and duplicate keys with InvalidTag', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'limits', Body: 't' }));
    const tooMany = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    for (const TagSet of [tooMany, [{ Key: 'k'.repeat(129), Value: 'v' }], [{ Key: 'k', Value: 'v'.repeat(257) }], [{ Key: 'd', Value: '1' }, { Key: 'd', Value: '2' }]]) {
      expect(await s3Error(s3.send(new PutObjectTaggingCommand({ Bucket: 'src', Key: 'limits', Tagging: { TagSet } })))).toMatchObject({ name: 'InvalidTag', status: 400 });
    }
    expect(await s3Error(s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'limits2', Body: 't', Tagging: tooMany.map((t) => `${t.Key}=${t.Value}`).join('&') }))))
      .toMatchObject({ name: 'InvalidTag' });
  });

  it('answers NoSuchKey for tags of a missing object', async () => {
    expect(await s3Error(s3.send(new GetObjectTaggingCommand({ Bucket: 'src', Key: 'missing' })))).toMatchObject({ name: 'NoSuchKey' });
  });

  it('manages bucket tags, with NoSuchTagSet when there are none', async () => {
    expect(await s3Error(s3.send(new GetBucketTaggingCommand({ Bucket: 'dst' })))).toMatchObject({ name: 'NoSuchTagSet', status: 404 });
    await s3.send(new PutBucketTaggingCommand({ Bucket: 'dst', Tagging: { TagSet: [{ Key: 'cost-center', Value: '42' }] } }));
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: 'dst' }))).TagSet).toEqual([{ Key: 'cost-center', Value: '42' }]);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: 'dst' }));
    expect(await s3Error(s3.send(new GetBucketTaggingCommand({ Bucket: 'dst' })))).toMatchObject({ name: 'NoSuchTagSet' });
  });
});
