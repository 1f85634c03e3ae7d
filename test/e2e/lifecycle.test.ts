// Lifecycle configuration and enforcement against the real server with a one-second lifecycle "day"
// (--lifecycle-day-seconds 1): S3's validation answers, x-amz-expiration, and rules of every supported kind
// deleting exactly what they should, counted in metrics and recorded in the audit log.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, UploadPartCommand, DeleteBucketLifecycleCommand, GetBucketLifecycleConfigurationCommand, GetObjectCommand,
  HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, ListObjectVersionsCommand, PutObjectLegalHoldCommand, DeleteObjectCommand, PutBucketLifecycleConfigurationCommand, PutObjectCommand, S3Client,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { expectS3Error, s3Error } from '../support/s3-error.js';

let t: TestServer;
let s3: S3Client;
beforeAll(async () => {
  t = await startTestServer({ env: { SKLAD_LIFECYCLE_DAY_SECONDS: '1', SKLAD_METRICS_PUBLIC: 'true' } });
  s3 = t.client();
});
afterAll(() => t.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const put = (Bucket: string, rules: LifecycleRule[]) => s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: rules } }));

async function keysOf(Bucket: string): Promise<string[]> {
  return ((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((o) => o.Key!);
}

describe('lifecycle configuration', () => {
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'config' }));
  });

  it('is absent until put, reads back as put, and is deleted', async () => {
    await expectS3Error(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'config' })), 'NoSuchLifecycleConfiguration', 404);
    const rules: LifecycleRule[] = [
      { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
      {
        ID: 'and', Status: 'Disabled',
        Filter: { And: { Prefix: 'a/', Tags: [{ Key: 'k', Value: 'v' }, { Key: 'j', Value: '' }], ObjectSizeGreaterThan: 10, ObjectSizeLessThan: 1000 } },
        Expiration: { Date: new Date('2030-01-01T00:00:00Z') }, NoncurrentVersionExpiration: { NoncurrentDays: 5, NewerNoncurrentVersions: 2 },
      },
      { ID: 'tag', Status: 'Enabled', Filter: { Tag: { Key: 'class', Value: 'tmp' } }, Expiration: { Days: 1 } },
      { ID: 'size', Status: 'Enabled', Filter: { ObjectSizeGreaterThan: 1024 }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } },
      { ID: 'markers', Status: 'Enabled', Filter: {}, Expiration: { ExpiredObjectDeleteMarker: true } },
    ];
    const answer = await put('config', rules);
    expect(answer.TransitionDefaultMinimumObjectSize).toBe('all_storage_classes_128K');
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'config' }));
    expect(got.Rules).toEqual(rules);
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: 'config' }));
    await expectS3Error(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'config' })), 'NoSuchLifecycleConfiguration', 404);
  });

  it('keeps the old rule-level Prefix form, and gives a rule without an ID one', async () => {
    await put('config', [{ Prefix: 'old/', Status: 'Enabled', Expiration: { Days: 3 } }, { ID: 'two', Prefix: 'other/', Status: 'Disabled', Expiration: { Days: 4 } }]);
    const got = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'config' }))).Rules!;
    expect(got[0]).toMatchObject({ Prefix: 'old/', Status: 'Enabled', Expiration: { Days: 3 } });
    expect(got[0]!.ID).toMatch(/^\S{8,255}$/);
    expect(got[0]!.Filter).toBeUndefined();
    expect(got[1]).toEqual({ ID: 'two', Prefix: 'other/', Status: 'Disabled', Expiration: { Days: 4 } });
  });

  it('refuses what S3 refuses, with its codes and messages', async () => {
    const refused = async (rules: LifecycleRule[], code: string, message?: string | RegExp) => {
      const e = await s3Error(put('config', rules));
      expect(e.name, e.message).toBe(code);
      expect(e.status).toBe(400);
      if (message !== undefined) expect(e.message).toMatch(message);
    };
    const rule = (extra: Partial<LifecycleRule>): LifecycleRule => ({ ID: 'r', Status: 'Enabled', Filter: { Prefix: 'p/' }, Expiration: { Days: 1 }, ...extra });
    await refused([rule({ Expiration: { Days: 0 } })], 'InvalidArgument', "'Days' for Expiration action must be a positive integer");
    await refused([rule({}), rule({ Filter: { Prefix: 'q/' } })], 'InvalidArgument', 'Rule ID must be unique. Found same ID for more than one rule');
    await refused([rule({ ID: 'x'.repeat(256) })], 'InvalidArgument', 'ID length should not exceed allowed limit of 255');
    await refused([rule({ Status: 'enabled' as never })], 'MalformedXML');
    await refused([rule({ Expiration: { Date: new Date('2030-01-01T12:00:00Z') } })], 'InvalidArgument', "'Date' must be at midnight GMT");
    await refused([rule({ Expiration: { Days: 1, ExpiredObjectDeleteMarker: true } })], 'MalformedXML');
    await refused([rule({ Expiration: undefined })], 'InvalidRequest', 'At least one action needs to be specified in a rule');
    await refused([rule({ Expiration: undefined, NoncurrentVersionExpiration: { NoncurrentDays: 0 } })], 'InvalidArgument', "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
    await refused([rule({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 0 } })], 'InvalidArgument', /DaysAfterInitiation/);
    await refused([rule({ Filter: { Tag: { Key: 'k', Value: 'v' } }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })], 'InvalidRequest', 'AbortIncompleteMultipartUpload cannot be specified with Tags.');
    await refused([rule({ Filter: { ObjectSizeGreaterThan: 5 }, Expiration: { ExpiredObjectDeleteMarker: true } })], 'InvalidRequest', 'ExpiredObjectDeleteMarker cannot be specified with Object Size.');
    await refused([rule({ Filter: { And: { ObjectSizeGreaterThan: 100, ObjectSizeLessThan: 100 } } })], 'InvalidRequest', "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.");
    await refused([rule({ Filter: { And: { Tags: [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }] } } })], 'InvalidRequest', 'Duplicate Tag Keys are not allowed.');
    await refused([rule({ Filter: undefined, Prefix: 'x' }), rule({ ID: 's' })], 'InvalidRequest', 'Filter element can only be used in Lifecycle V2.');
    await refused([rule({ Prefix: 'x' })], 'MalformedXML');
    await refused([{ ID: 'a', Status: 'Enabled', Prefix: 'a', Expiration: { Days: 1 } }, { ID: 'b', Status: 'Enabled', Prefix: 'ab', Expiration: { Days: 2 } }],
      'InvalidRequest', "Found overlapping prefixes 'a' and 'ab' for same action type 'Expiration'");
    // One storage tier: a transition is refused outright, never silently accepted.
    await refused([rule({ Transitions: [{ Days: 30, StorageClass: 'GLACIER' }] })], 'InvalidRequest', /not supported.*one storage class/);
    await refused([rule({ NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: 'STANDARD_IA' }] })], 'InvalidRequest', /not supported/);
    // Nothing refused was stored.
    const got = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'config' }))).Rules!;
    expect(got.map((r) => r.ID)).toContain('two');
  });
});

