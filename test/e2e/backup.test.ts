// Online backup: taken while writes and deletes go on, the backup folder is a data folder a server starts on,
// holding every object of its snapshot intact (small inline ones and file ones), users and keys included.
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedRequest } from '../support/raw-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createUser } from '../support/users.js';

let server: TestServer;
let s3: S3Client;
let scratch: string;

const md5 = (data: Uint8Array): string => createHash('md5').update(data).digest('hex');

async function backup(destination: string) {
  return signedRequest(server.endpoint, {
    method: 'POST',
    path: '/_sklad/admin/v1/backup',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ destination }),
  });
}

beforeAll(async () => {
  server = await startTestServer();
  s3 = server.client();
  scratch = await mkdtemp(path.join(tmpdir(), 'sklad-backup-'));
});

afterAll(async () => {
  await server.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

describe('online backup', () => {
  it('refuses a relative, non-empty or data-folder destination', async () => {
    expect((await backup('relative/dir')).status).toBe(400);
    expect((await backup(path.join(server.dataDir, 'inside'))).status).toBe(400);
    await writeFile(path.join(scratch, 'marker'), 'x');
    expect((await backup(scratch)).status).toBe(400);
  });

  it('captures a consistent, restorable copy while writes and deletes continue', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'precious' }));
    const stable = new Map<string, Buffer>();
    for (let i = 0; i < 20; i++) {
      // Small objects are kept inline in the index, large ones as blob files: the backup needs both.
      const body = Buffer.alloc(i % 4 === 0 ? 300 * 1024 : 1000 + i, i);
      stable.set(`stable/${i}`, body);
      await s3.send(new PutObjectCommand({ Bucket: 'precious', Key: `stable/${i}`, Body: body }));
    }
    const ci = await createUser(server, 'ci');

    let churning = true;
    const churn = (async () => {
      for (let round = 0; churning; round++) {
        const key = `churn/${round % 7}`;
        const body = Buffer.alloc(round % 2 === 0 ? 200 * 1024 : 500, round % 251);
        await s3.send(new PutObjectCommand({ Bucket: 'precious', Key: key, Body: body }));
        if (round % 3 === 0) await s3.send(new DeleteObjectCommand({ Bucket: 'precious', Key: `churn/${(round + 3) % 7}` }));
      }
    })();
    const destination = path.join(scratch, 'snapshot');
    const res = await backup(destination);
    churning = false;
    await churn;
    expect(res.status, res.body).toBe(200);
    const report = JSON.parse(res.body) as { destination: string; blobs: number; indexBytes: number };
    expect(report.destination).toBe(destination);
    expect(report.blobs).toBeGreaterThanOrEqual(5);

    // The master key is deliberately not in the backup; an operator restores it from where it is kept.
    await copyFile(path.join(server.dataDir, 'master.key'), path.join(destination, 'master.key'));
    const restored = await startTestServer({ dataDir: destination });
    try {
      const r3 = restored.client();
      expect((await r3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['precious']);
      const listed = await r3.send(new ListObjectsV2Command({ Bucket: 'precious' }));
      const keys = listed.Contents?.map((c) => c.Key!) ?? [];
      for (const key of stable.keys()) expect(keys).toContain(key);
      // Every object the snapshot lists reads back whole and matches its ETag (churned ones included).
      for (const entry of listed.Contents ?? []) {
        const got = await r3.send(new GetObjectCommand({ Bucket: 'precious', Key: entry.Key! }));
        const bytes = await got.Body!.transformToByteArray();
        expect(md5(bytes), entry.Key).toBe(entry.ETag!.replaceAll('"', ''));
        const expected = stable.get(entry.Key!);
        if (expected) expect(Buffer.from(bytes).equals(expected), entry.Key).toBe(true);
      }
      // Users and their keys come along.
      const { S3Client: Client } = await import('@aws-sdk/client-s3');
      const asCi = new Client({
        endpoint: restored.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: ci.accessKeyId, secretAccessKey: ci.secretKey },
      });
      // The key is known (an unknown one is InvalidAccessKeyId); listing buckets needs s3:ListAllMyBuckets, which ci lacks.
      const { s3Error } = await import('../support/s3-error.js');
      expect(await s3Error(asCi.send(new ListBucketsCommand({})))).toMatchObject({ name: 'AccessDenied', status: 403 });
      asCi.destroy();
    } finally {
      await restored.cleanup();
    }
  });
});
