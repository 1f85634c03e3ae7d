// Bucket and user quotas: writes stop at the limit (QuotaExceeded), in the same transaction as the write,
// for every way an object comes to exist (PUT, copy, multipart Complete); deletes make room again.
import {
  AbortMultipartUploadCommand,
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

  it('counts the parts of open uploads: a part past the quota is refused at UploadPart, Complete does not count twice', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'mpq' }));
    const MiB = 1024 * 1024;
    await setBucketQuota(server, 'mpq', { maxBytes: 6 * MiB });
    const upload = await root.send(new CreateMultipartUploadCommand({ Bucket: 'mpq', Key: 'big' }));
    const uploadPart = (n: number, body: Buffer) =>
      root.send(new UploadPartCommand({ Bucket: 'mpq', Key: 'big', UploadId: upload.UploadId, PartNumber: n, Body: body }));
    const first = await uploadPart(1, Buffer.alloc(5 * MiB, 1));
    await expectS3Error(uploadPart(2, Buffer.alloc(5 * MiB, 2)), 'QuotaExceeded', 403);
    // The open upload's 5 MiB count for plain writes as well.
    await expectS3Error(put(root, 'mpq', 'small', Buffer.alloc(2 * MiB)), 'QuotaExceeded', 403);
    const second = await uploadPart(2, Buffer.alloc(MiB, 2));
    const parts = [{ PartNumber: 1, ETag: first.ETag }, { PartNumber: 2, ETag: second.ETag }];
    await root.send(new CompleteMultipartUploadCommand({ Bucket: 'mpq', Key: 'big', UploadId: upload.UploadId, MultipartUpload: { Parts: parts } }));
    expect(await bucketUsage('mpq')).toEqual({ objects: 1, bytes: 6 * MiB });
    await expectS3Error(root.send(new CopyObjectCommand({ Bucket: 'mpq', Key: 'big-copy', CopySource: 'mpq/big' })), 'QuotaExceeded', 403);
    await root.send(new DeleteObjectCommand({ Bucket: 'mpq', Key: 'big' }));
    await put(root, 'mpq', 'five', Buffer.alloc(5 * MiB));
    expect(await bucketUsage('mpq')).toEqual({ objects: 1, bytes: 5 * MiB });
  });

  it('refuses a Complete that would pass the object quota', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'mpcount' }));
    await setBucketQuota(server, 'mpcount', { maxObjects: 1 });
    await put(root, 'mpcount', 'only', 'x');
    const upload = await root.send(new CreateMultipartUploadCommand({ Bucket: 'mpcount', Key: 'second' }));
    const part = await root.send(new UploadPartCommand({ Bucket: 'mpcount', Key: 'second', UploadId: upload.UploadId, PartNumber: 1, Body: 'y' }));
    await expectS3Error(
      root.send(new CompleteMultipartUploadCommand({
        Bucket: 'mpcount', Key: 'second', UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      })),
      'QuotaExceeded',
      403,
    );
    expect(await bucketUsage('mpcount')).toEqual({ objects: 1, bytes: 1 });
  });
});

describe('open uploads per bucket', () => {
  it('refuses CreateMultipartUpload past --max-open-uploads-per-bucket until one completes or aborts', async () => {
    const limited = await startTestServer({ env: { SKLAD_MAX_OPEN_UPLOADS_PER_BUCKET: '2' } });
    try {
      const s3 = limited.client();
      await s3.send(new CreateBucketCommand({ Bucket: 'busy' }));
      await s3.send(new CreateBucketCommand({ Bucket: 'calm' }));
      const create = (bucket: string) => s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'k' }));
      const first = await create('busy');
      await create('busy');
      await expectS3Error(create('busy'), 'QuotaExceeded', 403);
      await create('calm');
      await s3.send(new AbortMultipartUploadCommand({ Bucket: 'busy', Key: 'k', UploadId: first.UploadId }));
      await create('busy');
    } finally {
      await limited.cleanup();
    }
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

  it('counts the parts of the user\'s open uploads in every bucket', async () => {
    const crew = await createUser(server, 'crew', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
    });
    await setUserQuota(server, 'crew', { maxBytes: 10_000 });
    await crew.client.send(new CreateBucketCommand({ Bucket: 'crew-a' }));
    await crew.client.send(new CreateBucketCommand({ Bucket: 'crew-b' }));
    const upload = await crew.client.send(new CreateMultipartUploadCommand({ Bucket: 'crew-a', Key: 'mp' }));
    await crew.client.send(new UploadPartCommand({ Bucket: 'crew-a', Key: 'mp', UploadId: upload.UploadId, PartNumber: 1, Body: Buffer.alloc(9_000) }));
    await expectS3Error(put(crew.client, 'crew-b', 'k', Buffer.alloc(1_001)), 'QuotaExceeded', 403);
    await put(crew.client, 'crew-b', 'k', Buffer.alloc(1_000));
    await expectS3Error(
      crew.client.send(new UploadPartCommand({ Bucket: 'crew-a', Key: 'mp', UploadId: upload.UploadId, PartNumber: 2, Body: 'z' })),
      'QuotaExceeded',
      403,
    );
  });
});
