import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand,
  HeadObjectCommand, PutObjectCommand, UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { s3Error } from '../support/s3-error.js';
import { deleteStoredBlob, flipStoredByte, isInline } from '../support/stored-blobs.js';

const MiB = 1024 * 1024;
const bin = path.resolve('bin/sklad');
let t: TestServer;
let s3: S3Client;

beforeEach(async () => {
  t = await startTestServer();
  s3 = t.client({ maxAttempts: 1 });
  await s3.send(new CreateBucketCommand({ Bucket: 'scrubbed' }));
});
afterEach(() => t.cleanup());

function blobPath(dataDir: string, id: string): string {
  return path.join(dataDir, 'blobs', id.slice(0, 2), id.slice(2, 4), id);
}

function blobsOf(key: string): string[] {
  const db = new Database(path.join(t.dataDir, 'index.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT blob_id FROM object_blobs WHERE bucket = ? AND key = ? ORDER BY seq').pluck().all('scrubbed', key) as string[];
  } finally {
    db.close();
  }
}

async function flipByte(file: string, offset: number): Promise<void> {
  const bytes = await readFile(file);
  bytes[offset] = bytes[offset]! ^ 0x01;
  await writeFile(file, bytes);
}

async function scrubCli(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'scrub', '--data', t.dataDir, ...args]);
    return { code: 0, stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout + err.stderr };
  }
}

describe('integrity', () => {
  it('a flipped byte cuts the GET short, never completes it, and quarantines the object', async () => {
    const body = randomBytes(2 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: 'scrubbed', Key: 'victim', Body: body }));
    await flipByte(blobPath(t.dataDir, blobsOf('victim')[0]!), 1_000_000);
    const read = s3.send(new GetObjectCommand({ Bucket: 'scrubbed', Key: 'victim' })).then((r) => r.Body!.transformToByteArray());
    await expect(read).rejects.toThrow();
    // the failed read quarantines the object: later reads answer a clear error
    let err = await s3Error(s3.send(new GetObjectCommand({ Bucket: 'scrubbed', Key: 'victim' })));
    for (let i = 0; i < 200 && err.status !== 403; i++) {
      await new Promise((r) => setTimeout(r, 50));
      err = await s3Error(s3.send(new GetObjectCommand({ Bucket: 'scrubbed', Key: 'victim' })));
    }
    expect(err).toMatchObject({ name: 'InvalidObjectState', status: 403 });
    expect(await s3Error(s3.send(new CopyObjectCommand({ Bucket: 'scrubbed', Key: 'copy', CopySource: 'scrubbed/victim' })))).toMatchObject({ name: 'InvalidObjectState' });
    // a range read does not cover the whole object and is not verified, but a quarantined object refuses it too
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: 'scrubbed', Key: 'victim', Range: 'bytes=0-9' })))).toMatchObject({ status: 403 });
    // overwriting the key replaces the quarantined object
    await s3.send(new PutObjectCommand({ Bucket: 'scrubbed', Key: 'victim', Body: 'fresh' }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket: 'scrubbed', Key: 'victim' }))).Body!.transformToString()).toBe('fresh');
  });

  it('a flipped byte in a small object stored inline in the index fails its GET and quarantines it', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'scrubbed', Key: 'small', Body: randomBytes(4096) }));
    const [id] = blobsOf('small');
    expect(isInline(t.dataDir, id!)).toBe(true);
    await flipStoredByte(t.dataDir, id!, 100);
    await expect(s3.send(new GetObjectCommand({ Bucket: 'scrubbed', Key: 'small' })).then((r) => r.Body!.transformToByteArray())).rejects.toThrow();
    let err = await s3Error(s3.send(new GetObjectCommand({ Bucket: 'scrubbed', Key: 'small' })));
    for (let i = 0; i < 200 && err.status !== 403; i++) {
      await new Promise((r) => setTimeout(r, 50));
      err = await s3Error(s3.send(new GetObjectCommand({ Bucket: 'scrubbed', Key: 'small' })));
    }
    expect(err).toMatchObject({ name: 'InvalidObjectState', status: 403 });
  });

  it('sklad scrub finds a flipped byte in a multipart object, a missing blob and an orphan; --repair quarantines and cleans', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'scrubbed', Key: 'healthy', Body: randomBytes(1000) }));
    await s3.send(new PutObjectCommand({ Bucket: 'scrubbed', Key: 'lost', Body: randomBytes(1000) }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'scrubbed', Key: 'multi' }));
    const parts = [];
    for (const [i, body] of [randomBytes(5 * MiB), randomBytes(4000)].entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket: 'scrubbed', Key: 'multi', UploadId, PartNumber: i + 1, Body: body }));
      parts.push({ PartNumber: i + 1, ETag: r.ETag });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'scrubbed', Key: 'multi', UploadId, MultipartUpload: { Parts: parts } }));

    // The small part and the small object are stored inline, the 5 MiB part as a file.
    expect([isInline(t.dataDir, blobsOf('multi')[1]!), isInline(t.dataDir, blobsOf('lost')[0]!)]).toEqual([true, true]);
    await flipStoredByte(t.dataDir, blobsOf('multi')[1]!, 10);
    await deleteStoredBlob(t.dataDir, blobsOf('lost')[0]!);
    const orphan = 'f'.repeat(32);
    await writeFile(blobPath(t.dataDir, orphan), 'stray').catch(async () => {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(path.dirname(blobPath(t.dataDir, orphan)), { recursive: true });
      await writeFile(blobPath(t.dataDir, orphan), 'stray');
    });

    const refused = await scrubCli('--repair');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('stop it');

    const report = await scrubCli('--json');
    expect(report.code).toBe(1);
    const json = JSON.parse(report.stdout) as { objects: number; findings: { key: string; problem: string; detail: string }[]; orphans: string[] };
    expect(json.objects).toBe(3);
    expect(json.findings.map((f) => [f.key, f.problem]).sort()).toEqual([['lost', 'missing'], ['multi', 'corrupt']]);
    expect(json.findings.find((f) => f.key === 'multi')?.detail).toContain('part 2');
    expect(json.orphans).toEqual([orphan]);

    await t.stop();
    const repaired = await scrubCli('--repair');
    expect(repaired.code).toBe(1);
    expect(repaired.stdout).toContain('quarantined 2');
    expect(repaired.stdout).toContain('removed 1 unreferenced blobs');

    await t.restart();
    const after = t.client({ maxAttempts: 1 });
    expect(await s3Error(after.send(new HeadObjectCommand({ Bucket: 'scrubbed', Key: 'multi' })))).toMatchObject({ status: 403 });
    expect(await s3Error(after.send(new GetObjectCommand({ Bucket: 'scrubbed', Key: 'lost' })))).toMatchObject({ name: 'InvalidObjectState' });
    expect((await after.send(new HeadObjectCommand({ Bucket: 'scrubbed', Key: 'healthy' }))).ContentLength).toBe(1000);
  });
});
