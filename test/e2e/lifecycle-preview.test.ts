// `sklad admin bucket lifecycle preview`: a dry run of a bucket's lifecycle rules that lists what they would
// delete today and deletes nothing. Real days here, so the worker deletes nothing during the test.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, CreateMultipartUploadCommand, ListObjectsV2Command, PutBucketLifecycleConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { LifecyclePreviewView } from '../../src/admin/types.js';
import { ACCESS_KEY, SECRET_KEY, startTestServer, type TestServer } from '../support/server.js';

const bin = path.resolve('bin/sklad');
let t: TestServer;

function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SKLAD_') && !k.startsWith('AWS_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'admin', '--endpoint', t.endpoint, '--access-key', ACCESS_KEY, '--secret-key', SECRET_KEY, ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  t = await startTestServer();
  const s3 = t.client();
  await s3.send(new CreateBucketCommand({ Bucket: 'preview' }));
  await s3.send(new PutBucketLifecycleConfigurationCommand({
    Bucket: 'preview',
    LifecycleConfiguration: {
      Rules: [
        { ID: 'old', Status: 'Enabled', Filter: { Prefix: 'old/' }, Expiration: { Date: new Date('2020-01-01T00:00:00Z') } },
        { ID: 'later', Status: 'Enabled', Filter: { Prefix: 'new/' }, Expiration: { Days: 30 } },
        { ID: 'off', Status: 'Disabled', Filter: { Prefix: 'other' }, Expiration: { Date: new Date('2020-01-01T00:00:00Z') } },
        { ID: 'uploads', Status: 'Enabled', Filter: { Prefix: 'mpu/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
      ],
    },
  }));
  for (const Key of ['old/a', 'old/b', 'new/a', 'other']) await s3.send(new PutObjectCommand({ Bucket: 'preview', Key, Body: 'x'.repeat(10) }));
  await s3.send(new CreateMultipartUploadCommand({ Bucket: 'preview', Key: 'mpu/young' }));
});
afterAll(() => t.cleanup());

describe('sklad admin bucket lifecycle preview', { timeout: 60_000 }, () => {
  it('lists what the rules would delete today and deletes nothing', async () => {
    const json = await admin('bucket', 'lifecycle', 'preview', 'preview', '--json');
    expect(json.code, json.stderr).toBe(0);
    const preview = JSON.parse(json.stdout) as LifecyclePreviewView;
    expect(preview.objects.map((o) => [o.key, o.rule, o.size, o.due])).toEqual([
      ['old/a', 'old', 10, '2020-01-01T00:00:00.000Z'],
      ['old/b', 'old', 10, '2020-01-01T00:00:00.000Z'],
    ]);
    // A one-day upload started now is due after the coming midnight, not today.
    expect(preview.uploads).toEqual([]);
    expect(preview.totals).toEqual({ objects: 2, bytes: 20, uploads: 0 });
    expect(preview.truncated).toBe(false);
    expect(new Date(preview.until).getTime() % 86_400_000).toBe(0);

    const text = await admin('bucket', 'lifecycle', 'preview', 'preview');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/objects:\s+2 /);
    expect(text.stdout).toMatch(/old\/a\s+null\s+expire\s+10 B\s+old\s+2020-01-01 00:00:00/);

    const oneRule = JSON.parse((await admin('bucket', 'lifecycle', 'preview', 'preview', '--rule', 'later', '--json')).stdout) as LifecyclePreviewView;
    expect(oneRule.rules).toEqual([{ id: 'later', enabled: true }]);
    expect(oneRule.objects).toEqual([]);

    const missing = await admin('bucket', 'lifecycle', 'preview', 'preview', '--rule', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no lifecycle rule with ID nope');

    const keys = ((await t.client().send(new ListObjectsV2Command({ Bucket: 'preview' }))).Contents ?? []).map((o) => o.Key);
    expect(keys).toEqual(['new/a', 'old/a', 'old/b', 'other']);
  });
});
