import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startChild, type ChildServer } from '../support/child-server.js';
import { connectPlain, get } from '../support/raw-http.js';
import { ACCESS_KEY, REGION, SECRET_KEY } from '../support/server.js';

const TOKEN = 'shutdown-test-metrics-token';
const dirs: string[] = [];
const clients: S3Client[] = [];
afterAll(async () => {
  for (const c of clients) c.destroy();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function start(dataDir: string, graceMs: number): Promise<ChildServer> {
  return startChild(['--data', dataDir, '--host', '127.0.0.1', '--port', '0', '--log-level', 'info', '--shutdown-grace-ms', String(graceMs)], {
    SKLAD_ACCESS_KEY: ACCESS_KEY,
    SKLAD_SECRET_KEY: SECRET_KEY,
    SKLAD_METRICS_TOKEN: TOKEN,
  });
}

function client(s: ChildServer): S3Client {
  const c = new S3Client({ endpoint: s.url, region: REGION, forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, maxAttempts: 1 });
  clients.push(c);
  return c;
}

/** Bounded polling until the server counts at least `n` requests in flight (the metrics request included). */
async function waitForInFlight(s: ChildServer, n: number): Promise<void> {
  let last = '';
  for (let i = 0; i < 200; i++) {
    const conn = await connectPlain(s.port);
    conn.write(get('/metrics').replace('\r\n\r\n', `\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`));
    last = (await conn.response()).body;
    conn.close();
    const value = Number(/^sklad_requests_in_flight (\d+)/m.exec(last)?.[1] ?? 0);
    if (value >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the upload never showed up as in flight:\n${last}`);
}

/** Bounded polling until a new connection is refused, or answered 503 by /health/ready: the server is draining. */
async function waitUntilNewConnectionsAreTurnedAway(s: ChildServer): Promise<string> {
  for (let i = 0; i < 200; i++) {
    try {
      const conn = await connectPlain(s.port);
      conn.write(get('/health/ready'));
      const r = await conn.response().catch(() => undefined);
      conn.close();
      if (r?.status === 503) return '503';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED') return 'refused';
      throw e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('new connections were still served normally during the drain');
}

/** Starts an upload of `size` bytes and sends only the first half, so it stays in flight. */
function slowUpload(c: S3Client, bucket: string, key: string, content: Buffer): { finish(): void; done: Promise<unknown> } {
  const body = new PassThrough();
  body.write(content.subarray(0, content.length / 2));
  const done = c.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: content.length }));
  done.catch(() => undefined);
  return { finish: () => body.end(content.subarray(content.length / 2)), done };
}

async function tempData(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'sklad-shutdown-'));
  dirs.push(d);
  return path.join(d, 'data');
}

describe('graceful shutdown', () => {
  it('on SIGTERM refuses new work, reports 503 on readiness, finishes the in-flight upload and exits 0', async () => {
    const dataDir = await tempData();
    const s = await start(dataDir, 60_000);
    const c = client(s);
    await c.send(new CreateBucketCommand({ Bucket: 'drain' }));
    const content = randomBytes(1024 * 1024);
    const upload = slowUpload(c, 'drain', 'big.bin', content);
    await waitForInFlight(s, 2);
    // A request that has begun (its headers half sent) on its own connection: not idle, so it is not cut.
    const early = await connectPlain(s.port);
    early.write('GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n');

    s.child.kill('SIGTERM');
    await s.waitForOutput(/sklad stopping/);
    expect(await waitUntilNewConnectionsAreTurnedAway(s)).toMatch(/refused|503/);

    early.write('\r\n');
    const ready = await early.response();
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'draining' });
    expect(ready.headers.connection).toBe('close');
    await early.closed;

    expect(s.child.exitCode).toBeNull();
    upload.finish();
    const put = (await upload.done) as { ETag?: string };
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain('sklad stopped');

    const again = await start(dataDir, 2000);
    try {
      const got = await client(again).send(new GetObjectCommand({ Bucket: 'drain', Key: 'big.bin' }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(content)).toBe(true);
    } finally {
      expect(await again.stop()).toBe(0);
    }
  });

  it('cuts requests still running when the grace period ends, and still exits 0', async () => {
    const dataDir = await tempData();
    const s = await start(dataDir, 300);
    const c = client(s);
    await c.send(new CreateBucketCommand({ Bucket: 'grace' }));
    const upload = slowUpload(c, 'grace', 'never.bin', randomBytes(256 * 1024));
    await waitForInFlight(s, 2);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain('shutdown grace period over');
    await expect(upload.done).rejects.toThrow();

    const again = await start(dataDir, 2000);
    try {
      await expect(client(again).send(new GetObjectCommand({ Bucket: 'grace', Key: 'never.bin' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    } finally {
      expect(await again.stop()).toBe(0);
    }
  });

  it('exits at once on a second signal', async () => {
    const dataDir = await tempData();
    const s = await start(dataDir, 60_000);
    const c = client(s);
    await c.send(new CreateBucketCommand({ Bucket: 'impatient' }));
    const upload = slowUpload(c, 'impatient', 'cut.bin', randomBytes(256 * 1024));
    await waitForInFlight(s, 2);
    s.child.kill('SIGINT');
    await s.waitForOutput(/sklad stopping/);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(1);
    expect(s.output()).toContain('second signal');
    await expect(upload.done).rejects.toThrow();
  });
});
