// Static website hosting against the real server: the website configuration through the S3 API, and the
// website endpoint (its own port, path form /BUCKET/KEY, and Host BUCKET.WEBSITE_DOMAIN) answering as S3's does.
import {
  CreateBucketCommand, DeleteBucketWebsiteCommand, GetBucketWebsiteCommand, PutBucketPolicyCommand, PutBucketWebsiteCommand, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChild } from '../support/child-server.js';
import { expectS3Error } from '../support/s3-error.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let s3: S3Client;
let site: string;

const publicRead = (bucket: string) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
});

async function put(bucket: string, key: string, body: string, extra: Record<string, string> = {}): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/html', ...extra }));
}

beforeAll(async () => {
  server = await startTestServer({ env: { SKLAD_WEBSITE_PORT: '0', SKLAD_WEBSITE_DOMAIN: 'web.test' } });
  s3 = server.client();
  site = `http://127.0.0.1:${server.server.websitePort}`;
  await s3.send(new CreateBucketCommand({ Bucket: 'site' }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: 'site', Policy: publicRead('site') }));
  await put('site', 'index.html', '<h1>home</h1>');
  await put('site', 'docs/index.html', '<h1>docs</h1>');
  await put('site', 'error.html', '<h1>oops</h1>');
  await put('site', 'page.html', '<p>page</p>');
  await put('site', 'moved.html', 'old', { WebsiteRedirectLocation: '/page.html' });
  await put('site', 'away.html', 'old', { WebsiteRedirectLocation: 'https://example.com/elsewhere' });
  await s3.send(new PutBucketWebsiteCommand({
    Bucket: 'site',
    WebsiteConfiguration: {
      IndexDocument: { Suffix: 'index.html' },
      ErrorDocument: { Key: 'error.html' },
      RoutingRules: [
        { Condition: { KeyPrefixEquals: 'old-docs/' }, Redirect: { ReplaceKeyPrefixWith: 'docs/', HttpRedirectCode: '301' } },
        { Condition: { KeyPrefixEquals: 'gone/', HttpErrorCodeReturnedEquals: '404' }, Redirect: { HostName: 'archive.example.com', Protocol: 'https', ReplaceKeyWith: 'lost.html', HttpRedirectCode: '307' } },
      ],
    },
  }));
});

afterAll(async () => {
  await server?.cleanup();
});

function get(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(site + path, { redirect: 'manual', ...init });
}

describe('website configuration through the S3 API', () => {
  it('round-trips a configuration and deletes it', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'conf' }));
    await expectS3Error(s3.send(new GetBucketWebsiteCommand({ Bucket: 'conf' })), 'NoSuchWebsiteConfiguration', 404);
    await s3.send(new PutBucketWebsiteCommand({ Bucket: 'conf', WebsiteConfiguration: { RedirectAllRequestsTo: { HostName: 'example.org', Protocol: 'https' } } }));
    const redirectAll = await s3.send(new GetBucketWebsiteCommand({ Bucket: 'conf' }));
    expect(redirectAll.RedirectAllRequestsTo).toEqual({ HostName: 'example.org', Protocol: 'https' });
    const got = await s3.send(new GetBucketWebsiteCommand({ Bucket: 'site' }));
    expect(got.IndexDocument).toEqual({ Suffix: 'index.html' });
    expect(got.ErrorDocument).toEqual({ Key: 'error.html' });
    expect(got.RoutingRules).toEqual([
      { Condition: { KeyPrefixEquals: 'old-docs/' }, Redirect: { ReplaceKeyPrefixWith: 'docs/', HttpRedirectCode: '301' } },
      { Condition: { KeyPrefixEquals: 'gone/', HttpErrorCodeReturnedEquals: '404' }, Redirect: { HostName: 'archive.example.com', Protocol: 'https', ReplaceKeyWith: 'lost.html', HttpRedirectCode: '307' } },
    ]);
    await s3.send(new DeleteBucketWebsiteCommand({ Bucket: 'conf' }));
    await expectS3Error(s3.send(new GetBucketWebsiteCommand({ Bucket: 'conf' })), 'NoSuchWebsiteConfiguration', 404);
  });

  it('refuses configurations S3 refuses', async () => {
    const refused = (WebsiteConfiguration: object, code: string) =>
      expectS3Error(s3.send(new PutBucketWebsiteCommand({ Bucket: 'conf', WebsiteConfiguration })), code, 400);
    await refused({ ErrorDocument: { Key: 'e.html' } }, 'InvalidArgument');
    await refused({ IndexDocument: { Suffix: 'a/b.html' } }, 'InvalidArgument');
    await refused({ RedirectAllRequestsTo: { HostName: 'x.org' }, IndexDocument: { Suffix: 'i.html' } }, 'InvalidArgument');
    await refused({ IndexDocument: { Suffix: 'i.html' }, RoutingRules: [{ Redirect: { ReplaceKeyWith: 'a', ReplaceKeyPrefixWith: 'b' } }] }, 'InvalidArgument');
    await refused({ IndexDocument: { Suffix: 'i.html' }, RoutingRules: [{ Redirect: { HttpRedirectCode: '200' } }] }, 'InvalidArgument');
    await refused({ IndexDocument: { Suffix: 'i.html' }, RoutingRules: [{ Redirect: { Protocol: 'ftp' } }] }, 'InvalidArgument');
    await refused({ IndexDocument: { Suffix: 'i.html' }, RoutingRules: [{ Condition: { HttpErrorCodeReturnedEquals: '200' }, Redirect: { HostName: 'x' } }] }, 'InvalidArgument');
  });
});

