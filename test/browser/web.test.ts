// sklad as a browser sees it, in a real headless Chromium: a page on another origin reading and writing
// through CORS (preflights included, error bodies readable), an HTML form posting a file with a policy made by
// boto3's generate_presigned_post, and a website bucket served by the website endpoint.
import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutBucketCorsCommand, PutBucketPolicyCommand, PutBucketWebsiteCommand, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { isolatedAwsEnv, type IsolatedAwsEnv } from '../support/external-clients.js';
import { servePages, type PageServer } from '../support/page-server.js';
import { boto3PresignedPost } from '../support/post-form.js';
import { startTestServer, type TestServer } from '../support/server.js';

// A browser page, a python3 signer and the server share two cores with the rest of the suite: allow them time.
vi.setConfig({ testTimeout: 60_000 });

let server: TestServer;
let s3: S3Client;
let browser: Browser;
let page: Page;
let app: PageServer;
let stranger: PageServer;
let aws: IsolatedAwsEnv;
const pages: Record<string, string> = { '/app': '<!doctype html><title>app</title><p>app</p>' };

beforeAll(async () => {
  [server, browser, app, stranger, aws] = await Promise.all([
    startTestServer({ env: { SKLAD_WEBSITE_PORT: '0' } }),
    launchBrowser(),
    servePages(pages),
    servePages({ '/app': '<!doctype html><title>stranger</title>' }),
    isolatedAwsEnv(),
  ]);
  s3 = server.client();
  await s3.send(new CreateBucketCommand({ Bucket: 'browser' }));
  await s3.send(new PutBucketCorsCommand({
    Bucket: 'browser',
    CORSConfiguration: { CORSRules: [{ AllowedOrigins: [app.origin], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 0 }] },
  }));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await stranger?.close();
  await aws?.cleanup();
  await server?.cleanup();
});

beforeEach(async () => {
  page = await browser.newPage();
});

afterEach(async () => {
  await page.close();
});

const presign = (command: GetObjectCommand | PutObjectCommand | DeleteObjectCommand) => getSignedUrl(s3, command, { expiresIn: 300 });

describe('CORS in the browser', () => {
  it('lets the allowed origin PUT (preflighted) and GET, read an exposed header and read an error body', async () => {
    const urls = {
      put: await presign(new PutObjectCommand({ Bucket: 'browser', Key: 'from-page.json' })),
      get: await presign(new GetObjectCommand({ Bucket: 'browser', Key: 'from-page.json' })),
      missing: await presign(new GetObjectCommand({ Bucket: 'browser', Key: 'not-there' })),
    };
    await page.goto(`${app.origin}/app`);
    const result = await page.evaluate(async ({ put, get, missing }) => {
      // A PUT with a JSON content type is not a "simple" request: the browser sends a preflight first.
      const stored = await fetch(put, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"hello":"sklad"}' });
      const read = await fetch(get);
      const failed = await fetch(missing);
      return { putStatus: stored.status, etag: stored.headers.get('etag'), readStatus: read.status, body: await read.text(), errorStatus: failed.status, errorBody: await failed.text() };
    }, urls);
    expect(result.putStatus).toBe(200);
    expect(result.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect([result.readStatus, result.body]).toEqual([200, '{"hello":"sklad"}']);
    expect(result.errorStatus).toBe(404);
    expect(result.errorBody).toContain('<Code>NoSuchKey</Code>');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'browser', Key: 'from-page.json' }));
    expect(got.ContentType).toBe('application/json');
  });

  it('blocks what the rules do not allow: a method refused at preflight, and another origin entirely', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'browser', Key: 'keep', Body: 'kept' }));
    const del = await presign(new DeleteObjectCommand({ Bucket: 'browser', Key: 'keep' }));
    const get = await presign(new GetObjectCommand({ Bucket: 'browser', Key: 'keep' }));
    await page.goto(`${app.origin}/app`);
    const deleted = await page.evaluate(async (url) => fetch(url, { method: 'DELETE' }).then((r) => `status ${r.status}`, (e: Error) => `blocked: ${e.name}`), del);
    expect(deleted).toBe('blocked: TypeError');
    // The preflight failed, so the DELETE itself was never sent.
    expect(await (await s3.send(new GetObjectCommand({ Bucket: 'browser', Key: 'keep' }))).Body!.transformToString()).toBe('kept');

    await page.goto(`${stranger.origin}/app`);
    const read = await page.evaluate(async (url) => fetch(url).then((r) => `status ${r.status}`, (e: Error) => `blocked: ${e.name}`), get);
    expect(read).toBe('blocked: TypeError');
  });
});

