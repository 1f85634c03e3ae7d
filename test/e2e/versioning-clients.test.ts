// Versioned and locked buckets through the tools people use with them: the aws cli's s3api, rclone with
// --s3-versions, and restic backing up into a bucket with a COMPLIANCE default retention.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand, DeleteObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand,
  PutObjectLockConfigurationCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { ACCESS_KEY, REGION, SECRET_KEY, startTestServer, type TestServer } from '../support/server.js';
import { fileURLToPath } from 'node:url';
import {
  boto3Python, isolatedAwsEnv, isolatedToolEnv, rcloneRemote, readTree, run, writeTree, type IsolatedAwsEnv, type IsolatedToolEnv, type RunResult,
} from '../support/external-clients.js';

const BOTO3 = fileURLToPath(new URL('./python/sklad_boto3.py', import.meta.url));

function ok(what: string, r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

let t: TestServer;
let s3: S3Client;
let aws: IsolatedAwsEnv;
let tools: IsolatedToolEnv;

beforeAll(async () => {
  t = await startTestServer();
  s3 = t.client();
  aws = await isolatedAwsEnv();
  tools = await isolatedToolEnv();
});
afterAll(async () => {
  await t?.cleanup();
  await aws?.cleanup();
  await tools?.cleanup();
});

describe('versioned buckets with real tools', { timeout: 120_000 }, () => {
  let oldVersion = '';
  let between = new Date();
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'tools' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'tools', VersioningConfiguration: { Status: 'Enabled' } }));
    oldVersion = (await s3.send(new PutObjectCommand({ Bucket: 'tools', Key: 'dir/report.txt', Body: 'first draft\n' }))).VersionId!;
    await s3.send(new PutObjectCommand({ Bucket: 'tools', Key: 'notes.txt', Body: 'notes one\n' }));
    // rclone tells versions apart by their modification times: leave a gap to point --s3-version-at into.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    between = new Date(Date.now() - 700);
    await s3.send(new PutObjectCommand({ Bucket: 'tools', Key: 'dir/report.txt', Body: 'final text\n' }));
    await s3.send(new PutObjectCommand({ Bucket: 'tools', Key: 'notes.txt', Body: 'notes two\n' }));
    await s3.send(new PutObjectCommand({ Bucket: 'tools', Key: 'gone.txt', Body: 'deleted later\n' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'tools', Key: 'gone.txt' }));
  });

  it('aws s3api list-object-versions and get-object --version-id', async () => {
    const cli = (args: string[]) => run('aws', ['--endpoint-url', t.endpoint, ...args], { env: aws.env(), cwd: aws.dir, timeoutMs: 60_000 });
    const listed = JSON.parse(ok('list-object-versions', await cli(['s3api', 'list-object-versions', '--bucket', 'tools', '--output', 'json'])).stdout);
    const report = listed.Versions.filter((v: { Key: string }) => v.Key === 'dir/report.txt');
    expect(report.map((v: { IsLatest: boolean }) => v.IsLatest)).toEqual([true, false]);
    expect(report[1].VersionId).toBe(oldVersion);
    expect(listed.DeleteMarkers.map((m: { Key: string }) => m.Key)).toEqual(['gone.txt']);
    const out = path.join(aws.dir, 'old.txt');
    const got = JSON.parse(ok('get-object', await cli(['s3api', 'get-object', '--bucket', 'tools', '--key', 'dir/report.txt', '--version-id', oldVersion, out])).stdout);
    expect(got.VersionId).toBe(oldVersion);
    expect((await readTree(aws.dir)).get('old.txt')?.toString()).toBe('first draft\n');
  });

  it('rclone --s3-versions lists and reads old versions', async () => {
    const env = rcloneRemote(tools, t.endpoint);
    await writeTree(tools.dir, { 'rclone.conf': '' });
    const rclone = (args: string[]) => run('rclone', args, { env, cwd: tools.dir, timeoutMs: 60_000 });
    const listing = ok('rclone lsf --s3-versions', await rclone(['lsf', '-R', '--files-only', '--s3-versions', 'sklad:tools'])).stdout.trim().split('\n').sort();
    // rclone names an old version "name-vYYYY-MM-DD-HHMMSS-000.ext".
    expect(listing).toContain('dir/report.txt');
    const old = listing.find((name) => /^dir\/report-v\d{4}-\d\d-\d\d-\d{6}-\d{3}\.txt$/.test(name));
    expect(old, listing.join('\n')).toBeDefined();
    const text = ok('rclone cat --s3-versions', await rclone(['cat', '--s3-versions', '--include', path.basename(old!), 'sklad:tools/dir'])).stdout;
    expect(text).toBe('first draft\n');
    const then = ok('rclone cat --s3-version-at', await rclone(['cat', '--s3-version-at', between.toISOString(), '--include', 'report.txt', 'sklad:tools/dir'])).stdout;
    expect(then).toBe('first draft\n');
    const copied = ok('rclone copy --s3-versions', await rclone(['copy', '--s3-versions', 'sklad:tools/dir', path.join(tools.dir, 'rclone-out')]));
    expect(copied.code).toBe(0);
    const local = await readTree(path.join(tools.dir, 'rclone-out'));
    expect(local.get(old!.slice('dir/'.length))?.toString()).toBe('first draft\n');
    expect(local.get('report.txt')?.toString()).toBe('final text\n');

    // The name carries the version's LastModified to the millisecond, as listed: that is how rclone finds it again.
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'tools', Prefix: 'notes.txt' }));
    const older = versions.Versions!.find((v) => !v.IsLatest)!;
    const stamp = older.LastModified!.toISOString().replace(/^(\d{4}-\d\d-\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})Z$/, '$1-$2$3$4-$5');
    const oldNotes = `notes-v${stamp}.txt`;
    expect(listing).toContain(oldNotes);
    // At the bucket's top level the versioned name addresses the version itself, for cat and copyto alike.
    expect(ok('rclone cat NAME-vTIME', await rclone(['cat', '--s3-versions', `sklad:tools/${oldNotes}`])).stdout).toBe('notes one\n');
    ok('rclone copyto NAME-vTIME', await rclone(['copyto', '--s3-versions', `sklad:tools/${oldNotes}`, path.join(tools.dir, 'notes-old.txt')]));
    expect((await readTree(tools.dir)).get('notes-old.txt')?.toString()).toBe('notes one\n');
    // Below a directory rclone 1.60 does not find a versioned name it is given (docs/s3-compatibility.md): a copy of
    // the directory filtered to that name is the way there.
    const picked = path.join(tools.dir, 'rclone-picked');
    ok('rclone copy --include NAME-vTIME', await rclone(['copy', '--s3-versions', '--include', path.basename(old!), 'sklad:tools/dir', picked]));
    expect([...(await readTree(picked))].map(([name, bytes]) => [name, bytes.toString()])).toEqual([[path.basename(old!), 'first draft\n']]);
  });
});

