import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command,
  PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { s3Error } from '../support/s3-error.js';

let t: TestServer;
let s3: S3Client;
const bucket = 'objects';

beforeAll(async () => {
  t = await startTestServer();
  s3 = t.client();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => t.cleanup());

async function getBytes(key: string, extra: Partial<ConstructorParameters<typeof GetObjectCommand>[0]> = {}) {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));
  return { res, bytes: Buffer.from(await res.Body!.transformToByteArray()) };
}

const md5hex = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

describe('objects', () => {
  it('round-trips bytes, content headers and user metadata', async () => {
    const body = randomBytes(100_000);
    const put = await s3.send(new PutObjectCommand({
      Bucket: bucket, Key: 'docs/report.bin', Body: body,
      ContentType: 'application/x-report', CacheControl: 'max-age=60', ContentDisposition: 'attachment; filename="r.bin"',
      ContentLanguage: 'sk', ContentEncoding: 'identity', Expires: new Date('2030-01-01T00:00:00Z'),
      Metadata: { project: 'sklad', 'Mixed-Case': 'Value' },
    }));
    expect(put.ETag).toBe(`"${md5hex(body)}"`);
    const { res, bytes } = await getBytes('docs/report.bin');
    expect(bytes.equals(body)).toBe(true);
    expect(res.ContentType).toBe('application/x-report');
    expect(res.CacheControl).toBe('max-age=60');
    expect(res.ContentDisposition).toBe('attachment; filename="r.bin"');
    expect(res.ContentLanguage).toBe('sk');
    expect(res.ContentEncoding).toBe('identity');
    expect(res.Expires?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(res.Metadata).toEqual({ project: 'sklad', 'mixed-case': 'Value' });
    expect(res.ETag).toBe(put.ETag);
    expect(res.ContentLength).toBe(body.length);
    expect(res.AcceptRanges).toBe('bytes');
    expect(res.LastModified).toBeInstanceOf(Date);
  });

  it('answers HEAD with the same headers and no body', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'head-me', Body: 'hello', ContentType: 'text/plain' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'head-me' }));
    expect(head.ContentLength).toBe(5);
    expect(head.ContentType).toBe('text/plain');
    expect(head.ETag).toBe(`"${md5hex('hello')}"`);
  });

  it('stores an empty object', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'empty', Body: '' }));
    expect(put.ETag).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
    const { res, bytes } = await getBytes('empty');
    expect(bytes.length).toBe(0);
    expect(res.ContentLength).toBe(0);
  });

  it('round-trips a 24 MiB object byte for byte', async () => {
    const body = randomBytes(24 * 1024 * 1024);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'big/blob', Body: body }));
    const { bytes } = await getBytes('big/blob');
    expect(bytes.length).toBe(body.length);
    expect(md5hex(bytes)).toBe(md5hex(body));
  });

  it('keeps keys that are not paths apart and intact', async () => {
    const keys = ['a/b', 'a/b/c', 'with space', 'plus+sign', 'per%cent', 'üñíçødé/日本語/🙂', '../up', 'a/./b', 'a//b', 'trailing/', '?query#frag', "quote'\"<&>"];
    for (const [i, key] of keys.entries()) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `odd/${key}`, Body: `body-${i}` }));
    }
    for (const [i, key] of keys.entries()) {
      const { bytes } = await getBytes(`odd/${key}`);
      expect(bytes.toString()).toBe(`body-${i}`);
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'odd/' }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual(keys.map((k) => `odd/${k}`).sort());
  });

  it('overwrites an object atomically and deletes it (204 even when missing)', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'over', Body: 'one' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'over', Body: 'two' }));
    expect((await getBytes('over')).bytes.toString()).toBe('two');
    const del = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'over' }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'over' })))).toMatchObject({ name: 'NoSuchKey', status: 404 });
    const again = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'never-existed' }));
    expect(again.$metadata.httpStatusCode).toBe(204);
  });

  it('answers NoSuchKey / NoSuchBucket / 404 on HEAD', async () => {
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'nope' })))).toMatchObject({ name: 'NoSuchKey', status: 404 });
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' })))).toMatchObject({ name: 'NoSuchBucket', status: 404 });
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'nope' })))).toMatchObject({ name: 'NotFound', status: 404 });
    expect(await s3Error(s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })))).toMatchObject({ name: 'NoSuchBucket' });
  });

  it('rejects user metadata over 2 KB', async () => {
    const err = await s3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'meta', Body: 'x', Metadata: { big: 'v'.repeat(2100) } })));
    expect(err).toMatchObject({ name: 'MetadataTooLarge', status: 400 });
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'meta' })))).toMatchObject({ status: 404 });
  });

  it('rejects keys over 1024 bytes', async () => {
    const err = await s3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k'.repeat(1025), Body: 'x' })));
    expect(err).toMatchObject({ name: 'KeyTooLongError', status: 400 });
  });
});