describe('the website endpoint', () => {
  it('serves index documents for the root and for folders, and redirects a folder without its slash', async () => {
    let res = await get('/site/');
    expect([res.status, await res.text()]).toEqual([200, '<h1>home</h1>']);
    expect(res.headers.get('content-type')).toBe('text/html');
    res = await get('/site');
    expect([res.status, await res.text()]).toEqual([200, '<h1>home</h1>']);
    res = await get('/site/docs/');
    expect([res.status, await res.text()]).toEqual([200, '<h1>docs</h1>']);
    res = await get('/site/docs');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/site/docs/');
    res = await get('/site/page.html', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('11');
  });

  it('answers a missing key with the error document and a 404', async () => {
    const res = await get('/site/nothing/here.html');
    expect([res.status, await res.text()]).toEqual([404, '<h1>oops</h1>']);
  });

  it('follows routing rules on key prefix and on the error code', async () => {
    let res = await get('/site/old-docs/intro.html');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`${site}/site/docs/intro.html`);
    res = await get('/site/gone/anything');
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('https://archive.example.com/lost.html');
  });

  it('redirects objects that carry x-amz-website-redirect-location', async () => {
    let res = await get('/site/moved.html');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`${site}/site/page.html`);
    res = await get('/site/away.html');
    expect([res.status, res.headers.get('location')]).toEqual([301, 'https://example.com/elsewhere']);
  });

  it('answers with HTML error pages: private bucket 403, no configuration 404, other methods 405', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'private-site' }));
    await put('private-site', 'index.html', 'secret');
    await s3.send(new PutBucketWebsiteCommand({ Bucket: 'private-site', WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } }));
    let res = await get('/private-site/');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    let page = await res.text();
    expect(page).toContain('<h1>403 Forbidden</h1>');
    expect(page).toContain('<li>Code: AccessDenied</li>');
    expect(page).not.toContain('secret');

    await s3.send(new CreateBucketCommand({ Bucket: 'plain' }));
    res = await get('/plain/x');
    page = await res.text();
    expect(res.status).toBe(404);
    expect(page).toContain('<li>Code: NoSuchWebsiteConfiguration</li>');
    res = await get('/no-such-bucket/x');
    expect([res.status, (await res.text()).includes('<li>Code: NoSuchBucket</li>')]).toEqual([404, true]);

    res = await get('/site/index.html', { method: 'PUT', body: 'x' });
    expect(res.status).toBe(405);
    expect(await res.text()).toContain('<li>Code: MethodNotAllowed</li>');
  });

  it('answers an error page naming the failure when the error document itself cannot be read', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'broken' }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'broken', Policy: publicRead('broken') }));
    await s3.send(new PutBucketWebsiteCommand({ Bucket: 'broken', WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: 'missing-error.html' } } }));
    const res = await get('/broken/nope');
    const page = await res.text();
    expect(res.status).toBe(404);
    expect(page).toContain('An Error Occurred While Attempting to Retrieve a Custom Error Document');
  });

  it('redirects every request when the bucket says RedirectAllRequestsTo', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'redirector' }));
    await s3.send(new PutBucketWebsiteCommand({ Bucket: 'redirector', WebsiteConfiguration: { RedirectAllRequestsTo: { HostName: 'example.org', Protocol: 'https' } } }));
    const res = await get('/redirector/a/b.html');
    expect([res.status, res.headers.get('location')]).toEqual([301, 'https://example.org/a/b.html']);
  });

  it('answers Host BUCKET.WEBSITE_DOMAIN on the website port and on the S3 port alike', async () => {
    const viaHost = (port: number, path: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers: { host: 'site.web.test' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(await viaHost(server.server.websitePort!, '/')).toEqual({ status: 200, body: '<h1>home</h1>' });
    expect(await viaHost(server.server.port, '/docs/')).toEqual({ status: 200, body: '<h1>docs</h1>' });
    expect(await viaHost(server.server.port, '/missing')).toEqual({ status: 404, body: '<h1>oops</h1>' });
  });
});

describe('sklad serve', () => {
  it('announces the website listener, from the flag and from SKLAD_WEBSITE_PORT', async () => {
    const data = await mkdtemp(path.join(tmpdir(), 'sklad-website-'));
    try {
      for (const [args, env] of [[['--website-port', '0'], {}], [[], { SKLAD_WEBSITE_PORT: '0' }]] as const) {
        const child = await startChild(['--data', data, '--host', '127.0.0.1', '--port', '0', ...args], { SKLAD_LOG_LEVEL: 'warn', ...env });
        try {
          const [, port] = await child.waitForOutput(/sklad website on http:\/\/127\.0\.0\.1:(\d+)/);
          const res = await fetch(`http://127.0.0.1:${port}/no-such-bucket/`);
          expect(res.status).toBe(404);
          expect(await res.text()).toContain('<li>Code: NoSuchBucket</li>');
        } finally {
          await child.stop();
        }
      }
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  });
});