describe('versioning with boto3', { timeout: 60_000 }, () => {
  it('versions, delete markers, reads by id, Object Lock retention and a refused delete', async () => {
    const calls = [
      { op: 'create_bucket', params: { Bucket: 'boto-ver', ObjectLockEnabledForBucket: true } },
      { op: 'get_bucket_versioning', params: { Bucket: 'boto-ver' } },
      { op: 'put_object', params: { Bucket: 'boto-ver', Key: 'k', Body: 'one' } },
      { op: 'put_object', params: { Bucket: 'boto-ver', Key: 'k', Body: 'two', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(Date.now() + 86_400_000).toISOString() } },
      { op: 'delete_object', params: { Bucket: 'boto-ver', Key: 'k' } },
      { op: 'list_object_versions', params: { Bucket: 'boto-ver' } },
    ];
    const r = await run(boto3Python(), [BOTO3, 'batch', JSON.stringify({ calls })], { env: aws.env({ SKLAD_ENDPOINT: t.endpoint }), timeoutMs: 50_000 });
    ok('boto3 batch', r);
    const [created, versioning, one, two, marker, listed] = JSON.parse(r.stdout).results;
    expect(created._status).toBe(200);
    expect(versioning.Status).toBe('Enabled');
    expect(marker.DeleteMarker).toBe(true);
    expect(listed.Versions.map((v: { VersionId: string }) => v.VersionId)).toEqual([two.VersionId, one.VersionId]);
    expect(listed.DeleteMarkers[0]).toMatchObject({ Key: 'k', VersionId: marker.VersionId, IsLatest: true });

    const more = [
      { op: 'get_object', params: { Bucket: 'boto-ver', Key: 'k', VersionId: one.VersionId } },
      { op: 'get_object', params: { Bucket: 'boto-ver', Key: 'k' } },
      { op: 'get_object_retention', params: { Bucket: 'boto-ver', Key: 'k', VersionId: two.VersionId } },
      { op: 'delete_object', params: { Bucket: 'boto-ver', Key: 'k', VersionId: two.VersionId } },
      { op: 'delete_object', params: { Bucket: 'boto-ver', Key: 'k', VersionId: two.VersionId, BypassGovernanceRetention: true } },
    ];
    const r2 = await run(boto3Python(), [BOTO3, 'batch', JSON.stringify({ calls: more })], { env: aws.env({ SKLAD_ENDPOINT: t.endpoint }), timeoutMs: 50_000 });
    ok('boto3 batch', r2);
    const [old, current, retention, refused, bypassed] = JSON.parse(r2.stdout).results;
    expect(Buffer.from(old.Body.base64, 'base64').toString()).toBe('one');
    expect(current.error).toMatchObject({ code: 'NoSuchKey', status: 404 });
    expect(retention.Retention.Mode).toBe('GOVERNANCE');
    expect(refused.error).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(bypassed._status).toBe(204);
  });
});