describe('ranges', () => {
  const body = Buffer.from('0123456789abcdefghij');
  beforeAll(async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'ranged', Body: body }));
  });

  it.each([
    ['bytes=0-4', '01234', 'bytes 0-4/20'],
    ['bytes=10-', 'abcdefghij', 'bytes 10-19/20'],
    ['bytes=-3', 'hij', 'bytes 17-19/20'],
    ['bytes=15-100', 'fghij', 'bytes 15-19/20'],
  ])('%s → 206', async (range, expected, contentRange) => {
    const { res, bytes } = await getBytes('ranged', { Range: range });
    expect(res.$metadata.httpStatusCode).toBe(206);
    expect(bytes.toString()).toBe(expected);
    expect(res.ContentRange).toBe(contentRange);
    expect(res.ContentLength).toBe(expected.length);
  });

  it('answers 416 InvalidRange when unsatisfiable', async () => {
    const err = await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ranged', Range: 'bytes=20-30' })));
    expect(err).toMatchObject({ name: 'InvalidRange', status: 416 });
  });
});

describe('conditional reads', () => {
  let etag: string;
  let lastModified: Date;
  beforeAll(async () => {
    etag = (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cond', Body: 'conditional' }))).ETag!;
    lastModified = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cond' }))).LastModified!;
  });

  it('If-None-Match with the current ETag → 304', async () => {
    const err = await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfNoneMatch: etag })));
    expect(err.status).toBe(304);
  });

  it('If-Match with another ETag → 412', async () => {
    const err = await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfMatch: '"0000"' })));
    expect(err).toMatchObject({ name: 'PreconditionFailed', status: 412 });
  });

  it('If-Match true wins over If-Unmodified-Since false', async () => {
    const { bytes } = await getBytes('cond', { IfMatch: etag, IfUnmodifiedSince: new Date(lastModified.getTime() - 3600_000) });
    expect(bytes.toString()).toBe('conditional');
  });

  it('If-Modified-Since at Last-Modified → 304; before it → 200', async () => {
    const err = await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfModifiedSince: lastModified })));
    expect(err.status).toBe(304);
    const { bytes } = await getBytes('cond', { IfModifiedSince: new Date(lastModified.getTime() - 3600_000) });
    expect(bytes.toString()).toBe('conditional');
  });

  it('applies response-* overrides', async () => {
    const { res } = await getBytes('cond', {
      ResponseContentType: 'text/x-override', ResponseContentDisposition: 'inline', ResponseCacheControl: 'no-cache',
      ResponseContentLanguage: 'de', ResponseContentEncoding: 'identity', ResponseExpires: new Date('2031-01-01T00:00:00Z'),
    });
    expect(res.ContentType).toBe('text/x-override');
    expect(res.ContentDisposition).toBe('inline');
    expect(res.CacheControl).toBe('no-cache');
    expect(res.ContentLanguage).toBe('de');
    expect(res.ContentEncoding).toBe('identity');
    expect(res.Expires?.getUTCFullYear()).toBe(2031);
  });
});

describe('conditional writes', () => {
  it('If-None-Match: * creates once, then 412 with the first object kept', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'lock', Body: 'first', IfNoneMatch: '*' }));
    const err = await s3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'lock', Body: 'second', IfNoneMatch: '*' })));
    expect(err).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    expect((await getBytes('lock')).bytes.toString()).toBe('first');
  });

  it('only one of many concurrent If-None-Match: * writers wins', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'race', Body: `writer-${i}`, IfNoneMatch: '*' }))),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    expect((await getBytes('race')).bytes.toString()).toBe(`writer-${winner}`);
  });

  it('If-Match replaces only the expected version', async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cas', Body: 'v1' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cas', Body: 'v2', IfMatch: first.ETag }));
    const err = await s3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cas', Body: 'v3', IfMatch: first.ETag })));
    expect(err).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    expect((await getBytes('cas')).bytes.toString()).toBe('v2');
    const missing = await s3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cas-missing', Body: 'x', IfMatch: first.ETag })));
    expect(missing).toMatchObject({ name: 'NoSuchKey', status: 404 });
  });
});
