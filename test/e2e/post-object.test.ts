// PostObject (browser form uploads) against the real server: policies made by the JS SDK's createPresignedPost
// and boto3's generate_presigned_post are accepted exactly when their conditions hold; SigV2 forms, anonymous
// forms under a bucket policy, every success_action_* answer and S3's errors for bad forms.
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedAwsEnv, xmlErrorCode, type IsolatedAwsEnv } from '../support/external-clients.js';
import { boto3PresignedPost, postForm } from '../support/post-form.js';
import { ACCESS_KEY, SECRET_KEY, startTestServer, type TestServer } from '../support/server.js';
import { createUser, setBucketQuota } from '../support/users.js';

let server: TestServer;
let s3: S3Client;
let aws: IsolatedAwsEnv;
const BUCKET = 'forms';

beforeAll(async () => {
  server = await startTestServer();
  s3 = server.client();
  aws = await isolatedAwsEnv();
  await s3.send(new (await import('@aws-sdk/client-s3')).CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  await aws?.cleanup();
  await server?.cleanup();
});

async function body(key: string): Promise<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return got.Body!.transformToString();
}

function jsPost(key: string, conditions: unknown[], fields: Record<string, string> = {}, expires = 300) {
  return createPresignedPost(s3 as never, { Bucket: BUCKET, Key: key, Conditions: conditions as never, Fields: fields, Expires: expires });
}

/** A SigV4 form for a hand-written policy document (for shapes no SDK writes). */
function signedV4(policy: unknown, extra: Record<string, string> = {}): Record<string, string> {
  const now = new Date();
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const credential = `${ACCESS_KEY}/${date}/us-east-1/s3/aws4_request`;
  const encoded = Buffer.from(typeof policy === 'string' ? policy : JSON.stringify(policy)).toString('base64');
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac('AWS4' + SECRET_KEY, date), 'us-east-1'), 's3'), 'aws4_request');
  return {
    ...extra,
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': credential,
    'x-amz-date': amzDate,
    policy: encoded,
    'x-amz-signature': createHmac('sha256', signingKey).update(encoded).digest('hex'),
  };
}

const url = () => `${server.endpoint}/${BUCKET}`;

/** The form's fields with `name` (in any case) replaced by `value`, as a tampering page would send them. */
function withField(fields: Record<string, string>, name: string, value: string): Record<string, string> {
  const kept = Object.entries(fields).filter(([k]) => k.toLowerCase() !== name.toLowerCase());
  return { ...Object.fromEntries(kept), [name]: value };
}

