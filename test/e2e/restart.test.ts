import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { storedBlobIds } from '../support/stored-blobs.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.cleanup());

describe('restart', () => {
  it('keeps every object written before a restart', async () => {
    const before = t.client();
    await before.send(new CreateBucketCommand({ Bucket: 'durable' }));
    const objects = new Map<string, Buffer>();
    for (let i = 0; i < 40; i++) objects.set(`obj/${i}`, randomBytes(1000 + i * 997));
    for (const [key, body] of objects) await before.send(new PutObjectCommand({ Bucket: 'durable', Key: key, Body: body }));
    await before.send(new PutObjectCommand({ Bucket: 'durable', Key: 'obj/0', Body: objects.get('obj/1') }));
    objects.set('obj/0', objects.get('obj/1')!);

    await t.restart();
    const after = t.client();
    const listed = await after.send(new ListObjectsV2Command({ Bucket: 'durable' }));
    expect(listed.KeyCount).toBe(objects.size);
    for (const [key, body] of objects) {
      const got = await after.send(new GetObjectCommand({ Bucket: 'durable', Key: key }));
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      expect(createHash('md5').update(bytes).digest('hex')).toBe(createHash('md5').update(body).digest('hex'));
    }
  });

  it('leaves no temporary files and no unreferenced blobs behind', async () => {
    const tmp = await readdir(path.join(t.dataDir, 'tmp')).catch(() => []);
    expect(tmp).toEqual([]);
    const blobFiles = (await storedBlobIds(t.dataDir)).length;
    // 40 objects, one overwritten: its old blob must be gone
    expect(blobFiles).toBe(40);
  });
});
