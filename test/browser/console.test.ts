// The web console in a real browser (Debian's Chromium through playwright-core) against the real server: sign in,
// buckets, a 20 MiB upload with progress, browsing, previews, share links, policy presets, users and keys, a
// second user's limits in its own browser context, the access check, server status, sign-out; English and
// Russian; accessibility checked by axe-core on every main screen; no CSP violation anywhere.
// Page callbacks run in the browser: the DOM types describe them.
/// <reference lib="dom" />
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateMultipartUploadCommand, GetBucketPolicyCommand, GetObjectCommand, HeadBucketCommand, ListMultipartUploadsCommand, ListPartsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, watchProblems } from '../support/browser.js';
import { expectAccessible, shot, signIn } from '../support/console-page.js';
import { ACCESS_KEY, SECRET_KEY, startTestServer, type TestServer } from '../support/server.js';

const BUILT = new URL('../../dist/console/ui/index.html', import.meta.url);
const MiB = 1024 * 1024;

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function anonymousStatus(url: string): Promise<number> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.status;
}

describe('web console in a browser', () => {
  let t: TestServer;
  let s3: S3Client;
  let browser: Browser;
  let rootContext: BrowserContext;
  let page: Page;
  let problems: string[];
  const alice = { accessKey: '', secret: '' };

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error('The console is not built: run `npm run build` first.');
    t = await startTestServer();
    s3 = t.client();
    browser = await launchBrowser();
    rootContext = await browser.newContext({ locale: 'en-US', acceptDownloads: false });
    page = await rootContext.newPage();
    problems = watchProblems(page);
    page.on('dialog', (d) => void d.accept());
  });
  afterAll(async () => {
    await browser?.close();
    await t?.cleanup();
  });

  it('signs in without leaving the secret anywhere the page can read', async () => {
    await page.goto(`${t.endpoint}/_sklad/console/`);
    await page.getByRole('heading', { name: 'Sign in to sklad' }).waitFor();
    await expectAccessible(page, 'the sign-in form');
    await shot(page, 'sign-in');
    await page.getByLabel('Access key', { exact: true }).fill(ACCESS_KEY);
    await page.getByLabel('Secret key', { exact: true }).fill('wrong-secret');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not correct');
    await signIn(page, t.endpoint, ACCESS_KEY, SECRET_KEY);
    expect(await page.getByTestId('who').textContent()).toBe('root');
    const stored = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
    expect(stored).not.toContain(SECRET_KEY);
    expect(stored).not.toContain('sklad_session');
    const cookies = await rootContext.cookies();
    expect(cookies.find((c) => c.name === 'sklad_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('creates a bucket', async () => {
    await page.getByLabel('Bucket', { exact: true }).fill('photos');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('link', { name: 'photos', exact: true }).waitFor();
    await s3.send(new HeadBucketCommand({ Bucket: 'photos' }));
    await expectAccessible(page, 'the bucket list');
    await shot(page, 'buckets');
  });

  it('uploads a 20 MiB file as a multipart upload, showing its progress', async () => {
    await page.getByRole('link', { name: 'photos', exact: true }).click();
    await page.getByRole('heading', { name: 'photos' }).waitFor();
    const body = Buffer.alloc(20 * MiB);
    for (let i = 0; i < body.length; i += 4096) body.writeUInt32BE((i * 2654435761) >>> 0, i);
    // Upload bandwidth is limited so progress is visible between the start and the end.
    const cdp = await rootContext.newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 40 * MiB });
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      const timer = setInterval(() => {
        const bar = document.querySelector('progress');
        if (bar) seen.push(bar.value / bar.max);
        if (seen.length > 2000) clearInterval(timer);
      }, 10);
    });
    // A file on disk is handed to the browser by path; a buffer would cross the DevTools protocol as base64.
    const folder = await mkdtemp(path.join(tmpdir(), 'sklad-console-upload-'));
    const file = path.join(folder, 'big.bin');
    await writeFile(file, body);
    try {
      await page.getByTestId('upload-files').setInputFiles(file);
      await page.locator('.uploads li[data-state=done]').waitFor({ timeout: 50_000 });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    expect(seen.some((f) => f > 0.05 && f < 0.95), `progress values seen: ${seen.slice(0, 20).join(',')}…`).toBe(true);
    const stored = await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'big.bin' }));
    const bytes = await stored.Body!.transformToByteArray();
    expect(bytes.length).toBe(body.length);
    expect(sha256(bytes)).toBe(sha256(body));
    // Three 8 MiB parts: a multipart ETag.
    expect(stored.ETag).toMatch(/-3"$/);
    await page.getByRole('cell', { name: 'big.bin', exact: true }).waitFor();
  }, 60_000);

  it('resumes a multipart upload after a page reload, sending only the missing parts', async () => {
    // 16 MiB + 1 byte: two 8 MiB parts and a one-byte third that finishes at once.
    const body = Buffer.alloc(16 * MiB + 1, 0x5a);
    const folder = await mkdtemp(path.join(tmpdir(), 'sklad-console-resume-'));
    const file = path.join(folder, 'resume.bin');
    await writeFile(file, body);
    const cdp = await rootContext.newCDPSession(page);
    try {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 2 * MiB });
      await page.getByTestId('upload-files').setInputFiles(file);
      let uploadId = '';
      await expect
        .poll(async () => {
          const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'photos' }));
          uploadId = uploads.Uploads?.find((u) => u.Key === 'resume.bin')?.UploadId ?? '';
          if (uploadId === '') return 0;
          return (await s3.send(new ListPartsCommand({ Bucket: 'photos', Key: 'resume.bin', UploadId: uploadId }))).Parts?.length ?? 0;
        }, { timeout: 10_000 })
        .toBe(1);
      await page.reload();
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      // The interrupted upload is listed, and picking the same file again continues it.
      await page.getByRole('region', { name: 'Incomplete multipart uploads' }).getByText('resume.bin').waitFor();
      const sent: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/api/s3/photos/resume.bin')) sent.push(`${r.method()} ${new URL(r.url()).search}`);
      });
      await page.getByTestId('upload-files').setInputFiles(file);
      await page.locator('.uploads li[data-state=done]').waitFor({ timeout: 30_000 });
      expect(sent.filter((r) => r.startsWith('PUT ')).map((r) => /partNumber=(\d+)/.exec(r)?.[1]).sort()).toEqual(['1', '2']);
      expect(sent.some((r) => r.startsWith('POST ?uploads'))).toBe(false);
      expect(sent.some((r) => r.includes(`uploadId=${encodeURIComponent(uploadId)}`))).toBe(true);
      const stored = await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'resume.bin' }));
      expect(sha256(await stored.Body!.transformToByteArray())).toBe(sha256(body));
      // An abandoned upload is listed after a reload and can be aborted from the page.
      const abandoned = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'photos', Key: 'abandoned.bin' }));
      await page.reload();
      const incomplete = page.getByRole('region', { name: 'Incomplete multipart uploads' });
      await incomplete.getByRole('listitem').filter({ hasText: 'abandoned.bin' }).getByRole('button', { name: 'Abort' }).click();
      await expect
        .poll(async () => (await s3.send(new ListMultipartUploadsCommand({ Bucket: 'photos' }))).Uploads?.some((u) => u.UploadId === abandoned.UploadId) ?? false)
        .toBe(false);
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 }).catch(() => {});
      await rm(folder, { recursive: true, force: true });
    }
  }, 60_000);

  it('uploads a whole folder, keeping its structure in the keys', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'sklad-console-folder-'));
    const root = path.join(folder, 'album');
    await mkdir(path.join(root, 'day1'), { recursive: true });
    await writeFile(path.join(root, 'cover.txt'), 'cover');
    await writeFile(path.join(root, 'day1', 'note.txt'), 'note');
    try {
      await page.getByTestId('upload-folder').setInputFiles(root);
      await expect.poll(() => page.locator('.uploads li[data-state=done]').getByText(/^album\//).count()).toBe(2);
      const note = await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'album/day1/note.txt' }));
      expect(await note.Body!.transformToString()).toBe('note');
      await page.getByRole('link', { name: /album\// }).waitFor();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('browses folders, searches by prefix and previews text and JSON, never HTML', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'docs/readme.txt', Body: 'read me', ContentType: 'text/plain' }));
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'docs/data.json', Body: '{"a":[1,2]}', ContentType: 'application/json' }));
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'docs/page.html', Body: '<h1 id="injected">x</h1>', ContentType: 'text/html' }));
    await page.reload();
    await page.getByRole('link', { name: /docs\// }).click();
    await page.getByRole('button', { name: 'readme.txt' }).waitFor();
    await page.getByLabel('Search by prefix').fill('da');
    await expect.poll(() => page.locator('table.objects tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'data.json' }).click();
    await page.getByRole('button', { name: 'Preview' }).click();
    expect(await page.locator('pre.preview').textContent()).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    await expectAccessible(page, 'the object browser with details');
    await shot(page, 'objects');
    await page.getByLabel('Search by prefix').fill('');
    await page.getByRole('button', { name: 'page.html' }).click();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByText('is not previewed here').waitFor();
    expect(await page.locator('#injected').count()).toBe(0);
    expect(await page.locator('iframe, .preview').count()).toBe(0);
  });

  it('makes a share link that works without signing in', async () => {
    await page.getByRole('button', { name: 'readme.txt' }).click();
    await page.getByLabel('Link valid for').selectOption({ label: '7 days' });
    await page.getByRole('button', { name: 'Create share link' }).click();
    const url = await page.getByLabel(/Share link/).inputValue();
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('604800');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('read me');
  });

  it('sets access presets that anonymous clients feel at once', async () => {
    const object = `${t.endpoint}/photos/docs/readme.txt`;
    const listing = `${t.endpoint}/photos?list-type=2`;
    expect(await anonymousStatus(object)).toBe(403);
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByLabel(/^Public read/).check();
    await expect.poll(() => anonymousStatus(object)).toBe(200);
    expect(await anonymousStatus(listing)).toBe(403);
    await page.getByLabel(/^Public list and read/).check();
    await expect.poll(() => anonymousStatus(listing)).toBe(200);
    const policy = await s3.send(new GetBucketPolicyCommand({ Bucket: 'photos' }));
    expect(JSON.parse(policy.Policy!).Statement).toHaveLength(2);
    await expectAccessible(page, 'bucket settings');
    await shot(page, 'bucket-settings');
    await page.getByLabel('Private', { exact: true }).check();
    await expect.poll(() => anonymousStatus(object)).toBe(403);
  });

  it('creates a user with a key shown once and a read-only policy', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('User name').fill('alice');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'User alice' }).waitFor();
    await page.getByRole('button', { name: 'Create access key' }).click();
    alice.accessKey = (await page.getByTestId('new-access-key').textContent())!;
    alice.secret = (await page.getByTestId('new-secret-key').textContent())!;
    expect(alice.secret).toMatch(/^\S{30,}$/);
    await expectAccessible(page, 'users and keys');
    await shot(page, 'users');
    await page.getByRole('button', { name: 'I have saved it' }).click();
    expect(await page.getByText(alice.secret).count()).toBe(0);
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'SeeBuckets', Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' },
        { Sid: 'ListPhotos', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::photos' },
        { Sid: 'ReadPhotos', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' },
      ],
    };
    await page.getByLabel('Identity policy (JSON)').fill('{ not json');
    await page.getByText('Not valid JSON').waitFor();
    await page.getByLabel('Identity policy (JSON)').fill(JSON.stringify(policy));
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => page.getByLabel('Identity policy (JSON)').inputValue()).toContain('"Sid": "ReadPhotos"');
  });

  it("shows the user exactly its limits in its own browser context", async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const other = await context.newPage();
    const otherProblems = watchProblems(other);
    other.on('dialog', (d) => void d.accept());
    await signIn(other, t.endpoint, alice.accessKey, alice.secret);
    expect(await other.getByTestId('who').textContent()).toBe('alice');
    await other.getByRole('link', { name: 'photos', exact: true }).click();
    await other.getByRole('link', { name: /docs\// }).click();
    await other.getByRole('button', { name: 'readme.txt' }).waitFor();
    // Uploading is not allowed: the console says so.
    await other.getByTestId('upload-files').setInputFiles({ name: 'nope.txt', mimeType: 'text/plain', buffer: Buffer.from('no') });
    await other.locator('.uploads li[data-state=failed]').getByText('You are not allowed').waitFor();
    // Nor creating buckets, nor seeing users.
    await other.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Buckets' }).click();
    await other.getByLabel('Bucket', { exact: true }).fill('alices-own');
    await other.getByRole('button', { name: 'Create', exact: true }).click();
    await other.getByRole('alert').getByText('You are not allowed').waitFor();
    await other.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await other.getByRole('alert').getByText('You are not allowed').first().waitFor();
    await expectAccessible(other, 'a denied screen');
    // Disabling her key ends her session: her next request shows the sign-in form.
    await page.getByRole('link', { name: 'alice' }).click();
    await page.getByRole('row', { name: new RegExp(alice.accessKey) }).getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('row', { name: new RegExp(alice.accessKey) }).getByText('Disabled').waitFor();
    await other.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Buckets' }).click();
    await other.getByRole('heading', { name: 'Sign in to sklad' }).waitFor();
    expect(otherProblems).toEqual([]);
    await context.close();
  });

  it('answers "can this user do this?" with the deciding statement', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access check' }).click();
    await page.getByLabel('User', { exact: true }).selectOption('alice');
    await page.getByLabel('Action').fill('s3:GetObject');
    await page.getByLabel('Bucket', { exact: true }).fill('photos');
    await page.getByLabel('Object key (optional)').fill('docs/readme.txt');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => page.getByTestId('verdict').textContent()).toContain('Allowed');
    expect(await page.getByTestId('verdict').textContent()).toContain('statement 3 (Sid ReadPhotos)');
    await shot(page, 'access-check');
    await page.getByLabel('Action').fill('s3:PutObject');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => page.getByTestId('verdict').textContent()).toContain('Denied');
    expect(await page.getByTestId('verdict').textContent()).toContain('nothing allows it');
    await expectAccessible(page, 'the access check');
  });

  it('shows the server status and live charts from its own metrics', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Server' }).click();
    await page.getByText('0.1.0').or(page.getByText(/^\d+\.\d+\.\d+/)).first().waitFor();
    await page.getByText(/^Requests: /).waitFor();
    await page.getByText(/ free of /).waitFor();
    // Two snapshots make a rate: the charts draw once the second one is in.
    await expect.poll(() => page.locator('svg polyline').first().getAttribute('points'), { timeout: 8000 }).toMatch(/ /);
    await expectAccessible(page, 'server status');
    await shot(page, 'server');
  });

  it('shows requests as they happen and the audit log with its chain check', async () => {
    // Requests are collected while someone watches: from the view's first poll on.
    const firstPoll = page.waitForResponse((r) => r.url().includes('/_sklad/console/api/requests'));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Activity' }).click();
    await firstPoll;
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'while-watching.txt', Body: 'x' }));
    const row = page.getByTestId('live-requests').getByRole('row', { name: /photos\/while-watching\.txt/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('PutObject');
    expect(await row.textContent()).toContain('root');
    // Audit records reach the file within the sync interval (a second by default).
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        return page.getByTestId('audit-records').textContent();
      }, { timeout: 10_000 })
      .toContain('console:Login');
    await page.getByLabel('Action', { exact: true }).fill('CreateBucket');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // Root's bucket, and alice's refused attempt.
    await expect.poll(() => page.getByTestId('audit-records').locator('tbody tr').count()).toBe(2);
    const rows = await page.getByTestId('audit-records').locator('tbody tr').allTextContents();
    expect(rows.find((r) => r.includes('alice'))).toContain('Failure');
    expect(rows.find((r) => r.includes('root'))).toContain('Success');
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await expect.poll(() => page.getByTestId('chain').textContent()).toContain('The hash chain is intact');
    await expectAccessible(page, 'activity and audit log');
    await shot(page, 'activity', false);
  });

  it('signs out: the session is gone', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to sklad' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/_sklad/console/api/session')).status);
    expect(status).toBe(401);
    expect(problems).toEqual([]);
  });

  it('speaks Russian, remembers the choice, and formats plurals with Intl', async () => {
    const context = await browser.newContext({ locale: 'ru-RU' });
    const ru = await context.newPage();
    const ruProblems = watchProblems(ru);
    await ru.goto(`${t.endpoint}/_sklad/console/`);
    await ru.getByRole('heading', { name: 'Вход в sklad' }).waitFor();
    expect(await ru.evaluate(() => document.documentElement.lang)).toBe('ru');
    await signIn(ru, t.endpoint, ACCESS_KEY, SECRET_KEY, { key: 'Ключ доступа', secret: 'Секретный ключ', button: 'Войти' });
    await ru.getByRole('heading', { name: 'Бакеты' }).waitFor();
    expect(await ru.locator('caption').textContent()).toBe('1 бакет');
    await ru.getByLabel('Бакет', { exact: true }).fill('vtoroy');
    await ru.getByRole('button', { name: 'Создать', exact: true }).click();
    await expect.poll(() => ru.locator('caption').textContent()).toBe('2 бакета');
    await expectAccessible(ru, 'the bucket list in Russian');
    await shot(ru, 'buckets-ru');
    await ru.getByLabel('Язык').selectOption('en');
    await ru.getByRole('heading', { name: 'Buckets' }).waitFor();
    await ru.reload();
    await ru.getByRole('heading', { name: 'Buckets' }).waitFor();
    expect(await ru.locator('caption').textContent()).toBe('2 buckets');
    expect(ruProblems).toEqual([]);
    await context.close();
  });
});
