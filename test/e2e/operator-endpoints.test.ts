import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { request } from 'undici';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
const TOKEN = 'metrics-token-for-tests';
beforeAll(async () => {
  t = await startTestServer({ env: { SKLAD_METRICS_TOKEN: TOKEN } });
});
afterAll(() => t.cleanup());

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await request(`${t.endpoint}${path}`, { headers });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: await res.body.text() };
}

describe('operator endpoints', () => {
  it('answers liveness and readiness', async () => {
    expect(await get('/health/live')).toMatchObject({ status: 200 });
    const ready = await get('/health/ready');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ok', checks: { dataFolder: 'ok', index: 'ok' } });
  });

  it('serves Prometheus metrics only with the token', async () => {
    const s3 = t.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'metered' }));
    await s3.send(new PutObjectCommand({ Bucket: 'metered', Key: 'a', Body: 'x'.repeat(1000) }));
    await s3.send(new GetObjectCommand({ Bucket: 'metered', Key: 'a' })).then((r) => r.Body!.transformToString());
    // Without a token, GET /metrics is an anonymous S3 request for a bucket named "metrics".
    const anonymous = await get('/metrics');
    expect(anonymous.status).toBe(404);
    expect(anonymous.body).toContain('<Code>NoSuchBucket</Code>');
    const denied = await get('/metrics', { authorization: 'Bearer wrong-token' });
    expect(denied.status).toBe(403);
    expect(denied.body).not.toContain('sklad_requests_total');
    const metrics = await get('/metrics', { authorization: `Bearer ${TOKEN}` });
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    expect(metrics.body).toMatch(/sklad_requests_total\{operation="PutObject",status="2xx"\} 1/);
    expect(metrics.body).toMatch(/sklad_request_duration_seconds_count\{operation="GetObject"\} 1/);
    expect(metrics.body).toMatch(/sklad_bucket_objects\{bucket="metered"\} 1/);
    expect(metrics.body).toMatch(/sklad_bucket_bytes\{bucket="metered"\} 1000/);
    expect(metrics.body).toMatch(/sklad_user_objects\{user="root"\} 1/);
    expect(metrics.body).toMatch(/sklad_user_bytes\{user="root"\} 1000/);
    expect(metrics.body).toMatch(/sklad_scrub_running 0/);
    expect(metrics.body).toMatch(/sklad_received_bytes_total \d+/);
    expect(metrics.body).toContain('sklad_process_resident_memory_bytes');
  });

  it('leaves signed requests for buckets named health or metrics to S3', async () => {
    const s3 = t.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'health' }));
    await s3.send(new PutObjectCommand({ Bucket: 'health', Key: 'live', Body: 'an object' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'health', Key: 'live' }));
    expect(await got.Body!.transformToString()).toBe('an object');
  });
});