/** An error document's text with XML's entities decoded. */
function text(xml: string): string {
  return xml.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

describe('JS SDK createPresignedPost', () => {
  it('stores the file with every condition kind holding, fields carried onto the object', async () => {
    const post = await jsPost('photos/${filename}', [
      ['starts-with', '$key', 'photos/'],
      ['eq', '$x-amz-meta-owner', 'alice'],
      ['starts-with', '$Content-Type', 'image/'],
      ['content-length-range', 3, 100],
      { success_action_status: '201' },
      { acl: 'private' },
      ['starts-with', '$tagging', ''],
    ], { 'x-amz-meta-owner': 'alice', 'Content-Type': 'image/png', success_action_status: '201', acl: 'private' });
    const tagging = '<Tagging><TagSet><Tag><Key>kind</Key><Value>photo</Value></Tag></TagSet></Tagging>';
    const res = await postForm(post.url, { ...post.fields, tagging }, 'png bytes', 'cat.png');
    expect(res.status, res.body).toBe(201);
    expect(res.body).toContain('<Key>photos/cat.png</Key>');
    expect(res.body).toContain(`<Bucket>${BUCKET}</Bucket>`);
    expect(text(res.body)).toMatch(/<ETag>"[0-9a-f]{32}"<\/ETag>/);
    expect(res.headers.get('location')).toBe(`${server.endpoint}/${BUCKET}/photos/cat.png`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'photos/cat.png' }));
    expect(head.ContentType).toBe('image/png');
    expect(head.Metadata).toEqual({ owner: 'alice' });
    expect(await body('photos/cat.png')).toBe('png bytes');
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'photos/cat.png' }));
    expect(tags.TagSet).toEqual([{ Key: 'kind', Value: 'photo' }]);
  });

  it('refuses each condition that does not hold, storing nothing', async () => {
    const cases: { conditions: unknown[]; fields: Record<string, string>; file: string; code: string; status: number; message?: RegExp; unsigned?: true }[] = [
      { conditions: [['eq', '$x-amz-meta-owner', 'alice']], fields: { 'x-amz-meta-owner': 'mallory' }, file: 'x', code: 'AccessDenied', status: 403, message: /Policy Condition failed: \["eq", "\$x-amz-meta-owner", "alice"\]/ },
      { conditions: [['starts-with', '$Content-Type', 'image/']], fields: { 'Content-Type': 'text/html' }, file: 'x', code: 'AccessDenied', status: 403 },
      { conditions: [['starts-with', '$Content-Type', 'image/']], fields: { 'Content-Type': 'image/png,text/html' }, file: 'x', code: 'AccessDenied', status: 403 },
      { conditions: [{ acl: 'public-read' }], fields: { acl: 'private' }, file: 'x', code: 'AccessDenied', status: 403 },
      { conditions: [['content-length-range', 0, 4]], fields: {}, file: 'too long', code: 'EntityTooLarge', status: 400 },
      { conditions: [['content-length-range', 5, 10]], fields: {}, file: 'tiny', code: 'EntityTooSmall', status: 400 },
      { conditions: [], fields: { 'x-amz-meta-sneaky': '1' }, unsigned: true, file: 'x', code: 'AccessDenied', status: 403, message: /Extra input fields: x-amz-meta-sneaky/ },
    ];
    for (const [i, c] of cases.entries()) {
      const key = `refused/${i}`;
      const post = await jsPost(key, c.conditions, c.unsigned ? {} : c.fields);
      // The refused ones: the SDK signs what it was given, the form then sends what a tampering page would.
      let form = post.fields;
      for (const [k, v] of Object.entries(c.fields)) form = withField(form, k, v);
      const res = await postForm(post.url, form, c.file);
      expect(res.status, `${i}: ${res.body}`).toBe(c.status);
      expect(xmlErrorCode(res.body), `${i}`).toBe(c.code);
      if (c.message) expect(text(res.body)).toMatch(c.message);
      await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toThrow();
    }
    // A Content-Type list holds when every type starts with the prefix.
    const post = await jsPost('list', [['starts-with', '$Content-Type', 'image/']], { 'Content-Type': 'image/png, image/jpeg' });
    expect((await postForm(post.url, post.fields, 'x')).status).toBe(204);
  });

  it('accepts content-length-range at both of its bounds', async () => {
    const post = await jsPost('bounds', [['content-length-range', 2, 4]]);
    expect((await postForm(post.url, post.fields, 'ab')).status).toBe(204);
    expect((await postForm(post.url, post.fields, 'abcd')).status).toBe(204);
    expect(await body('bounds')).toBe('abcd');
  });

  it('refuses an expired policy, a wrong signature and an unknown key', async () => {
    const expired = signedV4({ expiration: new Date(Date.now() - 1000).toISOString(), conditions: [{ bucket: BUCKET }, ['starts-with', '$key', '']] }, { key: 'late' });
    let res = await postForm(url(), expired, 'x');
    expect([res.status, xmlErrorCode(res.body)]).toEqual([403, 'AccessDenied']);
    expect(res.body).toContain('Policy expired.');
    const post = await jsPost('forged', []);
    res = await postForm(post.url, withField(post.fields, 'X-Amz-Signature', '0'.repeat(64)), 'x');
    expect([res.status, xmlErrorCode(res.body)]).toEqual([403, 'SignatureDoesNotMatch']);
    res = await postForm(post.url, withField(post.fields, 'X-Amz-Credential', post.fields['X-Amz-Credential']!.replace(ACCESS_KEY, 'NOSUCHKEY')), 'x');
    expect([res.status, xmlErrorCode(res.body)]).toEqual([403, 'InvalidAccessKeyId']);
  });

  it('refuses malformed policies and forms with S3 codes', async () => {
    const expiration = new Date(Date.now() + 60_000).toISOString();
    const invalid = async (policy: unknown, message: string) => {
      const res = await postForm(url(), signedV4(policy, { key: 'k' }), 'x');
      expect([res.status, xmlErrorCode(res.body)], res.body).toEqual([400, 'InvalidPolicyDocument']);
      expect(res.body).toContain(message);
    };
    await invalid('not json', 'Invalid JSON.');
    await invalid({ conditions: [] }, 'Policy missing expiration.');
    await invalid({ expiration }, 'Policy missing conditions.');
    await invalid({ expiration, conditions: [['gt', '$key', 'a']] }, 'Invalid Condition');

    const post = await jsPost('shape', []);
    const withoutKey = Object.fromEntries(Object.entries(post.fields).filter(([k]) => k !== 'key'));
    let res = await postForm(post.url, withoutKey, 'x');
    expect([res.status, xmlErrorCode(res.body)]).toEqual([400, 'InvalidArgument']);
    expect(text(res.body)).toContain("Bucket POST must contain a field named 'key'");
    const noFile = new FormData();
    for (const [k, v] of Object.entries(post.fields)) noFile.append(k, v);
    const r = await fetch(post.url, { method: 'POST', body: noFile });
    expect([r.status, xmlErrorCode(await r.text())]).toEqual([400, 'IncorrectNumberOfFilesInPostRequest']);
    const urlEncoded = await fetch(post.url, { method: 'POST', body: new URLSearchParams(post.fields) });
    expect([urlEncoded.status, xmlErrorCode(await urlEncoded.text())]).toEqual([412, 'PreconditionFailed']);
    res = await postForm(post.url, { ...post.fields, 'x-ignore-padding': 'p'.repeat(21 * 1024) }, 'x');
    expect([res.status, xmlErrorCode(res.body)]).toEqual([400, 'MaxPostPreDataLengthExceededError']);
  });

  it('answers success_action_status 200 and 204, and success_action_redirect with a 303', async () => {
    let post = await jsPost('status200', [{ success_action_status: '200' }], { success_action_status: '200' });
    let res = await postForm(post.url, post.fields, 'x');
    expect([res.status, res.body]).toEqual([200, '']);
    post = await jsPost('status204', []);
    res = await postForm(post.url, post.fields, 'x');
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    const target = 'http://127.0.0.1:9/done?from=form';
    post = await jsPost('redirected', [{ success_action_redirect: target }], { success_action_redirect: target });
    res = await postForm(post.url, post.fields, 'redirected body');
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('http://127.0.0.1:9/done');
    expect(location.searchParams.get('from')).toBe('form');
    expect(location.searchParams.get('bucket')).toBe(BUCKET);
    expect(location.searchParams.get('key')).toBe('redirected');
    expect(location.searchParams.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await body('redirected')).toBe('redirected body');
  });

  it('ignores fields after the file and matches field names case-insensitively', async () => {
    const post = await jsPost('order', [['eq', '$Content-Type', 'text/plain']], { 'content-type': 'text/plain' });
    const form = new FormData();
    for (const [k, v] of Object.entries(post.fields)) form.append(k.toUpperCase() === 'POLICY' ? 'Policy' : k, v);
    form.append('file', new Blob(['ordered']), 'o.txt');
    form.append('x-amz-meta-late', 'ignored');
    const res = await fetch(post.url, { method: 'POST', body: form });
    expect(res.status, await res.text()).toBe(204);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'order' }));
    expect(head.ContentType).toBe('text/plain');
    expect(head.Metadata).toEqual({});
  });

  it('streams a large file through without buffering it whole and applies SSE', async () => {
    const size = 3 * 1024 * 1024 + 17;
    const post = await jsPost('big', [['content-length-range', 0, size]], { 'x-amz-server-side-encryption': 'AES256' });
    const data = Buffer.alloc(size, 7);
    const res = await postForm(post.url, { ...post.fields, 'x-amz-server-side-encryption': 'AES256' }, data);
    expect(res.status, res.body).toBe(204);
    expect(res.headers.get('x-amz-server-side-encryption')).toBe('AES256');
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big' }));
    expect(got.ServerSideEncryption).toBe('AES256');
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
  });
});

