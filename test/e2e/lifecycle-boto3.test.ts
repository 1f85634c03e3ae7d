// Lifecycle configurations as boto3 sends them: the current API and the old PutBucketLifecycle with rule-level
// prefixes, read back through both, x-amz-expiration parsed by botocore, and a transition refused.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { boto3Python, isolatedAwsEnv, run, type IsolatedAwsEnv } from '../support/external-clients.js';

const SCRIPT = fileURLToPath(new URL('./python/sklad_boto3.py', import.meta.url));

type Result = Record<string, unknown> & { error?: { code: string; status: number; message: string } };

describe('lifecycle through boto3', { timeout: 60_000 }, () => {
  let t: TestServer;
  let iso: IsolatedAwsEnv;
  beforeAll(async () => {
    t = await startTestServer();
    iso = await isolatedAwsEnv();
  });
  afterAll(async () => {
    await iso.cleanup();
    await t.cleanup();
  });

  async function batch(calls: { op: string; params: Record<string, unknown> }[]): Promise<Result[]> {
    const r = await run(boto3Python(), [SCRIPT, 'batch', JSON.stringify({ calls })], { env: iso.env({ SKLAD_ENDPOINT: t.endpoint }), timeoutMs: 40_000 });
    if (r.code !== 0) throw new Error(`sklad_boto3.py batch exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return (JSON.parse(r.stdout) as { results: Result[] }).results;
  }

  it('puts, reads back and enforces the headers of both API generations', async () => {
    const Bucket = 'boto-lifecycle';
    const v2Rules = [
      { ID: 'logs', Status: 'Enabled', Filter: { And: { Prefix: 'logs/', Tags: [{ Key: 'keep', Value: 'no' }] } }, Expiration: { Days: 7 } },
      { ID: 'dated', Status: 'Enabled', Filter: { Prefix: 'dated/' }, Expiration: { Date: '2100-01-01T00:00:00Z' } },
      { ID: 'uploads', Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
    ];
    const [created, oldPut, oldGet, put, got, written, head, transition] = await batch([
      { op: 'create_bucket', params: { Bucket } },
      { op: 'put_bucket_lifecycle', params: { Bucket, LifecycleConfiguration: { Rules: [{ ID: 'old', Prefix: 'tmp/', Status: 'Enabled', Expiration: { Days: 1 } }] } } },
      { op: 'get_bucket_lifecycle', params: { Bucket } },
      { op: 'put_bucket_lifecycle_configuration', params: { Bucket, LifecycleConfiguration: { Rules: v2Rules } } },
      { op: 'get_bucket_lifecycle_configuration', params: { Bucket } },
      { op: 'put_object', params: { Bucket, Key: 'dated/a', Body: 'x' } },
      { op: 'head_object', params: { Bucket, Key: 'dated/a' } },
      { op: 'put_bucket_lifecycle_configuration', params: { Bucket, LifecycleConfiguration: { Rules: [{ ID: 't', Status: 'Enabled', Filter: { Prefix: '' }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }] }] } } },
    ]);
    expect(created?.error).toBeUndefined();
    expect(oldPut?.error).toBeUndefined();
    expect(oldGet?.Rules).toEqual([{ ID: 'old', Prefix: 'tmp/', Status: 'Enabled', Expiration: { Days: 1 } }]);
    expect(put?.error).toBeUndefined();
    expect(got?.Rules).toEqual([
      v2Rules[0],
      { ...v2Rules[1], Expiration: { Date: '2100-01-01T00:00:00+00:00' } },
      v2Rules[2],
    ]);
    expect(got?.TransitionDefaultMinimumObjectSize).toBe('all_storage_classes_128K');
    expect(written?.Expiration).toBe('expiry-date="Fri, 01 Jan 2100 00:00:00 GMT", rule-id="dated"');
    expect(head?.Expiration).toBe('expiry-date="Fri, 01 Jan 2100 00:00:00 GMT", rule-id="dated"');
    expect(transition?.error).toMatchObject({ code: 'InvalidRequest', status: 400 });
  });
});
