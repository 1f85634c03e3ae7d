// Three gateways on three ports over one PostgreSQL database and one shared data folder: any gateway serves
// any request. Real clients spread their requests round-robin; conditional writes, quotas, policy changes
// and disabled keys hold across gateways; small objects are rows of the shared database; one gateway's
// start-up recovery spares what others are writing.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boto3Python, run, isolatedAwsEnv, isolatedToolEnv, type IsolatedAwsEnv } from '../support/external-clients.js';
import { startGateways, type Gateways } from '../support/gateways.js';
import { startPostgres, type PostgresCluster } from '../support/postgres.js';
import { signedRequest } from '../support/raw-client.js';
import { s3Error } from '../support/s3-error.js';
import { createUser, setBucketQuota } from '../support/users.js';
import { blobFilePath } from '../support/stored-blobs.js';

let cluster: PostgresCluster;
let cl: Gateways;
let client: S3Client;
let aws: IsolatedAwsEnv;

beforeAll(async () => {
  cluster = await startPostgres();
  cl = await startGateways(await cluster.createDatabase(), 3, { SKLAD_METRICS_PUBLIC: 'true' });
  client = cl.roundRobinClient();
  aws = await isolatedAwsEnv();
}, 120_000);

afterAll(async () => {
  await aws?.cleanup();
  await cl?.cleanup();
  await cluster?.stop();
});