describe('x-amz-expiration', () => {
  it('reports the earliest rule that expires the object on PUT, HEAD and GET', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'headers' }));
    await put('headers', [
      { ID: 'slow', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 5000 } },
      { ID: 'fast "one"', Status: 'Enabled', Filter: { And: { Prefix: 'logs/', Tags: [{ Key: 'short', Value: 'yes' }] } }, Expiration: { Days: 1000 } },
      { ID: 'off', Status: 'Disabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 10 } },
      { ID: 'dated', Status: 'Enabled', Filter: { Prefix: 'dated/' }, Expiration: { Date: new Date('2100-01-01T00:00:00Z') } },
    ]);
    const parse = (header: string | undefined) => {
      const m = /^expiry-date="([^"]+)", rule-id="(.*)"$/.exec(header ?? '');
      expect(m, header).not.toBeNull();
      return { at: new Date(m![1]!).getTime(), rule: m![2] };
    };
    const before = Math.floor(Date.now() / 1000) * 1000;
    const written = await s3.send(new PutObjectCommand({ Bucket: 'headers', Key: 'logs/a', Body: 'x', Tagging: 'short=yes' }));
    const after = Math.ceil(Date.now() / 1000) * 1000;
    const expiry = parse(written.Expiration);
    expect(expiry.rule).toBe('fast "one"');
    // A day is one second here: creation plus 1000 days, rounded up to the next day boundary.
    expect(expiry.at).toBeGreaterThanOrEqual(before + 1_000_000);
    expect(expiry.at).toBeLessThanOrEqual(after + 1_000_000);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'headers', Key: 'logs/a' }));
    expect(parse(head.Expiration)).toEqual(expiry);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'headers', Key: 'logs/a' }));
    await got.Body!.transformToString();
    expect(parse(got.Expiration)).toEqual(expiry);

    expect(parse((await s3.send(new PutObjectCommand({ Bucket: 'headers', Key: 'logs/b', Body: 'x' }))).Expiration).rule).toBe('slow');
    // CopyObject and CompleteMultipartUpload report it for the object they make.
    const copied = await s3.send(new CopyObjectCommand({ Bucket: 'headers', Key: 'logs/copy', CopySource: 'headers/logs/a', TaggingDirective: 'COPY' }));
    expect(parse(copied.Expiration).rule).toBe('fast "one"');
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'headers', Key: 'logs/multi' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'headers', Key: 'logs/multi', UploadId, PartNumber: 1, Body: 'part' }));
    const completed = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'headers', Key: 'logs/multi', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    expect(parse(completed.Expiration).rule).toBe('slow');
    const dated = await s3.send(new PutObjectCommand({ Bucket: 'headers', Key: 'dated/a', Body: 'x' }));
    expect(dated.Expiration).toBe('expiry-date="Fri, 01 Jan 2100 00:00:00 GMT", rule-id="dated"');
    expect((await s3.send(new PutObjectCommand({ Bucket: 'headers', Key: 'elsewhere', Body: 'x' }))).Expiration).toBeUndefined();
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'headers', Key: 'elsewhere' }))).Expiration).toBeUndefined();
  });
});

