// U+0000 in a name: no key, bucket or tag sklad stores can hold it (XML 1.0 cannot carry it and PostgreSQL text
// cannot hold it), so every request naming one gets the same S3 error on either engine, never an internal one,
// and nothing is stored. nul-names.postgres.test.ts runs these cases against a gateway over PostgreSQL.
import {
  CreateBucketCommand, GetObjectCommand, PutBucketWebsiteCommand, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, signedRequest } from '../support/raw-client.js';
import { postForm } from '../support/post-form.js';
import { startTestServer, type TestServer } from '../support/server.js';

const BUCKET = 'nul-names';
let t: TestServer;
let s3: S3Client;

beforeAll(async () => {
  t = await startTestServer({ env: { SKLAD_WEBSITE_PORT: '0' } });
  s3 = t.client();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plain', Body: 'x' }));
});
afterAll(() => t.cleanup());

const request = (method: string, path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}, body = '') =>
  signedRequest(t.endpoint, { method, path, query, headers, body });

/** What is in the bucket: keys with their tags, so a refused request is seen to have stored nothing. */
async function contents(): Promise<string> {
  const listed = await request('GET', `/${BUCKET}`, { 'list-type': '2', 'encoding-type': 'url' });
  expect(listed.status).toBe(200);
  return listed.body.replace(/<LastModified>[^<]*<\/LastModified>/g, '');
}

describe('U+0000 in a name', () => {
  it('a key holding it is InvalidArgument for every object operation', async () => {
    const before = await contents();
    const cases: [string, Record<string, string>][] = [
      ['GET', {}], ['PUT', {}], ['DELETE', {}], ['GET', { tagging: '' }], ['PUT', { tagging: '' }], ['GET', { acl: '' }],
      ['GET', { attributes: '' }], ['POST', { uploads: '' }], ['GET', { uploadId: 'x' }], ['DELETE', { uploadId: 'x' }],
    ];
    for (const [method, query] of cases) {
      const reply = await request(method, `/${BUCKET}/a%00b`, query);
      expect(reply.status, `${method} ${JSON.stringify(query)}`).toBe(400);
      expect(errorCode(reply.body), `${method} ${JSON.stringify(query)}`).toBe('InvalidArgument');
    }
    expect((await request('HEAD', `/${BUCKET}/a%00b`)).status).toBe(400);
    expect(await contents()).toBe(before);
  });

  it('a listing parameter holding it is InvalidArgument, with or without encoding-type=url', async () => {
    const queries: Record<string, string>[] = [
      { 'list-type': '2', prefix: 'a\u0000' },
      { 'list-type': '2', 'start-after': 'p\u0000' },
      { 'list-type': '2', delimiter: '\u0000' },
      { marker: '\u0000' },
      { versions: '', 'key-marker': 'p\u0000' },
      { versions: '', prefix: '\u0000' },
      { uploads: '', prefix: '\u0000' },
      { uploads: '', 'key-marker': 'a', 'upload-id-marker': '\u0000' },
    ];
    for (const query of queries) {
      for (const encoding of [{}, { 'encoding-type': 'url' }] as Record<string, string>[]) {
        const reply = await request('GET', `/${BUCKET}`, { ...query, ...encoding });
        expect(reply.status, JSON.stringify({ ...query, ...encoding })).toBe(400);
        expect(errorCode(reply.body)).toBe('InvalidArgument');
      }
    }
  });

  it('a continuation token starting at it is refused as no token of ours', async () => {
    const token = Buffer.from('p\u0000').toString('base64url');
    const reply = await request('GET', `/${BUCKET}`, { 'list-type': '2', 'continuation-token': token });
    expect(reply.status).toBe(400);
    expect(errorCode(reply.body)).toBe('InvalidArgument');
  });

  it('a bucket name holding it does not exist, and cannot be created', async () => {
    const missing = await request('GET', '/a%00b', { 'list-type': '2' });
    expect(missing.status).toBe(404);
    expect(errorCode(missing.body)).toBe('NoSuchBucket');
    expect(errorCode((await request('GET', '/a%00b/key')).body)).toBe('NoSuchBucket');
    const created = await request('PUT', '/a%00b');
    expect(created.status).toBe(400);
    expect(errorCode(created.body)).toBe('InvalidBucketName');
  });

  it('a copy source holding it is InvalidArgument', async () => {
    const before = await contents();
    const reply = await request('PUT', `/${BUCKET}/copy`, {}, { 'x-amz-copy-source': `/${BUCKET}/a%00b` });
    expect(reply.status).toBe(400);
    expect(errorCode(reply.body)).toBe('InvalidArgument');
    expect(await contents()).toBe(before);
  });

  it('a tag holding it is InvalidTag, from x-amz-tagging as from a form field', async () => {
    const before = await contents();
    for (const tagging of ['k=a%00b', 'a%00b=v']) {
      const reply = await request('PUT', `/${BUCKET}/tagged`, {}, { 'x-amz-tagging': tagging }, 'x');
      expect(reply.status, tagging).toBe(400);
      expect(errorCode(reply.body), tagging).toBe('InvalidTag');
    }
    const post = await createPresignedPost(s3 as never, { Bucket: BUCKET, Key: 'posted', Conditions: [['starts-with', '$tagging', '']] as never, Expires: 300 });
    const tagging = '<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>'.replace('>v<', '>a&#0;b<');
    const posted = await postForm(post.url, { ...post.fields, tagging }, 'x');
    expect(posted.status).toBe(400);
    expect(await contents()).toBe(before);
  });

  it('form fields holding it never store an object, nor answer with an internal error', async () => {
    const before = await contents();
    for (const [name, value] of [['x-amz-meta-note', 'a\u0000b'], ['Content-Type', 'text/\u0000plain'], ['Cache-Control', '\u0000'], ['key', 'a\u0000b']] as const) {
      // A policy that allows the field as sent, so what refuses it is the server's own rule.
      const post = name === 'key'
        ? await createPresignedPost(s3 as never, { Bucket: BUCKET, Key: value, Expires: 300 })
        : await createPresignedPost(s3 as never, { Bucket: BUCKET, Key: 'posted', Conditions: [['starts-with', `$${name}`, '']] as never, Expires: 300 });
      const posted = await postForm(post.url, name === 'key' ? post.fields : { ...post.fields, [name]: value }, 'x');
      expect(posted.status, name).toBe(400);
      expect(errorCode(posted.body), name).toBe('InvalidArgument');
    }
    expect(await contents()).toBe(before);
  });

  it('a website page whose path holds it is a 404 page', async () => {
    await s3.send(new PutBucketWebsiteCommand({ Bucket: BUCKET, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } }));
    const page = await fetch(`http://127.0.0.1:${t.server.websitePort!}/${BUCKET}/a%00b`);
    expect(page.status).toBe(404);
    await page.text();
    const plain = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'plain' }));
    expect(await plain.Body!.transformToString()).toBe('x');
  });
});