async function body(c: S3Client, bucket: string, key: string): Promise<Buffer> {
  const out = await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

/** The name of the gateways' database, for looking at its rows. */
const database = (): string => new URL(cl.url).pathname.slice(1);

/** Retries `check` until it passes or `ms` ran out: cross-gateway changes take effect within a bound. */
async function eventually(check: () => Promise<void>, ms = 1500): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('three gateways, one database, one data folder', () => {
  it('serves PUT, GET, HEAD, LIST and multipart with requests spread over all gateways', { timeout: 60_000 }, async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'spread' }));
    const objects = Array.from({ length: 12 }, (_, i) => ({ key: `k/${i}`, data: randomBytes(i % 2 === 0 ? 100 : 100_000) }));
    for (const o of objects) await client.send(new PutObjectCommand({ Bucket: 'spread', Key: o.key, Body: o.data }));
    // Each object read through every gateway: same bytes, whoever wrote it.
    for (const o of objects) {
      for (let g = 0; g < 3; g++) expect((await body(cl.clientOf(g), 'spread', o.key)).equals(o.data)).toBe(true);
      expect((await client.send(new HeadObjectCommand({ Bucket: 'spread', Key: o.key }))).ContentLength).toBe(o.data.length);
    }
    // The small ones are rows of the shared database, the large ones files of the shared folder.
    const stored = await cluster.query(`SELECT b.key, i.id IS NOT NULL AS inline FROM object_blobs b
      LEFT JOIN inline_blobs i ON i.id = b.blob_id WHERE b.bucket = 'spread' ORDER BY b.key`, database());
    for (const row of stored.rows as { key: string; inline: boolean }[]) {
      expect(row.inline, row.key).toBe(Number(row.key.slice(2)) % 2 === 0);
    }
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'spread', Prefix: 'k/', MaxKeys: 5 }));
    expect(listed.KeyCount).toBe(5);
    const all = await cl.clientOf(2).send(new ListObjectsV2Command({ Bucket: 'spread' }));
    expect(all.Contents?.map((c) => c.Key).sort()).toEqual(objects.map((o) => o.key).sort());

    // Multipart: created on one gateway, parts through the others, completed on whichever comes next.
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'spread', Key: 'big' }));
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(5 * 1024 * 1024), randomBytes(1234)];
    const etags = [];
    for (const [i, part] of parts.entries()) {
      const out = await client.send(new UploadPartCommand({ Bucket: 'spread', Key: 'big', UploadId, PartNumber: i + 1, Body: part }));
      etags.push({ PartNumber: i + 1, ETag: out.ETag });
    }
    await client.send(new CompleteMultipartUploadCommand({ Bucket: 'spread', Key: 'big', UploadId, MultipartUpload: { Parts: etags } }));
    for (let g = 0; g < 3; g++) expect((await body(cl.clientOf(g), 'spread', 'big')).equals(Buffer.concat(parts))).toBe(true);
  });

  it('orders the versions of one key written through all gateways at once, and holds a lock set on one gateway on the others', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'versions', ObjectLockEnabledForBucket: true }));
    const bodies = Array.from({ length: 18 }, (_, i) => `version ${i}`);
    const written = await Promise.all(bodies.map((b, i) =>
      cl.clientOf(i % 3).send(new PutObjectCommand({ Bucket: 'versions', Key: 'doc', Body: b })).then((out) => ({ id: out.VersionId!, body: b }))));
    const listed = await cl.clientOf(1).send(new ListObjectVersionsCommand({ Bucket: 'versions' }));
    const ids = listed.Versions!.map((v) => v.VersionId!);
    expect([...ids].sort()).toEqual(written.map((w) => w.id).sort());
    expect(listed.Versions![0]!.IsLatest).toBe(true);
    // The newest listed is what every gateway serves as current.
    const newest = written.find((w) => w.id === ids[0])!;
    for (let g = 0; g < 3; g++) expect((await body(cl.clientOf(g), 'versions', 'doc')).toString()).toBe(newest.body);

    // A legal hold put through one gateway refuses the delete on another; lifted there, the delete succeeds and
    // the next newest version becomes current everywhere.
    await cl.clientOf(0).send(new PutObjectLegalHoldCommand({ Bucket: 'versions', Key: 'doc', VersionId: ids[0], LegalHold: { Status: 'ON' } }));
    expect((await s3Error(cl.clientOf(1).send(new DeleteObjectCommand({ Bucket: 'versions', Key: 'doc', VersionId: ids[0] })))).name).toBe('AccessDenied');
    await cl.clientOf(2).send(new PutObjectLegalHoldCommand({ Bucket: 'versions', Key: 'doc', VersionId: ids[0], LegalHold: { Status: 'OFF' } }));
    await cl.clientOf(1).send(new DeleteObjectCommand({ Bucket: 'versions', Key: 'doc', VersionId: ids[0] }));
    const next = written.find((w) => w.id === ids[1])!;
    for (let g = 0; g < 3; g++) expect((await body(cl.clientOf(g), 'versions', 'doc')).toString()).toBe(next.body);
  });

  it('lets exactly one of concurrent If-None-Match: * PUTs of one key through different gateways win', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'race' }));
    for (let round = 0; round < 3; round++) {
      const key = `lock-${round}`;
      const bodies = Array.from({ length: 9 }, () => randomBytes(64));
      // One attempt each: a retried 500 must not pass for a lost race.
      const results = await Promise.allSettled(
        bodies.map((b, i) => cl.clientOf(i % 3, { maxAttempts: 1 }).send(new PutObjectCommand({ Bucket: 'race', Key: key, Body: b, IfNoneMatch: '*' }))),
      );
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect((r.reason as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(412);
      }
      expect((await body(client, 'race', key)).equals(bodies[winners[0]!]!)).toBe(true);
    }
  });

  it('keeps a bucket quota exact when writes arrive through every gateway at once', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'quota' }));
    await setBucketQuota(cl.gateways[0]!, 'quota', { maxObjects: 5 });
    const results = await Promise.allSettled(
      Array.from({ length: 15 }, (_, i) => cl.clientOf(i % 3, { maxAttempts: 1 }).send(new PutObjectCommand({ Bucket: 'quota', Key: `o${i}`, Body: 'x' }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as Error).name).toBe('QuotaExceeded');
    }
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'quota' }));
    expect(listed.KeyCount).toBe(5);
  });

  it('enforces on every gateway a policy changed or a key disabled on another, within a second', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'shared' }));
    await client.send(new PutObjectCommand({ Bucket: 'shared', Key: 'doc', Body: 'hello' }));
    const reader = await createUser(cl.gateways[0]!, 'reader');
    const readerOn = (g: number): S3Client => cl.clientOf(g, { credentials: { accessKeyId: reader.accessKeyId, secretAccessKey: reader.secretKey } });
    // Warm every gateway's caches with the refusal first, so what follows proves invalidation, not a cold cache.
    for (let g = 0; g < 3; g++) expect((await s3Error(body(readerOn(g), 'shared', 'doc'))).name).toBe('AccessDenied');

    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::sklad:user/reader'] }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' }],
    };
    await cl.clientOf(0).send(new PutBucketPolicyCommand({ Bucket: 'shared', Policy: JSON.stringify(policy) }));
    for (let g = 1; g < 3; g++) await eventually(async () => expect((await body(readerOn(g), 'shared', 'doc')).toString()).toBe('hello'));

    await cl.clientOf(1).send(new DeleteBucketPolicyCommand({ Bucket: 'shared' }));
    for (const g of [0, 2]) await eventually(async () => expect((await s3Error(body(readerOn(g), 'shared', 'doc'))).name).toBe('AccessDenied'));

    await cl.clientOf(0).send(new PutBucketPolicyCommand({ Bucket: 'shared', Policy: JSON.stringify(policy) }));
    for (let g = 0; g < 3; g++) await eventually(async () => expect((await body(readerOn(g), 'shared', 'doc')).toString()).toBe('hello'));
    const disabled = await signedRequest(cl.gateways[2]!.endpoint, {
      method: 'PATCH',
      path: `/_sklad/admin/v1/keys/${reader.accessKeyId}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'Inactive' }),
    });
    expect(disabled.status).toBe(200);
    for (let g = 0; g < 2; g++) {
      await eventually(async () => expect((await s3Error(body(readerOn(g), 'shared', 'doc'))).name).toBe('InvalidAccessKeyId'), 1000);
    }
    reader.client.destroy();
  });

  it('serves the aws cli, boto3 and rclone with each command sent to another gateway', async () => {
    const endpoint = (i: number): string => cl.gateways[i % 3]!.endpoint;
    const env = aws.env();
    const local = path.join(aws.dir, 'upload.bin');
    const data = randomBytes(9 * 1024 * 1024);
    await writeFile(local, data);
    const ok = (what: string, r: { code: number; stderr: string; stdout: string }): string => {
      expect(r.code, `${what}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    ok('mb', await run('aws', ['--endpoint-url', endpoint(0), 's3', 'mb', 's3://clis'], { env }));
    ok('cp up', await run('aws', ['--endpoint-url', endpoint(1), 's3', 'cp', local, 's3://clis/from-cli.bin'], { env, timeoutMs: 60_000 }));
    expect(ok('ls', await run('aws', ['--endpoint-url', endpoint(2), 's3', 'ls', 's3://clis/'], { env }))).toContain('from-cli.bin');
    const back = path.join(aws.dir, 'back.bin');
    ok('cp down', await run('aws', ['--endpoint-url', endpoint(0), 's3', 'cp', 's3://clis/from-cli.bin', back], { env, timeoutMs: 60_000 }));

    const script = `
import boto3, sys
eps = sys.argv[1:]
c = [boto3.client('s3', endpoint_url=e, region_name='us-east-1') for e in eps]
c[0].put_object(Bucket='clis', Key='from-boto3', Body=b'boto3 bytes')
assert c[1].get_object(Bucket='clis', Key='from-boto3')['Body'].read() == b'boto3 bytes'
keys = sorted(o['Key'] for o in c[2].list_objects_v2(Bucket='clis')['Contents'])
print(','.join(keys))
`;
    const listed = ok('boto3', await run(boto3Python(), ['-c', script, endpoint(1), endpoint(2), endpoint(0)], { env }));
    expect(listed.trim()).toBe('from-boto3,from-cli.bin');

    const tools = await isolatedToolEnv();
    try {
      const remote = (i: number): string[] => [
        '--s3-provider', 'Other', '--s3-access-key-id', env.AWS_ACCESS_KEY_ID!, '--s3-secret-access-key', env.AWS_SECRET_ACCESS_KEY!,
        '--s3-endpoint', endpoint(i), '--s3-region', 'us-east-1', '--s3-force-path-style=true',
      ];
      const tree = path.join(tools.dir, 'tree');
      await mkdir(tree);
      for (let i = 0; i < 5; i++) await writeFile(path.join(tree, `f${i}.txt`), `file ${i}`);
      ok('rclone copy', await run('rclone', ['copy', tree, ':s3:clis/tree', ...remote(2)], { env: tools.env(), timeoutMs: 60_000 }));
      ok('rclone check', await run('rclone', ['check', tree, ':s3:clis/tree', ...remote(0)], { env: tools.env(), timeoutMs: 60_000 }));
    } finally {
      await tools.cleanup();
    }
  }, 120_000);

  it('reports readiness on the database and labels metrics with the gateway id', async () => {
    for (const [i, gateway] of cl.gateways.entries()) {
      const ready = await fetch(`${gateway.endpoint}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ checks: { index: 'ok', dataFolder: 'ok' } });
      const metrics = await (await fetch(`${gateway.endpoint}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`sklad_requests_total\\{[^}]*gateway="gw${i + 1}"`));
    }
  });

  it('keeps one audit chain per gateway, verified together by sklad audit verify', async () => {
    // Records reach the file within the sync interval (SKLAD_AUDIT_SYNC_MS, a second by default).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const r = await run(process.execPath, [path.resolve('bin/sklad'), 'audit', 'verify', '--data', cl.dataDir], { env: { ...process.env } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const id of ['gw1', 'gw2', 'gw3']) expect(r.stdout).toMatch(new RegExp(`^${id}: OK: [1-9]\\d* records`, 'm'));
  });

  it("spares in its start-up recovery the blobs other gateways are writing or have just written", async () => {
    // Another gateway's write in progress (its own temporary folder) and a blob it just finished but has not
    // committed yet; and a blob orphaned long ago, which recovery must remove.
    const inProgress = path.join(cl.dataDir, 'tmp', 'gw2', 'f'.repeat(32));
    await writeFile(inProgress, 'half written');
    const fresh = 'a'.repeat(31) + '1';
    const old = 'b'.repeat(31) + '2';
    for (const id of [fresh, old]) {
      await mkdir(path.dirname(blobFilePath(cl.dataDir, id)), { recursive: true });
      await writeFile(blobFilePath(cl.dataDir, id), 'unreferenced');
    }
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(blobFilePath(cl.dataDir, old), twoHoursAgo, twoHoursAgo);
    // The same for small blobs, rows of the database: one just written, one orphaned long ago.
    const freshRow = 'c'.repeat(31) + '3';
    const oldRow = 'd'.repeat(31) + '4';
    await cluster.query(`INSERT INTO inline_blobs (id, data, written_at) VALUES
      ('${freshRow}', 'unreferenced', ${Date.now()}), ('${oldRow}', 'unreferenced', ${twoHoursAgo.getTime()})`, database());

    const fourth = await cl.add('gw4');
    expect(await readdir(path.join(cl.dataDir, 'tmp', 'gw2'))).toContain('f'.repeat(32));
    const present = async (id: string): Promise<boolean> => readdir(path.dirname(blobFilePath(cl.dataDir, id))).then((names) => names.includes(id), () => false);
    expect(await present(fresh)).toBe(true);
    expect(await present(old)).toBe(false);
    const rows = await cluster.query(`SELECT id FROM inline_blobs WHERE id IN ('${freshRow}', '${oldRow}')`, database());
    expect(rows.rows.map((row: { id: string }) => row.id)).toEqual([freshRow]);
    // And every committed object is still whole, read through the new gateway.
    expect((await body(cl.clientOf(3), 'spread', 'k/1')).length).toBe(100_000);
    void fourth;
  });
});