describe('lifecycle enforcement with one-second days', () => {
  it('deletes exactly what rules of every supported kind select, and nothing else', async () => {
    const Bucket = 'enforced';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await put(Bucket, [
      { ID: 'prefix', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 2 } },
      { ID: 'tag', Status: 'Enabled', Filter: { Tag: { Key: 'class', Value: 'scratch' } }, Expiration: { Days: 1 } },
      { ID: 'big', Status: 'Enabled', Filter: { And: { Prefix: 'big/', ObjectSizeGreaterThan: 100 } }, Expiration: { Days: 1 } },
      { ID: 'small', Status: 'Enabled', Filter: { And: { Prefix: 'small/', ObjectSizeLessThan: 10 } }, Expiration: { Days: 1 } },
      { ID: 'disabled', Status: 'Disabled', Filter: { Prefix: 'keep/' }, Expiration: { Days: 1 } },
      { ID: 'past', Status: 'Enabled', Filter: { Prefix: 'dated/' }, Expiration: { Date: new Date('2020-01-01T00:00:00Z') } },
      { ID: 'future', Status: 'Enabled', Filter: { Prefix: 'future/' }, Expiration: { Date: new Date('2100-01-01T00:00:00Z') } },
      { ID: 'uploads', Status: 'Enabled', Filter: { Prefix: 'mpu/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
    ]);
    const objects: [string, string, string?][] = [
      ['tmp/a', 'x'], ['keep/a', 'x'], ['x/t', 'x', 'class=scratch'], ['x/u', 'x', 'class=other'],
      ['big/large', 'x'.repeat(200)], ['big/tiny', 'x'.repeat(10)], ['small/s', 'xyz'], ['small/l', 'x'.repeat(50)],
      ['dated/a', 'x'], ['future/a', 'x'], ['other/x', 'x'],
    ];
    for (const [Key, Body, Tagging] of objects) await s3.send(new PutObjectCommand({ Bucket, Key, Body, Tagging }));
    const doomed = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mpu/abandoned' }));
    const spared = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'other/upload' }));

    const survivors = ['big/tiny', 'future/a', 'keep/a', 'other/x', 'small/l', 'x/u'];
    let keys: string[] = [];
    for (let i = 0; i < 150; i++) {
      keys = await keysOf(Bucket);
      if (keys.length <= survivors.length) break;
      await sleep(100);
    }
    expect(keys).toEqual(survivors);
    // Several more days pass: what no enabled rule selects stays.
    await sleep(3000);
    expect(await keysOf(Bucket)).toEqual(survivors);
    const uploads = (await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads ?? [];
    expect(uploads.map((u) => u.UploadId)).toEqual([spared.UploadId]);
    expect(uploads.map((u) => u.UploadId)).not.toContain(doomed.UploadId);

    const metrics = await (await fetch(`${t.endpoint}/metrics`)).text();
    // A gateway over PostgreSQL labels every series with its id as well.
    expect(metrics).toMatch(/sklad_lifecycle_actions_total\{[^}]*action="expire_object"[^}]*\} 5\n/);
    expect(metrics).toMatch(/sklad_lifecycle_actions_total\{[^}]*action="abort_upload"[^}]*\} 1\n/);
    expect(metrics).toMatch(/sklad_lifecycle_last_pass_finished_timestamp_seconds(\{[^}]*\})? \d/);

    // Audit records reach the file within a moment of being queued.
    let records: { action: string; principal: unknown; key?: string; details?: { rule?: string } }[] = [];
    for (let i = 0; i < 50; i++) {
      const text = await readFile(path.join(t.auditDir, 'audit.jsonl'), 'utf8');
      records = text.trim().split('\n').map((l) => JSON.parse(l)).filter((r) => String(r.action).startsWith('lifecycle:'));
      if (records.length >= 6) break;
      await sleep(100);
    }
    const expired = records.filter((r) => r.action === 'lifecycle:ExpireObject').map((r) => [r.key, r.details?.rule]).sort();
    expect(expired).toEqual([['big/large', 'big'], ['dated/a', 'past'], ['small/s', 'small'], ['tmp/a', 'prefix'], ['x/t', 'tag']]);
    expect(records.filter((r) => r.action === 'lifecycle:AbortMultipartUpload').map((r) => r.key)).toEqual(['mpu/abandoned']);
    expect(records.every((r) => r.principal === 'system')).toBe(true);
  }, 60_000);
});