describe('checksums and sizes', () => {
  it('checks an x-amz-checksum-* field against the file, as PutObject checks the header', async () => {
    const { createHash } = await import('node:crypto');
    const good = createHash('sha256').update('checked').digest('base64');
    let post = await jsPost('checked', [], { 'x-amz-checksum-sha256': good });
    let res = await postForm(post.url, post.fields, 'checked');
    expect(res.status, res.body).toBe(204);
    expect(res.headers.get('x-amz-checksum-sha256')).toBe(good);
    post = await jsPost('mismatched', [], { 'x-amz-checksum-sha256': good });
    res = await postForm(post.url, post.fields, 'something else');
    expect([res.status, xmlErrorCode(res.body)]).toEqual([400, 'BadDigest']);
    await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'mismatched' }))).rejects.toThrow();
  });

  it('refuses a large file over the range promptly and keeps the connection usable', async () => {
    const post = await jsPost('huge', [['content-length-range', 0, 1000]]);
    const res = await postForm(post.url, post.fields, Buffer.alloc(6 * 1024 * 1024, 1));
    expect([res.status, xmlErrorCode(res.body)]).toEqual([400, 'EntityTooLarge']);
    const next = await jsPost('after-huge', []);
    expect((await postForm(next.url, next.fields, 'fine')).status).toBe(204);
  });
});

