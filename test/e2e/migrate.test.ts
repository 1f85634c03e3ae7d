// `sklad migrate`: a single-node data folder with buckets, small (inline) and large objects, a multipart
// upload in progress, a user with a key and a policy, a versioned bucket with Object Lock (noncurrent
// versions, a delete marker, a legal hold, retention) and a lifecycle pass under way, moved into PostgreSQL
// (the small objects stay inline, as rows of the shared database); then a gateway on that database and
// folder serves all of it, versions and locks included. Refused while the server runs; running it again is harmless.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from '../support/external-clients.js';
import { startPostgres, type PostgresCluster } from '../support/postgres.js';
import { REGION, startTestServer } from '../support/server.js';
import { expectS3Error } from '../support/s3-error.js';
import { blobFilePath } from '../support/stored-blobs.js';
import { createUser } from '../support/users.js';

let cluster: PostgresCluster;

beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

const migrate = (...args: string[]) =>
  run(process.execPath, [path.resolve('bin/sklad'), 'migrate', ...args], { env: { ...process.env }, timeoutMs: 60_000 });

it('moves a single-node index into PostgreSQL, verifiably and resumably, and a gateway then serves it all', { timeout: 120_000 }, async () => {
  const single = await startTestServer();
  const s3 = single.client();
  await s3.send(new CreateBucketCommand({ Bucket: 'moved' }));
  const small = randomBytes(1000);
  // The largest object kept inline, and the empty one.
  const edge = randomBytes(64 * 1024);
  const large = randomBytes(300_000);
  await s3.send(new PutObjectCommand({ Bucket: 'moved', Key: 'small', Body: small }));
  await s3.send(new PutObjectCommand({ Bucket: 'moved', Key: 'edge', Body: edge }));
  await s3.send(new PutObjectCommand({ Bucket: 'moved', Key: 'empty', Body: Buffer.alloc(0) }));
  await s3.send(new PutObjectCommand({ Bucket: 'moved', Key: 'dir/large', Body: large }));
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'moved', Key: 'pending' }));
  const user = await createUser(single, 'reader');
  await s3.send(new PutBucketPolicyCommand({
    Bucket: 'moved',
    Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::sklad:user/reader'] }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::moved/*' }] }),
  }));
  // A versioned bucket with Object Lock: two versions of a key (the first held, the second under
  // retention), then a delete marker over them.
  await s3.send(new CreateBucketCommand({ Bucket: 'locked', ObjectLockEnabledForBucket: true }));
  const v1 = (await s3.send(new PutObjectCommand({ Bucket: 'locked', Key: 'doc', Body: 'first' }))).VersionId!;
  const retainUntil = new Date(Date.now() + 24 * 3600_000);
  const v2 = (await s3.send(new PutObjectCommand({
    Bucket: 'locked', Key: 'doc', Body: 'second', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: retainUntil,
  }))).VersionId!;
  await s3.send(new PutObjectLegalHoldCommand({ Bucket: 'locked', Key: 'doc', VersionId: v1, LegalHold: { Status: 'ON' } }));
  const marker = (await s3.send(new DeleteObjectCommand({ Bucket: 'locked', Key: 'doc' }))).VersionId!;
  const url = await cluster.createDatabase();

  const refused = await migrate('--metadata-url', url, '--data', single.dataDir);
  expect(refused.code, refused.stderr).toBe(2);
  expect(refused.stderr).toMatch(/is using/);
  await single.stop();
  // A lifecycle pass interrupted after a batch leaves its cursor behind: it comes along too.
  const sqlite = new Database(path.join(single.dataDir, 'index.sqlite'));
  sqlite.prepare('INSERT INTO lifecycle_cursors (bucket, after_key, pass_started_at) VALUES (?, ?, ?)').run('locked', 'doc', Date.now());
  sqlite.close();

  const first = await migrate('--metadata-url', url, '--data', single.dataDir);
  expect(first.code, first.stdout + first.stderr).toBe(0);
  expect(first.stdout).toContain('OK: PostgreSQL holds everything');
  expect(first.stdout).toMatch(/ok {3}objects: 5 in SQLite, 5 in PostgreSQL/);
  expect(first.stdout).toMatch(/ok {3}object_versions: 2 in SQLite, 2 in PostgreSQL/);
  expect(first.stdout).toMatch(/ok {3}lifecycle_cursors: 1 in SQLite, 1 in PostgreSQL/);
  expect(first.stdout).toMatch(/ok {3}inline_blobs: 5 in SQLite, 5 in PostgreSQL/);
  const again = await migrate('--metadata-url', url, '--data', single.dataDir);
  expect(again.code, again.stdout + again.stderr).toBe(0);
  const verified = await migrate('--metadata-url', url, '--data', single.dataDir, '--verify-only', '--json');
  expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, inlineBlobs: { source: 5, identical: 5 } });
  // The small objects stay inline: rows of the shared database, no blob files.
  const database = new URL(url).pathname.slice(1);
  const inline = await cluster.query(
    "SELECT b.key, i.data FROM object_blobs b JOIN inline_blobs i ON i.id = b.blob_id WHERE b.bucket = 'moved' ORDER BY b.key",
    database,
  );
  expect(inline.rows.map((row: { key: string }) => row.key)).toEqual(['edge', 'empty', 'small']);
  expect((inline.rows[2] as { data: Buffer }).data.equals(small)).toBe(true);
  expect(existsSync(blobFilePath(single.dataDir, (await cluster.query("SELECT blob_id FROM object_blobs WHERE key = 'small'", database)).rows[0].blob_id as string))).toBe(false);

  const gateway = await startTestServer({ dataDir: single.dataDir, env: { SKLAD_METADATA_URL: url, SKLAD_GATEWAY_ID: 'gw1' }, keepDataDir: true });
  const g3 = gateway.client();
  const read = async (c: S3Client, key: string): Promise<Buffer> =>
    Buffer.from(await (await c.send(new GetObjectCommand({ Bucket: 'moved', Key: key }))).Body!.transformToByteArray());
  expect((await read(g3, 'small')).equals(small)).toBe(true);
  expect((await read(g3, 'edge')).equals(edge)).toBe(true);
  expect((await read(g3, 'empty')).length).toBe(0);
  expect((await read(g3, 'dir/large')).equals(large)).toBe(true);
  const uploads = await g3.send(new ListMultipartUploadsCommand({ Bucket: 'moved' }));
  expect(uploads.Uploads?.map((u) => u.UploadId)).toEqual([UploadId]);
  // The user's key (sealed under the same master key) and the bucket policy came along.
  const reader = new S3Client({
    endpoint: gateway.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretKey },
  });
  expect((await read(reader, 'small')).equals(small)).toBe(true);

  // Versions in their order, the delete marker current, each version's lock state as it was.
  const versions = await g3.send(new ListObjectVersionsCommand({ Bucket: 'locked' }));
  expect(versions.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest])).toEqual([[marker, true]]);
  expect(versions.Versions?.map((v) => v.VersionId)).toEqual([v2, v1]);
  const readVersion = async (versionId: string): Promise<string> =>
    (await g3.send(new GetObjectCommand({ Bucket: 'locked', Key: 'doc', VersionId: versionId }))).Body!.transformToString();
  expect(await readVersion(v1)).toBe('first');
  expect(await readVersion(v2)).toBe('second');
  expect((await g3.send(new GetObjectLegalHoldCommand({ Bucket: 'locked', Key: 'doc', VersionId: v1 }))).LegalHold?.Status).toBe('ON');
  const retention = await g3.send(new GetObjectRetentionCommand({ Bucket: 'locked', Key: 'doc', VersionId: v2 }));
  expect(retention.Retention?.Mode).toBe('GOVERNANCE');
  expect(Math.abs(retention.Retention!.RetainUntilDate!.getTime() - retainUntil.getTime())).toBeLessThan(1000);
  // The gateway enforces them: neither locked version can be deleted, the marker can.
  await expectS3Error(g3.send(new DeleteObjectCommand({ Bucket: 'locked', Key: 'doc', VersionId: v1 })), 'AccessDenied');
  await expectS3Error(g3.send(new DeleteObjectCommand({ Bucket: 'locked', Key: 'doc', VersionId: v2 })), 'AccessDenied');
  await g3.send(new DeleteObjectCommand({ Bucket: 'locked', Key: 'doc', VersionId: marker }));
  expect((await g3.send(new GetObjectCommand({ Bucket: 'locked', Key: 'doc' }))).VersionId).toBe(v2);
  reader.destroy();
  user.client.destroy();
  await gateway.cleanup();
  await single.cleanup();
});
