// Bucket and user quotas: writes stop at the limit (QuotaExceeded), in the same transaction as the write,
// for every way an object comes to exist (PUT, copy, multipart Complete); deletes make room again.
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectS3Error } from '../support/s3-error.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createUser, setBucketQuota, setUserQuota } from '../support/users.js';
import { signedRequest } from '../support/raw-client.js';

let server: TestServer;
let root: S3Client;

const put = (client: S3Client, bucket: string, key: string, body: string | Buffer) =>
  client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

async function bucketUsage(bucket: string): Promise<{ objects: number; bytes: number }> {
  const res = await signedRequest(server.endpoint, { method: 'GET', path: `/_sklad/admin/v1/buckets/${bucket}` });
  expect(res.status).toBe(200);
  return (JSON.parse(res.body) as { usage: { objects: number; bytes: number } }).usage;
}

beforeAll(async () => {
  server = await startTestServer();
  root = server.client();
});

afterAll(async () => {
  await server.cleanup();
});

describe('bucket quota', () => {
  it('stops new objects at maxObjects and lets a delete make room', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'counted' }));
    await setBucketQuota(server, 'counted', { maxObjects: 2 });
    await put(root, 'counted', 'a', 'x');
    await put(root, 'counted', 'b', 'x');
    await expectS3Error(put(root, 'counted', 'c', 'x'), 'QuotaExceeded', 403);
    await put(root, 'counted', 'a', 'overwrite keeps the count');
    await root.send(new DeleteObjectCommand({ Bucket: 'counted', Key: 'b' }));
    await put(root, 'counted', 'c', 'x');
    expect(await bucketUsage('counted')).toEqual({ objects: 2, bytes: 'overwrite keeps the count'.length + 1 });
  });

  it('stops bytes at maxBytes; a smaller overwrite is allowed even at the limit', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'sized' }));
    await setBucketQuota(server, 'sized', { maxBytes: 1000 });
    await put(root, 'sized', 'big', Buffer.alloc(900));
    await expectS3Error(put(root, 'sized', 'more', Buffer.alloc(101)), 'QuotaExceeded', 403);
    await put(root, 'sized', 'more', Buffer.alloc(100));
    await setBucketQuota(server, 'sized', { maxBytes: 500 });
    await put(root, 'sized', 'big', Buffer.alloc(10));
    expect(await bucketUsage('sized')).toEqual({ objects: 2, bytes: 110 });
  });

  it('applies to copies and to multipart Complete', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'mpq' }));
    await setBucketQuota(server, 'mpq', { maxBytes: 6 * 1024 * 1024 });
    const part = Buffer.alloc(5 * 1024 * 1024, 1);
    const upload = await root.send(new CreateMultipartUploadCommand({ Bucket: 'mpq', Key: 'big' }));
    const parts = [];
    for (const n of [1, 2]) {
      const res = await root.send(new UploadPartCommand({ Bucket: 'mpq', Key: 'big', UploadId: upload.UploadId, PartNumber: n, Body: part }));
      parts.push({ PartNumber: n, ETag: res.ETag });
    }
    await expectS3Error(
      root.send(new CompleteMultipartUploadCommand({ Bucket: 'mpq', Key: 'big', UploadId: upload.UploadId, MultipartUpload: { Parts: parts } })),
      'QuotaExceeded',
      403,
    );
    await put(root, 'mpq', 'five', Buffer.alloc(5 * 1024 * 1024));
    await expectS3Error(root.send(new CopyObjectCommand({ Bucket: 'mpq', Key: 'five-copy', CopySource: 'mpq/five' })), 'QuotaExceeded', 403);
    expect(await bucketUsage('mpq')).toEqual({ objects: 1, bytes: 5 * 1024 * 1024 });
  });
});

describe('user quota', () => {
  it('counts every bucket the user owns', async () => {
    const team = await createUser(server, 'team', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:CreateBucket', Resource: '*' }],
    });
    await setUserQuota(server, 'team', { maxObjects: 3, maxBytes: 10_000 });
    await team.client.send(new CreateBucketCommand({ Bucket: 'team-a' }));
    await team.client.send(new CreateBucketCommand({ Bucket: 'team-b' }));
    await put(team.client, 'team-a', '1', 'x');
    await put(team.client, 'team-a', '2', 'x');
    await put(team.client, 'team-b', '3', 'x');
    await expectS3Error(put(team.client, 'team-b', '4', 'x'), 'QuotaExceeded', 403);
    await team.client.send(new DeleteObjectCommand({ Bucket: 'team-a', Key: '1' }));
    await expectS3Error(put(team.client, 'team-b', 'huge', Buffer.alloc(10_001)), 'QuotaExceeded', 403);
    await put(team.client, 'team-b', '4', 'x');
  });
});
