// The console's versioning, Object Lock, lifecycle and CORS screens in a real browser against the real server:
// every change made in the page is read back through the AWS SDK, a refused configuration shows the server's
// message, and axe checks each screen, in English and Russian.
// Page callbacks run in the browser: the DOM types describe them.
/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, watchProblems } from '../support/browser.js';
import { expectAccessible, shot, signIn } from '../support/console-page.js';
import { createUser } from '../support/users.js';
import { ACCESS_KEY, SECRET_KEY, startTestServer, type TestServer } from '../support/server.js';

const BUILT = new URL('../../dist/console/ui/index.html', import.meta.url);

describe('web console: versions, Object Lock, lifecycle and CORS in a browser', () => {
  let t: TestServer;
  let s3: S3Client;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  const openBucket = async (name: string, tab: 'Objects' | 'Settings'): Promise<void> => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Buckets' }).click();
    await page.getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { name }).waitFor();
    await page.getByRole('tab', { name: tab }).click();
  };
  const createBucket = async (name: string, objectLock = false): Promise<void> => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Buckets' }).click();
    await page.getByRole('heading', { name: 'Buckets', exact: true }).waitFor();
    await page.getByLabel('Bucket', { exact: true }).fill(name);
    if (objectLock) await page.getByLabel('with Object Lock').check();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('link', { name, exact: true }).waitFor();
  };
  const text = async (bucket: string, key: string, versionId?: string): Promise<string> =>
    (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }))).Body!.transformToString();

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error('The console is not built: run `npm run build` first.');
    t = await startTestServer();
    s3 = t.client();
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-US', acceptDownloads: false });
    page = await context.newPage();
    problems = watchProblems(page);
    page.on('dialog', (d) => void d.accept());
    await signIn(page, t.endpoint, ACCESS_KEY, SECRET_KEY);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.cleanup();
  });

  it('enables versioning, and offers Suspend but never "off" afterwards', async () => {
    await createBucket('history');
    await openBucket('history', 'Settings');
    expect(await page.getByTestId('versioning-status').textContent()).toContain('Never enabled');
    await page.getByRole('button', { name: 'Enable versioning' }).click();
    await expect.poll(() => page.getByTestId('versioning-status').textContent()).toContain('Enabled');
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'history' }))).Status).toBe('Enabled');
    await page.getByRole('button', { name: 'Suspend versioning' }).waitFor();
    expect(await page.getByRole('button', { name: 'Enable versioning' }).count()).toBe(0);
    await expectAccessible(page, 'bucket settings with versioning');
  });

  it('uploads a key twice, lists both versions, downloads the older and makes it current again', async () => {
    await openBucket('history', 'Objects');
    await page.getByTestId('upload-files').setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('first words') });
    await page.getByRole('button', { name: 'note.txt' }).waitFor();
    await page.getByTestId('upload-files').setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('second thoughts') });
    await expect.poll(async () => (await s3.send(new ListObjectVersionsCommand({ Bucket: 'history' }))).Versions?.length ?? 0).toBe(2);
    await page.getByRole('button', { name: 'note.txt' }).click();
    const rows = page.getByTestId('versions').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.first().textContent()).toContain('current');
    // The older version's download link gives the older bytes.
    const href = await rows.nth(1).getByRole('link', { name: 'Download' }).getAttribute('href');
    expect(await page.evaluate(async (url) => (await fetch(url!)).text(), href)).toBe('first words');
    await expectAccessible(page, 'an object with its versions');
    await shot(page, 'versions');
    await rows.nth(1).getByRole('button', { name: 'Make current' }).click();
    await expect.poll(() => rows.count()).toBe(3);
    expect(await text('history', 'note.txt')).toBe('first words');
    // Deleting the newest version brings the one before it back.
    const newest = (await rows.first().locator('code').textContent())!;
    await rows.first().getByRole('button', { name: `Delete version ${newest}` }).click();
    await expect.poll(() => rows.count()).toBe(2);
    expect(await text('history', 'note.txt')).toBe('second thoughts');
  });

  it('adds, edits and deletes lifecycle rules, and shows the server’s refusal plainly', async () => {
    await openBucket('history', 'Settings');
    const section = page.getByRole('region', { name: 'Lifecycle rules' });
    await section.getByRole('button', { name: 'Add a rule' }).click();
    await section.getByLabel('Rule ID').fill('logs');
    await section.getByLabel('Prefix').fill('logs/');
    await section.getByLabel(/^Tags/).fill('kind=debug');
    await section.getByLabel('Expire current objects after (days)').fill('30');
    await section.getByLabel('Delete noncurrent versions after (days)').fill('7');
    await section.getByLabel('Abort incomplete uploads after (days)').fill('2');
    // S3 refuses to abort uploads by tag (uploads have none), and the page says so in the server's words.
    await section.getByRole('button', { name: 'Save rule' }).click();
    await expect.poll(() => section.getByRole('alert').textContent()).toContain('AbortIncompleteMultipartUpload cannot be specified with Tags');
    await section.getByLabel('Abort incomplete uploads after (days)').fill('');
    await section.getByRole('button', { name: 'Save rule' }).click();
    await section.getByRole('cell', { name: 'logs', exact: true }).waitFor();
    const [rule] = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'history' }))).Rules!;
    expect(rule).toMatchObject({
      ID: 'logs',
      Status: 'Enabled',
      Filter: { And: { Prefix: 'logs/', Tags: [{ Key: 'kind', Value: 'debug' }] } },
      Expiration: { Days: 30 },
      NoncurrentVersionExpiration: { NoncurrentDays: 7 },
    });
    expect(rule!.AbortIncompleteMultipartUpload).toBeUndefined();
    // A second rule for uploads of the whole bucket.
    await section.getByRole('button', { name: 'Add a rule' }).click();
    await section.getByLabel('Rule ID').fill('uploads');
    await section.getByLabel('Abort incomplete uploads after (days)').fill('2');
    await section.getByRole('button', { name: 'Save rule' }).click();
    await section.getByRole('cell', { name: 'uploads', exact: true }).waitFor();
    expect((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'history' }))).Rules![1]).toMatchObject({
      ID: 'uploads',
      Filter: { Prefix: '' },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
    });
    await section.getByRole('button', { name: 'Edit logs' }).click();
    await section.getByLabel('Expire current objects after (days)').fill('90');
    await section.getByRole('button', { name: 'Save rule' }).click();
    await expect.poll(async () => (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'history' }))).Rules![0]!.Expiration?.Days).toBe(90);
    await expectAccessible(page, 'the lifecycle rules');
    await section.getByRole('button', { name: 'Delete logs' }).click();
    await expect.poll(async () => (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'history' }))).Rules!.map((r) => r.ID)).toEqual(['uploads']);
    await section.getByRole('button', { name: 'Delete uploads' }).click();
    await section.getByText('No rules yet.').waitFor();
    await expect(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'history' }))).rejects.toThrow(/NoSuchLifecycleConfiguration|lifecycle/i);
  });

  it('adds a CORS rule in the form and edits the rules as JSON', async () => {
    const section = page.getByRole('region', { name: 'CORS' });
    await section.getByRole('button', { name: 'Add a CORS rule' }).click();
    await section.getByLabel('Rule ID').fill('app');
    await section.getByLabel(/^Allowed origins/).fill('https://app.example.com');
    await section.getByLabel('PUT').check();
    await section.getByLabel('Allowed request headers').fill('*');
    await section.getByLabel('Preflight cache (seconds)').fill('600');
    await section.getByRole('button', { name: 'Save rule' }).click();
    await section.getByRole('cell', { name: 'app', exact: true }).waitFor();
    expect((await s3.send(new GetBucketCorsCommand({ Bucket: 'history' }))).CORSRules).toEqual([
      { ID: 'app', AllowedOrigins: ['https://app.example.com'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'], MaxAgeSeconds: 600 },
    ]);
    await section.getByLabel('Edit as JSON').check();
    const json = section.getByLabel(/^CORS rules \(JSON/);
    const doc = JSON.parse(await json.inputValue()) as { CORSRules: { AllowedOrigins: string[] }[] };
    doc.CORSRules[0]!.AllowedOrigins.push('https://admin.example.com');
    await json.fill(JSON.stringify(doc));
    await section.getByRole('button', { name: 'Save CORS rules' }).click();
    await expect
      .poll(async () => (await s3.send(new GetBucketCorsCommand({ Bucket: 'history' }))).CORSRules?.[0]?.AllowedOrigins)
      .toEqual(['https://app.example.com', 'https://admin.example.com']);
    await expectAccessible(page, 'the CORS rules');
    await shot(page, 'bucket-features');
  });

  it('creates a bucket with Object Lock, sets its default retention, and a version’s legal hold and retention', async () => {
    await createBucket('vault', true);
    await openBucket('vault', 'Settings');
    const lock = page.getByRole('region', { name: 'Object Lock' });
    await lock.getByText('Object Lock is enabled').waitFor();
    await lock.getByLabel('Default retention of new versions').selectOption('GOVERNANCE');
    await lock.getByLabel('Period').fill('1');
    await lock.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => (await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'vault' }))).ObjectLockConfiguration?.Rule?.DefaultRetention)
      .toEqual({ Mode: 'GOVERNANCE', Days: 1 });
    await expectAccessible(page, 'Object Lock settings');

    const put = await s3.send(new PutObjectCommand({ Bucket: 'vault', Key: 'contract.pdf', Body: 'signed' }));
    await openBucket('vault', 'Objects');
    await page.getByRole('button', { name: 'contract.pdf' }).click();
    const held = page.getByTestId('version-lock');
    await held.getByLabel('Legal hold').check();
    await expect.poll(async () => (await s3.send(new GetObjectLegalHoldCommand({ Bucket: 'vault', Key: 'contract.pdf', VersionId: put.VersionId }))).LegalHold?.Status).toBe('ON');
    // The default retention applied; extend it by a year.
    await expect.poll(() => held.textContent()).toContain('GOVERNANCE');
    const until = new Date(Date.now() + 366 * 86_400_000);
    const local = new Date(until.getTime() - until.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await held.getByLabel('Retain until').fill(local);
    await held.getByRole('button', { name: 'Set retention' }).click();
    await expect
      .poll(async () => (await s3.send(new GetObjectRetentionCommand({ Bucket: 'vault', Key: 'contract.pdf', VersionId: put.VersionId }))).Retention?.RetainUntilDate?.getTime())
      .toBeGreaterThan(Date.now() + 360 * 86_400_000);
    await expectAccessible(page, 'a version’s retention and legal hold');
    await shot(page, 'retention');
    // Shortening GOVERNANCE retention is refused without the bypass, and done with it (root may bypass).
    const soon = new Date(Date.now() + 2 * 86_400_000);
    await held.getByLabel('Retain until').fill(new Date(soon.getTime() - soon.getTimezoneOffset() * 60_000).toISOString().slice(0, 16));
    await held.getByRole('button', { name: 'Set retention' }).click();
    await held.getByRole('alert').waitFor();
    await held.getByLabel(/^Bypass governance retention/).check();
    await held.getByRole('button', { name: 'Set retention' }).click();
    await expect
      .poll(async () => (await s3.send(new GetObjectRetentionCommand({ Bucket: 'vault', Key: 'contract.pdf', VersionId: put.VersionId }))).Retention?.RetainUntilDate?.getTime())
      .toBeLessThan(Date.now() + 3 * 86_400_000);
    // Deleting a held version is refused, and the page says so.
    const row = page.getByTestId('versions').locator('tbody tr').first();
    await row.getByRole('button', { name: /^Delete version/ }).click();
    await page.getByRole('alert').first().waitFor();
    expect(await page.getByTestId('versions').locator('tbody tr').count()).toBe(1);
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: 'vault', Key: 'contract.pdf', VersionId: put.VersionId, LegalHold: { Status: 'OFF' } }));
  });

  it('answers "can this user do this?" under the request facts given', async () => {
    await createUser(t, 'office', {
      Version: '2012-10-17',
      Statement: [{ Sid: 'FromOffice', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::history/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }],
    });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access check' }).click();
    await page.getByLabel('User', { exact: true }).selectOption('office');
    await page.getByLabel('Action').fill('s3:GetObject');
    await page.getByLabel('Bucket', { exact: true }).fill('history');
    await page.getByLabel('Object key (optional)').fill('note.txt');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => page.getByTestId('verdict').textContent()).toContain('Denied');
    await page.getByLabel('aws:SourceIp').fill('10.20.30.40');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => page.getByTestId('verdict').textContent()).toContain('Allowed');
    expect(await page.getByTestId('verdict').textContent()).toContain('Sid FromOffice');
    expect(await page.getByTestId('verdict').textContent()).toContain('aws:SourceIp=10.20.30.40');
    await page.getByLabel('aws:SourceIp').fill('not an address');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('aws:SourceIp must be an IPv4 or IPv6 address');
    await expectAccessible(page, 'the access check with request facts');
    await shot(page, 'access-check-facts');
  });

  it('shows the new screens in Russian, accessibly', async () => {
    const ruContext = await browser.newContext({ locale: 'ru-RU' });
    const ru = await ruContext.newPage();
    const ruProblems = watchProblems(ru);
    await signIn(ru, t.endpoint, ACCESS_KEY, SECRET_KEY, { key: 'Ключ доступа', secret: 'Секретный ключ', button: 'Войти' });
    await ru.getByRole('link', { name: 'vault', exact: true }).click();
    await ru.getByRole('tab', { name: 'Настройки' }).click();
    await ru.getByText('Блокировка объектов включена').waitFor();
    await ru.getByRole('button', { name: 'Приостановить версионирование' }).waitFor();
    await expectAccessible(ru, 'bucket settings in Russian');
    expect(ruProblems).toEqual([]);
    await ruContext.close();
    expect(problems).toEqual([]);
  });
});