describe('lifecycle in versioned and Object Lock buckets with one-second days', () => {
  async function versions(Bucket: string): Promise<string[]> {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    const entries = [
      ...(page.Versions ?? []).map((v) => ({ key: v.Key!, at: v.LastModified!, text: `${v.Key}@${v.VersionId}${v.IsLatest ? '*' : ''}` })),
      ...(page.DeleteMarkers ?? []).map((m) => ({ key: m.Key!, at: m.LastModified!, text: `${m.Key}@marker${m.IsLatest ? '*' : ''}` })),
    ];
    return entries.map((e) => e.text).sort();
  }

  it('hides expired current versions behind delete markers, expires noncurrent versions and lone markers, and never a held version', async () => {
    const Bucket = 'versioned-lifecycle';
    await s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
    const first = await s3.send(new PutObjectCommand({ Bucket, Key: 'n/k', Body: 'one' }));
    const second = await s3.send(new PutObjectCommand({ Bucket, Key: 'n/k', Body: 'two' }));
    const third = await s3.send(new PutObjectCommand({ Bucket, Key: 'n/k', Body: 'three' }));
    const held = await s3.send(new PutObjectCommand({ Bucket, Key: 'n/held', Body: 'held' }));
    await s3.send(new PutObjectLegalHoldCommand({ Bucket, Key: 'n/held', VersionId: held.VersionId, LegalHold: { Status: 'ON' } }));
    // The held version becomes the oldest noncurrent one: due like n/k's oldest, but under a legal hold.
    const mid = await s3.send(new PutObjectCommand({ Bucket, Key: 'n/held', Body: 'mid' }));
    const newer = await s3.send(new PutObjectCommand({ Bucket, Key: 'n/held', Body: 'newer' }));
    const gone = await s3.send(new PutObjectCommand({ Bucket, Key: 'm/lone', Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'm/lone' }));
    const current = await s3.send(new PutObjectCommand({ Bucket, Key: 'c/k', Body: 'current' }));
    await put(Bucket, [
      { ID: 'noncurrent', Status: 'Enabled', Filter: { Prefix: 'n/' }, NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 1 } },
      { ID: 'lone-markers', Status: 'Enabled', Filter: { Prefix: 'm/' }, Expiration: { ExpiredObjectDeleteMarker: true }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } },
      { ID: 'current', Status: 'Enabled', Filter: { Prefix: 'c/' }, Expiration: { Days: 1 } },
    ]);
    // n/k keeps its current version and the newest noncurrent one; m/lone loses its version, then its lone marker;
    // c/k gets a delete marker in front of its version; the held version stays although it is due.
    const expected = [
      'c/k@marker*', `c/k@${current.VersionId}`,
      `n/held@${held.VersionId}`, `n/held@${mid.VersionId}`, `n/held@${newer.VersionId}*`,
      `n/k@${second.VersionId}`, `n/k@${third.VersionId}*`,
    ].sort();
    let seen: string[] = [];
    for (let i = 0; i < 150; i++) {
      seen = await versions(Bucket);
      if (seen.length === expected.length && !seen.some((v) => v.startsWith('m/'))) break;
      await sleep(100);
    }
    expect(seen).toEqual(expected);
    expect(seen).not.toContain(`n/k@${first.VersionId}`);
    expect(seen).not.toContain(`m/lone@${gone.VersionId}`);
    // Later days change nothing more: the newest noncurrent version is kept, the held one stays held.
    await sleep(2500);
    expect(await versions(Bucket)).toEqual(seen);
  }, 60_000);
});