describe('boto3 generate_presigned_post', () => {
  it('round-trips SigV4 policies with conditions accepted and refused', async () => {
    const post = await boto3PresignedPost({
      endpoint: server.endpoint, bucket: BUCKET, key: 'boto/${filename}',
      fields: { 'Content-Type': 'text/plain', 'x-amz-meta-from': 'boto3' },
      conditions: [['starts-with', '$Content-Type', 'text/'], { 'x-amz-meta-from': 'boto3' }, ['content-length-range', 1, 50]],
    }, aws.env());
    let res = await postForm(post.url, post.fields, 'from python', 'notes.txt');
    expect(res.status, res.body).toBe(204);
    expect(await body('boto/notes.txt')).toBe('from python');
    res = await postForm(post.url, { ...post.fields, 'x-amz-meta-from': 'elsewhere' }, 'x');
    expect([res.status, xmlErrorCode(res.body)]).toEqual([403, 'AccessDenied']);
    res = await postForm(post.url, post.fields, 'y'.repeat(51));
    expect([res.status, xmlErrorCode(res.body)]).toEqual([400, 'EntityTooLarge']);
    res = await postForm(post.url, post.fields, '');
    expect([res.status, xmlErrorCode(res.body)]).toEqual([400, 'EntityTooSmall']);
  });

  it('round-trips a SigV2 policy', async () => {
    const post = await boto3PresignedPost({ endpoint: server.endpoint, bucket: BUCKET, key: 'v2', signatureVersion: 's3' }, aws.env());
    expect(post.fields).toHaveProperty('AWSAccessKeyId');
    let res = await postForm(post.url, post.fields, 'signed v2');
    expect(res.status, res.body).toBe(204);
    expect(await body('v2')).toBe('signed v2');
    res = await postForm(post.url, withField(post.fields, 'signature', Buffer.alloc(20).toString('base64')), 'x');
    expect([res.status, xmlErrorCode(res.body)]).toEqual([403, 'SignatureDoesNotMatch']);
  });
});

describe('anonymous forms', () => {
  it('are refused on a private bucket and accepted where the bucket policy allows s3:PutObject', async () => {
    let res = await postForm(url(), { key: 'public/drop' }, 'anon');
    expect([res.status, xmlErrorCode(res.body)]).toEqual([403, 'AccessDenied']);
    await s3.send(new PutBucketPolicyCommand({
      Bucket: BUCKET,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/public/*` }] }),
    }));
    res = await postForm(url(), { key: 'public/drop' }, 'anon');
    expect(res.status, res.body).toBe(204);
    expect(await body('public/drop')).toBe('anon');
    res = await postForm(url(), { key: 'private/drop' }, 'anon');
    expect([res.status, xmlErrorCode(res.body)]).toEqual([403, 'AccessDenied']);
  });

  it('answers NoSuchBucket for a bucket that does not exist', async () => {
    const res = await postForm(`${server.endpoint}/no-such-bucket-here`, { key: 'k' }, 'x');
    expect([res.status, xmlErrorCode(res.body)]).toEqual([404, 'NoSuchBucket']);
  });
});

describe('forms signed by a user', () => {
  it('are authorized, audited and held to quotas as that user, like PutObject', async () => {
    const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
    await s3.send(new CreateBucketCommand({ Bucket: 'user-forms' }));
    await setBucketQuota(server, 'user-forms', { maxBytes: 10 });
    const user = await createUser(server, 'uploader', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::user-forms/mine/*' }],
    });
    const sign = (key: string) => createPresignedPost(user.client as never, { Bucket: 'user-forms', Key: key, Expires: 300 });
    let post = await sign('mine/a');
    let res = await postForm(post.url, post.fields, 'fits');
    expect(res.status, res.body).toBe(204);
    post = await sign('theirs/a');
    res = await postForm(post.url, post.fields, 'x');
    expect([res.status, xmlErrorCode(res.body)]).toEqual([403, 'AccessDenied']);
    post = await sign('mine/b');
    res = await postForm(post.url, post.fields, 'seven b');
    expect([res.status, xmlErrorCode(res.body)]).toEqual([403, 'QuotaExceeded']);

    // The audit log names the form's signer, not the anonymous HTTP request that carried it.
    const file = path.join(server.dataDir, 'audit', 'audit.jsonl');
    const posts = async () => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as { action: string; key?: string; result: string; principal: unknown })
      .filter((r) => r.action === 'PostObject' && r.key?.startsWith('mine/'));
    for (let i = 0; i < 50 && (await posts()).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await posts()).toEqual([
      expect.objectContaining({ key: 'mine/a', result: 'success', principal: { user: 'uploader', accessKeyId: user.accessKeyId } }),
      expect.objectContaining({ key: 'mine/b', result: 'failure', principal: { user: 'uploader', accessKeyId: user.accessKeyId } }),
    ]);
  });
});