describe('restic into a locked bucket', { timeout: 180_000 }, () => {
  it('backs up and restores with a COMPLIANCE default retention in force', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'restic-locked', ObjectLockEnabledForBucket: true }));
    await s3.send(new PutObjectLockConfigurationCommand({
      Bucket: 'restic-locked', ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } } },
    }));
    const source = path.join(tools.dir, 'restic-source');
    const data: Record<string, Buffer> = { 'a.txt': Buffer.from('alpha\n'), 'sub/b.bin': randomBytes(200_000) };
    await writeTree(source, data);
    const restic = (args: string[]) => run('restic', args, {
      env: tools.env({
        RESTIC_REPOSITORY: `s3:${t.endpoint}/restic-locked`,
        RESTIC_PASSWORD: 'correct horse battery staple',
        RESTIC_CACHE_DIR: path.join(tools.dir, 'restic-cache'),
        AWS_ACCESS_KEY_ID: ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY: SECRET_KEY,
        AWS_DEFAULT_REGION: REGION,
      }),
      cwd: tools.dir,
      timeoutMs: 120_000,
    });
    ok('restic init', await restic(['init']));
    ok('restic backup', await restic(['backup', source]));
    const target = path.join(tools.dir, 'restic-restored');
    ok('restic restore', await restic(['restore', 'latest', '--target', target]));
    const restored = await readTree(target);
    const a = [...restored].find(([k]) => k.endsWith('a.txt'));
    expect(a?.[1].toString()).toBe('alpha\n');
    // Every object restic wrote is a version under COMPLIANCE retention.
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'restic-locked' }));
    expect((versions.Versions ?? []).length).toBeGreaterThan(3);
    const first = versions.Versions![0]!;
    const refused = await s3.send(new DeleteObjectCommand({ Bucket: 'restic-locked', Key: first.Key, VersionId: first.VersionId })).then(() => 'deleted', (e: Error) => e.name);
    expect(refused).toBe('AccessDenied');
  });
});