describe('a form upload in the browser', () => {
  it('posts a chosen file with a boto3 policy and lands on success_action_redirect', async () => {
    const done = `${app.origin}/done`;
    const post = await boto3PresignedPost({
      endpoint: server.endpoint, bucket: 'browser', key: 'uploads/${filename}',
      fields: { success_action_redirect: done, 'Content-Type': 'text/plain' },
      conditions: [{ success_action_redirect: done }, ['starts-with', '$Content-Type', 'text/'], ['content-length-range', 1, 1024]],
    }, aws.env());
    const hidden = Object.entries(post.fields).map(([name, value]) => `<input type="hidden" name="${name}" value="${value.replace(/"/g, '&quot;')}">`).join('\n');
    pages['/form'] = `<!doctype html><title>upload</title>
      <form action="${post.url}" method="post" enctype="multipart/form-data">${hidden}
        <input type="file" name="file" id="file"><button id="send" type="submit">Upload</button>
      </form>`;
    await page.goto(`${app.origin}/form`);
    await page.setInputFiles('#file', { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('typed in a browser') });
    await Promise.all([page.waitForURL(/\/done\?/), page.click('#send')]);
    const landed = new URL(page.url());
    expect(landed.searchParams.get('bucket')).toBe('browser');
    expect(landed.searchParams.get('key')).toBe('uploads/note.txt');
    expect(landed.searchParams.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'browser', Key: 'uploads/note.txt' }));
    expect(await got.Body!.transformToString()).toBe('typed in a browser');
    expect(got.ContentType).toBe('text/plain');
  });
});

describe('a website bucket in the browser', () => {
  it('serves its index, a sub-folder index, its error document and a redirect', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'www' }));
    await s3.send(new PutBucketPolicyCommand({
      Bucket: 'www',
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::www/*' }] }),
    }));
    const html = (title: string) => `<!doctype html><title>${title}</title><h1>${title}</h1>`;
    for (const [key, title] of [['index.html', 'Home'], ['blog/index.html', 'Blog'], ['404.html', 'Not here']] as const) {
      await s3.send(new PutObjectCommand({ Bucket: 'www', Key: key, Body: html(title), ContentType: 'text/html' }));
    }
    await s3.send(new PutBucketWebsiteCommand({
      Bucket: 'www',
      WebsiteConfiguration: {
        IndexDocument: { Suffix: 'index.html' },
        ErrorDocument: { Key: '404.html' },
        RoutingRules: [{ Condition: { KeyPrefixEquals: 'news/' }, Redirect: { ReplaceKeyPrefixWith: 'blog/', HttpRedirectCode: '302' } }],
      },
    }));
    const site = `http://127.0.0.1:${server.server.websitePort}/www`;
    let res = await page.goto(`${site}/`);
    expect([res?.status(), await page.textContent('h1')]).toEqual([200, 'Home']);
    res = await page.goto(`${site}/blog`);
    expect([res?.status(), page.url(), await page.textContent('h1')]).toEqual([200, `${site}/blog/`, 'Blog']);
    res = await page.goto(`${site}/no/such/page`);
    expect([res?.status(), await page.textContent('h1')]).toEqual([404, 'Not here']);
    res = await page.goto(`${site}/news/`);
    expect([res?.status(), page.url(), await page.textContent('h1')]).toEqual([200, `${site}/blog/`, 'Blog']);
  });
});
