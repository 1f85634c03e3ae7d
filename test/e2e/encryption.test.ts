// Encryption at rest end to end: SSE-S3 per request, by bucket default and by --encrypt-all; SSE-C;
// ranges, multipart and copies of encrypted objects; what lands on disk; master keys across restarts;
// the scrub; and boto3's SSE-S3 and SSE-C round trips.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand,
  DeleteBucketEncryptionCommand, GetBucketEncryptionCommand, GetObjectCommand, HeadObjectCommand, ListPartsCommand,
  PutBucketEncryptionCommand, PutObjectCommand, UploadPartCommand, UploadPartCopyCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { ciphertextSize } from '../../src/crypto/blob-format.js';
import { boto3Python, isolatedAwsEnv, run, type IsolatedAwsEnv } from '../support/external-clients.js';
import { md5hex, MiB } from '../support/object-checks.js';
import { errorCode, signedRequest } from '../support/raw-client.js';
import { s3Error } from '../support/s3-error.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { isInline, readStoredBlob } from '../support/stored-blobs.js';

const SEG = 64 * 1024;
const bin = path.resolve('bin/sklad');

/** A customer key as the SDK takes it (base64 of 32 bytes) with its MD5. */
function customerKey(): { key: string; raw: Buffer; md5: string } {
  const raw = randomBytes(32);
  return { key: raw.toString('base64'), raw, md5: createHash('md5').update(raw).digest('base64') };
}

/** Plaintext with a recognisable pattern, so its absence from the blob files means something. */
function marked(size: number, label: string): Buffer {
  const unit = Buffer.from(`<<${label}:plaintext-marker>>`);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += unit.length) unit.copy(out, i);
  return out;
}

function blobPath(dataDir: string, id: string): string {
  return path.join(dataDir, 'blobs', id.slice(0, 2), id.slice(2, 4), id);
}

function indexRows<T>(dataDir: string, sql: string, ...args: unknown[]): T[] {
  const db = new Database(path.join(dataDir, 'index.sqlite'), { readonly: true });
  try {
    return db.prepare(sql).all(...args) as T[];
  } finally {
    db.close();
  }
}

function blobsOf(dataDir: string, bucket: string, key: string): { blob_id: string; size: number }[] {
  return indexRows(dataDir, 'SELECT blob_id, size FROM object_blobs WHERE bucket = ? AND key = ? ORDER BY seq', bucket, key);
}

/** Every blob file of the object, checked to hold ciphertext of the recorded plaintext size, never the plaintext. */
async function expectEncryptedOnDisk(dataDir: string, bucket: string, key: string, plain: Buffer): Promise<void> {
  const blobs = blobsOf(dataDir, bucket, key);
  expect(blobs.length).toBeGreaterThan(0);
  expect(blobs.reduce((n, b) => n + b.size, 0)).toBe(plain.length);
  const probe = plain.subarray(0, Math.min(plain.length, 64));
  for (const blob of blobs) {
    const stored = await readStoredBlob(dataDir, blob.blob_id);
    expect(stored.length).toBe(ciphertextSize(blob.size));
    if (probe.length >= 16) expect(stored.includes(probe)).toBe(false);
  }
}

async function body(s3: S3Client, input: ConstructorParameters<typeof GetObjectCommand>[0]): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand(input));
  return Buffer.from(await res.Body!.transformToByteArray());
}

async function scrubCli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'scrub', '--data', dataDir, ...args]);
    return { code: 0, stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout + err.stderr };
  }
}

describe('encryption at rest', { timeout: 60_000 }, () => {
  let t: TestServer;
  let s3: S3Client;
  const bucket = 'sealed';

  beforeAll(async () => {
    t = await startTestServer();
    s3 = t.client({ maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(() => t.cleanup());

  describe('SSE-S3', () => {
    it('encrypts on request, answers AES256 on PUT, GET and HEAD, and keeps the plaintext ETag and checksum', async () => {
      const plain = marked(3 * SEG + 777, 'sse-s3');
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 's3/one', Body: plain, ServerSideEncryption: 'AES256', ChecksumAlgorithm: 'CRC32' }));
      expect(put.ServerSideEncryption).toBe('AES256');
      expect(put.ETag).toBe(`"${md5hex(plain)}"`);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 's3/one', ChecksumMode: 'ENABLED' }));
      expect(got.ServerSideEncryption).toBe('AES256');
      expect(got.ContentLength).toBe(plain.length);
      expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(plain)).toBe(true);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 's3/one' }));
      expect(head.ServerSideEncryption).toBe('AES256');
      expect(head.ETag).toBe(put.ETag);
      await expectEncryptedOnDisk(t.dataDir, bucket, 's3/one', plain);
    });

    it('stores objects that ask for nothing in plaintext, and says nothing about encryption', async () => {
      const plain = marked(1000, 'plain');
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 's3/plain', Body: plain }));
      expect(put.ServerSideEncryption).toBeUndefined();
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 's3/plain' }))).ServerSideEncryption).toBeUndefined();
      const [blob] = blobsOf(t.dataDir, bucket, 's3/plain');
      expect((await readStoredBlob(t.dataDir, blob!.blob_id)).equals(plain)).toBe(true);
    });

    it('serves ranges that start, end and cross segment boundaries', async () => {
      const plain = randomBytes(4 * SEG + 123);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 's3/ranged', Body: plain, ServerSideEncryption: 'AES256' }));
      const ranges: [number, number][] = [[0, 0], [0, SEG - 1], [SEG - 1, SEG], [SEG, 2 * SEG - 1], [100, 3 * SEG + 5], [4 * SEG, 4 * SEG + 122], [plain.length - 1, plain.length - 1]];
      for (const [start, end] of ranges) {
        const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 's3/ranged', Range: `bytes=${start}-${end}` }));
        expect(res.ContentRange).toBe(`bytes ${start}-${end}/${plain.length}`);
        expect(Buffer.from(await res.Body!.transformToByteArray()).equals(plain.subarray(start, end + 1))).toBe(true);
      }
      const suffix = await body(s3, { Bucket: bucket, Key: 's3/ranged', Range: 'bytes=-70000' });
      expect(suffix.equals(plain.subarray(plain.length - 70000))).toBe(true);
    });

    it('stores empty objects encrypted too', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 's3/empty', Body: '', ServerSideEncryption: 'AES256' }));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 's3/empty' }));
      expect(got.ServerSideEncryption).toBe('AES256');
      expect((await got.Body!.transformToByteArray()).length).toBe(0);
      const [blob] = blobsOf(t.dataDir, bucket, 's3/empty');
      expect(isInline(t.dataDir, blob!.blob_id)).toBe(true);
      expect((await readStoredBlob(t.dataDir, blob!.blob_id)).length).toBe(ciphertextSize(0));
    });

    it('refuses aws:kms clearly, other values as S3 does, and x-amz-server-side-encryption on reads', async () => {
      expect(await s3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 's3/kms', Body: 'x', ServerSideEncryption: 'aws:kms' })))).toMatchObject({ name: 'NotImplemented', status: 501 });
      const bogus = await signedRequest(t.endpoint, { method: 'PUT', path: `/${bucket}/s3/bogus`, body: 'x', headers: { 'x-amz-server-side-encryption': 'AES512' } });
      expect([bogus.status, errorCode(bogus.body)]).toEqual([400, 'InvalidArgument']);
      const kmsKey = await signedRequest(t.endpoint, { method: 'PUT', path: `/${bucket}/s3/bogus`, body: 'x', headers: { 'x-amz-server-side-encryption': 'AES256', 'x-amz-server-side-encryption-aws-kms-key-id': 'k' } });
      expect([kmsKey.status, errorCode(kmsKey.body)]).toEqual([400, 'InvalidArgument']);
      const read = await signedRequest(t.endpoint, { method: 'GET', path: `/${bucket}/s3/one`, headers: { 'x-amz-server-side-encryption': 'AES256' } });
      expect([read.status, errorCode(read.body)]).toEqual([400, 'InvalidArgument']);
    });

    it('encrypts a multipart upload: every part, partNumber and cross-part range reads, ListParts', async () => {
      const parts = [marked(5 * MiB, 'mp-1'), marked(5 * MiB + 3, 'mp-2'), marked(70_000, 'mp-3')];
      const plain = Buffer.concat(parts);
      const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 's3/multi', ServerSideEncryption: 'AES256' }));
      expect(created.ServerSideEncryption).toBe('AES256');
      const done = [];
      for (const [i, part] of parts.entries()) {
        const r = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 's3/multi', UploadId: created.UploadId, PartNumber: i + 1, Body: part }));
        expect(r.ServerSideEncryption).toBe('AES256');
        expect(r.ETag).toBe(`"${md5hex(part)}"`);
        done.push({ PartNumber: i + 1, ETag: r.ETag });
      }
      const listed = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: 's3/multi', UploadId: created.UploadId }));
      expect(listed.Parts?.map((p) => p.Size)).toEqual(parts.map((p) => p.length));
      const completed = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 's3/multi', UploadId: created.UploadId, MultipartUpload: { Parts: done } }));
      expect(completed.ServerSideEncryption).toBe('AES256');
      expect((await body(s3, { Bucket: bucket, Key: 's3/multi' })).equals(plain)).toBe(true);
      const second = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 's3/multi', PartNumber: 2 }));
      expect(second.ServerSideEncryption).toBe('AES256');
      expect(Buffer.from(await second.Body!.transformToByteArray()).equals(parts[1]!)).toBe(true);
      const start = 5 * MiB - 10;
      const across = await body(s3, { Bucket: bucket, Key: 's3/multi', Range: `bytes=${start}-${10 * MiB + 20}` });
      expect(across.equals(plain.subarray(start, 10 * MiB + 21))).toBe(true);
      await expectEncryptedOnDisk(t.dataDir, bucket, 's3/multi', plain);
    });
  });

  describe('bucket default encryption', () => {
    const b = 'defaulted';
    beforeAll(async () => {
      await s3.send(new CreateBucketCommand({ Bucket: b }));
    });

    it('goes through its lifecycle: not found, put, applied to new objects, deleted', async () => {
      expect(await s3Error(s3.send(new GetBucketEncryptionCommand({ Bucket: b })))).toMatchObject({ name: 'ServerSideEncryptionConfigurationNotFoundError', status: 404 });
      await s3.send(new PutBucketEncryptionCommand({
        Bucket: b,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      }));
      const config = await s3.send(new GetBucketEncryptionCommand({ Bucket: b }));
      expect(config.ServerSideEncryptionConfiguration?.Rules).toEqual([{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }]);

      const plain = marked(2 * SEG, 'default');
      const put = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'auto', Body: plain }));
      expect(put.ServerSideEncryption).toBe('AES256');
      await expectEncryptedOnDisk(t.dataDir, b, 'auto', plain);
      const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'auto-mp' }));
      expect(created.ServerSideEncryption).toBe('AES256');
      const part = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'auto-mp', UploadId: created.UploadId, PartNumber: 1, Body: plain }));
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'auto-mp', UploadId: created.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
      await expectEncryptedOnDisk(t.dataDir, b, 'auto-mp', plain);

      await s3.send(new DeleteBucketEncryptionCommand({ Bucket: b }));
      await s3.send(new DeleteBucketEncryptionCommand({ Bucket: b }));
      expect(await s3Error(s3.send(new GetBucketEncryptionCommand({ Bucket: b })))).toMatchObject({ name: 'ServerSideEncryptionConfigurationNotFoundError' });
      expect((await s3.send(new PutObjectCommand({ Bucket: b, Key: 'later', Body: 'x' }))).ServerSideEncryption).toBeUndefined();
      expect((await body(s3, { Bucket: b, Key: 'auto' })).equals(plain)).toBe(true);
    });

    it('refuses aws:kms, a KMS key with AES256, no rule, and a body without a digest', async () => {
      const put = (SSEAlgorithm: 'AES256' | 'aws:kms', KMSMasterKeyID?: string) => s3.send(new PutBucketEncryptionCommand({
        Bucket: b, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm, KMSMasterKeyID } }] },
      }));
      expect(await s3Error(put('aws:kms'))).toMatchObject({ name: 'NotImplemented' });
      expect(await s3Error(put('AES256', 'some-key'))).toMatchObject({ name: 'InvalidArgument', status: 400 });
      expect(await s3Error(s3.send(new PutBucketEncryptionCommand({ Bucket: b, ServerSideEncryptionConfiguration: { Rules: [] } })))).toMatchObject({ name: 'MalformedXML' });
      const doc = '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>';
      const bare = await signedRequest(t.endpoint, { method: 'PUT', path: `/${b}`, query: { encryption: '' }, body: doc });
      expect([bare.status, errorCode(bare.body)]).toEqual([400, 'MissingContentMD5']);
      const md5 = createHash('md5').update(doc).digest('base64');
      const ok = await signedRequest(t.endpoint, { method: 'PUT', path: `/${b}`, query: { encryption: '' }, body: doc, headers: { 'content-md5': md5 } });
      expect(ok.status).toBe(200);
      await s3.send(new DeleteBucketEncryptionCommand({ Bucket: b }));
      expect(await s3Error(s3.send(new GetBucketEncryptionCommand({ Bucket: 'no-such-bucket-here' })))).toMatchObject({ name: 'NoSuchBucket' });
    });
  });

  describe('SSE-C', () => {
    const k = customerKey();
    const other = customerKey();
    const withKey = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: k.key } as const;

    it('round-trips with the key, echoes algorithm and key MD5, and stores neither plaintext nor key', async () => {
      const plain = marked(2 * SEG + 5, 'sse-c');
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'c/one', Body: plain, ...withKey }));
      expect(put.SSECustomerAlgorithm).toBe('AES256');
      expect(put.SSECustomerKeyMD5).toBe(k.md5);
      expect(put.ServerSideEncryption).toBeUndefined();
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c/one', ...withKey }));
      expect(got.SSECustomerKeyMD5).toBe(k.md5);
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(plain)).toBe(true);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c/one', ...withKey }));
      expect([head.SSECustomerAlgorithm, head.ContentLength]).toEqual(['AES256', plain.length]);
      const ranged = await body(s3, { Bucket: bucket, Key: 'c/one', Range: `bytes=${SEG - 3}-${SEG + 3}`, ...withKey });
      expect(ranged.equals(plain.subarray(SEG - 3, SEG + 4))).toBe(true);
      await expectEncryptedOnDisk(t.dataDir, bucket, 'c/one', plain);
      const [row] = indexRows<{ encryption: string }>(t.dataDir, "SELECT encryption FROM objects WHERE bucket = ? AND key = 'c/one'", bucket);
      expect(row!.encryption).not.toContain(k.key);
      expect(JSON.parse(row!.encryption)).toMatchObject({ mode: 'SSE-C', keyMd5: k.md5 });
    });

    it('round-trips a small object stored inline, ranges included, encrypted in the index too', async () => {
      const plain = marked(3000, 'small-c');
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'c/small', Body: plain, ...withKey }));
      const [blob] = blobsOf(t.dataDir, bucket, 'c/small');
      expect(isInline(t.dataDir, blob!.blob_id)).toBe(true);
      await expectEncryptedOnDisk(t.dataDir, bucket, 'c/small', plain);
      expect((await body(s3, { Bucket: bucket, Key: 'c/small', ...withKey })).equals(plain)).toBe(true);
      expect((await body(s3, { Bucket: bucket, Key: 'c/small', Range: 'bytes=100-2000', ...withKey })).equals(plain.subarray(100, 2001))).toBe(true);
    });

    it('answers reads without the key 400, with the wrong key 403, and keys on other objects 400', async () => {
      expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c/one' })))).toMatchObject({ name: 'InvalidRequest', status: 400 });
      expect((await s3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c/one' })))).status).toBe(400);
      const wrong = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: other.key };
      expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c/one', ...wrong })))).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect((await s3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c/one', ...wrong })))).status).toBe(403);
      expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 's3/one', ...withKey })))).toMatchObject({ name: 'InvalidRequest', status: 400 });
      expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 's3/plain', ...withKey })))).toMatchObject({ name: 'InvalidRequest' });
    });

    it('validates the headers as S3 does', async () => {
      const put = (headers: Record<string, string>) => signedRequest(t.endpoint, { method: 'PUT', path: `/${bucket}/c/bad`, body: 'x', headers });
      const trio = { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': k.key, 'x-amz-server-side-encryption-customer-key-md5': k.md5 };
      const cases: [Record<string, string>, string][] = [
        [{ ...trio, 'x-amz-server-side-encryption': 'AES256' }, 'InvalidArgument'],
        [{ ...trio, 'x-amz-server-side-encryption-customer-key-md5': other.md5 }, 'InvalidArgument'],
        [{ ...trio, 'x-amz-server-side-encryption-customer-algorithm': 'AES128' }, 'InvalidEncryptionAlgorithmError'],
        [{ 'x-amz-server-side-encryption-customer-key': k.key, 'x-amz-server-side-encryption-customer-key-md5': k.md5 }, 'InvalidArgument'],
        [{ 'x-amz-server-side-encryption-customer-algorithm': 'AES256' }, 'InvalidArgument'],
      ];
      const short = randomBytes(16);
      cases.push([{ ...trio, 'x-amz-server-side-encryption-customer-key': short.toString('base64'), 'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(short).digest('base64') }, 'InvalidArgument']);
      for (const [headers, code] of cases) {
        const res = await put(headers);
        expect([res.status, errorCode(res.body)]).toEqual([400, code]);
      }
      expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c/bad' })))).toMatchObject({ status: 404 });
    });

    it('needs the same key on every part of an SSE-C multipart upload, and reads parts back with it', async () => {
      const parts = [randomBytes(5 * MiB), randomBytes(SEG + 1)];
      const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'c/multi', ...withKey }));
      expect(created.SSECustomerKeyMD5).toBe(k.md5);
      const upload = { Bucket: bucket, Key: 'c/multi', UploadId: created.UploadId };
      expect(await s3Error(s3.send(new UploadPartCommand({ ...upload, PartNumber: 1, Body: parts[0] })))).toMatchObject({ name: 'InvalidRequest' });
      expect(await s3Error(s3.send(new UploadPartCommand({ ...upload, PartNumber: 1, Body: parts[0], SSECustomerAlgorithm: 'AES256', SSECustomerKey: other.key })))).toMatchObject({ name: 'InvalidRequest' });
      const done = [];
      for (const [i, part] of parts.entries()) {
        const r = await s3.send(new UploadPartCommand({ ...upload, PartNumber: i + 1, Body: part, ...withKey }));
        expect(r.SSECustomerKeyMD5).toBe(k.md5);
        done.push({ PartNumber: i + 1, ETag: r.ETag });
      }
      await s3.send(new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts: done } }));
      expect((await body(s3, { Bucket: bucket, Key: 'c/multi', ...withKey })).equals(Buffer.concat(parts))).toBe(true);
      expect((await body(s3, { Bucket: bucket, Key: 'c/multi', PartNumber: 2, ...withKey })).equals(parts[1]!)).toBe(true);
      expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c/multi', PartNumber: 2 })))).toMatchObject({ name: 'InvalidRequest' });
    });

    it('refuses SSE-C over plain HTTP unless the operator allows it', async () => {
      const strict = await startTestServer({ env: { SKLAD_ALLOW_INSECURE_SSE_C: 'false' } });
      try {
        const c = strict.client({ maxAttempts: 1 });
        await c.send(new CreateBucketCommand({ Bucket: 'bkt' }));
        const err = await s3Error(c.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: 'x', ...withKey })));
        expect(err).toMatchObject({ name: 'InvalidRequest', status: 400 });
        expect(err.message).toContain('secure connection');
      } finally {
        await strict.cleanup();
      }
    });
  });

  describe('copies', () => {
    const k = customerKey();
    const k2 = customerKey();
    const withKey = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: k.key } as const;
    const sourceKey = { CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: k.key } as const;
    const plain = marked(3 * SEG + 9, 'copied');
    const ids = (key: string) => blobsOf(t.dataDir, bucket, key).map((b) => b.blob_id);

    beforeAll(async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cp/s3', Body: plain, ServerSideEncryption: 'AES256' }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cp/c', Body: plain, ...withKey }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cp/plain', Body: plain }));
    });

    it('SSE-S3 to SSE-S3 shares the blobs; to plaintext and from plaintext it copies the bytes', async () => {
      const same = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'cp/s3-s3', CopySource: `${bucket}/cp/s3`, ServerSideEncryption: 'AES256' }));
      expect(same.ServerSideEncryption).toBe('AES256');
      expect(ids('cp/s3-s3')).toEqual(ids('cp/s3'));
      expect((await body(s3, { Bucket: bucket, Key: 'cp/s3-s3' })).equals(plain)).toBe(true);

      const decrypted = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'cp/s3-plain', CopySource: `${bucket}/cp/s3` }));
      expect(decrypted.ServerSideEncryption).toBeUndefined();
      expect(ids('cp/s3-plain')).not.toEqual(ids('cp/s3'));
      expect((await readStoredBlob(t.dataDir, ids('cp/s3-plain')[0]!)).equals(plain)).toBe(true);

      const encrypted = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'cp/plain-s3', CopySource: `${bucket}/cp/plain`, ServerSideEncryption: 'AES256' }));
      expect(encrypted.ServerSideEncryption).toBe('AES256');
      expect(encrypted.CopyObjectResult?.ETag).toBe(`"${md5hex(plain)}"`);
      await expectEncryptedOnDisk(t.dataDir, bucket, 'cp/plain-s3', plain);
      expect((await body(s3, { Bucket: bucket, Key: 'cp/plain-s3', Range: 'bytes=70000-70100' })).equals(plain.subarray(70000, 70101))).toBe(true);
    });

    it('encrypts an object in place by copying it onto itself with SSE', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cp/in-place', Body: plain }));
      const res = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'cp/in-place', CopySource: `${bucket}/cp/in-place`, ServerSideEncryption: 'AES256' }));
      expect(res.ServerSideEncryption).toBe('AES256');
      await expectEncryptedOnDisk(t.dataDir, bucket, 'cp/in-place', plain);
      expect((await body(s3, { Bucket: bucket, Key: 'cp/in-place' })).equals(plain)).toBe(true);
    });

    it('an SSE-C source needs its key; same key shares blobs, another key or SSE-S3 re-encrypts', async () => {
      expect(await s3Error(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'cp/x', CopySource: `${bucket}/cp/c`, ...withKey })))).toMatchObject({ name: 'InvalidRequest' });
      const wrongSource = { CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: k2.key };
      expect(await s3Error(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'cp/x', CopySource: `${bucket}/cp/c`, ...wrongSource })))).toMatchObject({ name: 'AccessDenied' });

      const shared = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'cp/c-c', CopySource: `${bucket}/cp/c`, ...sourceKey, ...withKey }));
      expect(shared.SSECustomerKeyMD5).toBe(k.md5);
      expect(ids('cp/c-c')).toEqual(ids('cp/c'));

      const rekeyed = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'cp/c-c2', CopySource: `${bucket}/cp/c`, ...sourceKey, SSECustomerAlgorithm: 'AES256', SSECustomerKey: k2.key }));
      expect(rekeyed.SSECustomerKeyMD5).toBe(k2.md5);
      expect(ids('cp/c-c2')).not.toEqual(ids('cp/c'));
      expect((await body(s3, { Bucket: bucket, Key: 'cp/c-c2', SSECustomerAlgorithm: 'AES256', SSECustomerKey: k2.key })).equals(plain)).toBe(true);
      expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cp/c-c2', ...withKey })))).toMatchObject({ name: 'AccessDenied' });

      const toS3 = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'cp/c-s3', CopySource: `${bucket}/cp/c`, ...sourceKey, ServerSideEncryption: 'AES256' }));
      expect(toS3.ServerSideEncryption).toBe('AES256');
      await expectEncryptedOnDisk(t.dataDir, bucket, 'cp/c-s3', plain);
      expect((await body(s3, { Bucket: bucket, Key: 'cp/c-s3' })).equals(plain)).toBe(true);

      expect(await s3Error(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'cp/x', CopySource: `${bucket}/cp/plain`, ...sourceKey })))).toMatchObject({ name: 'InvalidRequest' });
    });

    it('UploadPartCopy decrypts the source and encrypts the part with the upload encryption', async () => {
      const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'cp/mp', SSECustomerAlgorithm: 'AES256', SSECustomerKey: k2.key }));
      const upload = { Bucket: bucket, Key: 'cp/mp', UploadId: created.UploadId, SSECustomerAlgorithm: 'AES256', SSECustomerKey: k2.key };
      expect(await s3Error(s3.send(new UploadPartCopyCommand({ ...upload, PartNumber: 1, CopySource: `${bucket}/cp/c` })))).toMatchObject({ name: 'InvalidRequest' });
      const p1 = await s3.send(new UploadPartCopyCommand({ ...upload, PartNumber: 1, CopySource: `${bucket}/cp/s3`, CopySourceRange: 'bytes=0-99999' }));
      const p2 = await s3.send(new UploadPartCopyCommand({ ...upload, PartNumber: 2, CopySource: `${bucket}/cp/c`, ...sourceKey }));
      expect(p2.SSECustomerKeyMD5).toBe(k2.md5);
      // A 100 000-byte first part is below the 5 MiB minimum: complete with part 2 alone, then read.
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'cp/mp', UploadId: created.UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: p2.CopyPartResult?.ETag }] } }));
      expect(p1.CopyPartResult?.ETag).toBe(`"${md5hex(plain.subarray(0, 100000))}"`);
      expect((await body(s3, { Bucket: bucket, Key: 'cp/mp', SSECustomerAlgorithm: 'AES256', SSECustomerKey: k2.key })).equals(plain)).toBe(true);
      await expectEncryptedOnDisk(t.dataDir, bucket, 'cp/mp', plain);
    });
  });

  it('detects a damaged SSE-S3 blob on GET: the response is cut and the object quarantined', async () => {
    const plain = randomBytes(3 * SEG);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'damaged', Body: plain, ServerSideEncryption: 'AES256' }));
    const [blob] = blobsOf(t.dataDir, bucket, 'damaged');
    const file = blobPath(t.dataDir, blob!.blob_id);
    const stored = await readFile(file);
    stored[stored.length - 20]! ^= 0x01;
    await writeFile(file, stored);
    await expect(body(s3, { Bucket: bucket, Key: 'damaged' })).rejects.toThrow();
    let err = await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'damaged' })));
    for (let i = 0; i < 250 && err.name !== 'InvalidObjectState'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      err = await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'damaged' })));
    }
    expect(err.name).toBe('InvalidObjectState');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'damaged', Body: 'replaced', ServerSideEncryption: 'AES256' }));
  });
});

describe('master keys and operator settings', { timeout: 60_000 }, () => {
  it('generates DATA/master.key (mode 600) once and reads objects back after a restart', async () => {
    const t = await startTestServer();
    try {
      const s3 = t.client({ maxAttempts: 1 });
      await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
      const plain = randomBytes(100_000);
      await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: plain, ServerSideEncryption: 'AES256' }));
      const keyFile = path.join(t.dataDir, 'master.key');
      const before = await readFile(keyFile, 'utf8');
      if (process.platform !== 'win32') expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      expect(Buffer.from(before.trim(), 'base64')).toHaveLength(32);
      await t.restart();
      expect(await readFile(keyFile, 'utf8')).toBe(before);
      expect((await body(t.client(), { Bucket: 'bkt', Key: 'k' })).equals(plain)).toBe(true);
    } finally {
      await t.cleanup();
    }
  });

  it('rotates: a new SKLAD_MASTER_KEY with the old one in SKLAD_OLD_MASTER_KEYS reads old and new objects', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const first = await startTestServer({ env: { SKLAD_MASTER_KEY: oldKey } });
    const dataDir = first.dataDir;
    const plain = randomBytes(70_000);
    try {
      const s3 = first.client({ maxAttempts: 1 });
      await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
      await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'old', Body: plain, ServerSideEncryption: 'AES256' }));
      await expect(stat(path.join(dataDir, 'master.key'))).rejects.toThrow();
    } finally {
      await first.stop();
    }
    const second = await startTestServer({ dataDir, env: { SKLAD_MASTER_KEY: newKey, SKLAD_OLD_MASTER_KEYS: oldKey } });
    try {
      const s3 = second.client({ maxAttempts: 1 });
      await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'new', Body: plain, ServerSideEncryption: 'AES256' }));
      expect((await body(s3, { Bucket: 'bkt', Key: 'old' })).equals(plain)).toBe(true);
      expect((await body(s3, { Bucket: 'bkt', Key: 'new' })).equals(plain)).toBe(true);
      const keyIds = indexRows<{ encryption: string }>(dataDir, "SELECT encryption FROM objects WHERE bucket = 'bkt' ORDER BY key")
        .map((r) => (JSON.parse(r.encryption) as { keyId: string }).keyId);
      expect(new Set(keyIds).size).toBe(2);
    } finally {
      await second.cleanup();
    }
  });

  it('refuses to start with a malformed master key', async () => {
    await expect(startTestServer({ env: { SKLAD_MASTER_KEY: 'too-short' } })).rejects.toThrow(/base64/);
  });

  it('--encrypt-all encrypts every new object and reports the default on every bucket', async () => {
    const t = await startTestServer({ env: { SKLAD_ENCRYPT_ALL: 'true' } });
    try {
      const s3 = t.client({ maxAttempts: 1 });
      await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
      const plain = marked(10_000, 'encrypt-all');
      expect((await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: plain }))).ServerSideEncryption).toBe('AES256');
      await expectEncryptedOnDisk(t.dataDir, 'bkt', 'k', plain);
      const config = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'bkt' }));
      expect(config.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
      // SSE-C requests still get SSE-C.
      const k = customerKey();
      const put = await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'c', Body: plain, SSECustomerAlgorithm: 'AES256', SSECustomerKey: k.key }));
      expect([put.ServerSideEncryption, put.SSECustomerKeyMD5]).toEqual([undefined, k.md5]);
    } finally {
      await t.cleanup();
    }
  });

  it('sklad scrub decrypts SSE-S3 objects, checks SSE-C objects by size, and finds damage in both', async () => {
    const t = await startTestServer();
    try {
      const s3 = t.client({ maxAttempts: 1 });
      await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
      const k = customerKey();
      for (const key of ['s3-ok', 's3-bad']) await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: key, Body: randomBytes(2 * SEG + 1), ServerSideEncryption: 'AES256' }));
      for (const key of ['c-ok', 'c-bad']) await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: key, Body: randomBytes(2 * SEG + 1), SSECustomerAlgorithm: 'AES256', SSECustomerKey: k.key }));
      const clean = await scrubCli(t.dataDir, '--json');
      expect(clean.code).toBe(0);
      expect(JSON.parse(clean.stdout)).toMatchObject({ objects: 4, findings: [], contentUnverified: 2 });

      const s3Bad = blobPath(t.dataDir, blobsOf(t.dataDir, 'bkt', 's3-bad')[0]!.blob_id);
      const bytes = await readFile(s3Bad);
      bytes[SEG]! ^= 0x10;
      await writeFile(s3Bad, bytes);
      const cBad = blobPath(t.dataDir, blobsOf(t.dataDir, 'bkt', 'c-bad')[0]!.blob_id);
      await writeFile(cBad, (await readFile(cBad)).subarray(0, 1000));
      const damaged = await scrubCli(t.dataDir, '--json');
      expect(damaged.code).toBe(1);
      const report = JSON.parse(damaged.stdout) as { findings: { key: string; problem: string }[] };
      expect(report.findings.map((f) => [f.key, f.problem]).sort()).toEqual([['c-bad', 'corrupt'], ['s3-bad', 'corrupt']]);
    } finally {
      await t.cleanup();
    }
  });
});

const SCRIPT = fileURLToPath(new URL('./python/sklad_boto3_sse.py', import.meta.url));
describe('boto3 with server-side encryption', { timeout: 60_000 }, () => {
  let t: TestServer;
  let iso: IsolatedAwsEnv;

  beforeAll(async () => {
    t = await startTestServer();
    iso = await isolatedAwsEnv();
    await t.client().send(new CreateBucketCommand({ Bucket: 'boto' }));
  });
  afterAll(async () => {
    await iso.cleanup();
    await t.cleanup();
  });

  it('round-trips SSE-S3 and SSE-C objects, whole and by Range, and gets the S3 errors for missing and wrong keys', async () => {
    const r = await run(boto3Python(), [SCRIPT, 'boto'], { env: iso.env({ SKLAD_ENDPOINT: t.endpoint }), timeoutMs: 50_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      sse_s3_put: 'AES256',
      sse_s3_get: 'AES256',
      sse_s3_whole_ok: true,
      sse_s3_range_ok: true,
      sse_c_put: { algorithm: 'AES256', md5_matches: true },
      sse_c_whole_ok: true,
      sse_c_range_ok: true,
      sse_c_head_length: 300_000,
      sse_c_no_key: { code: 'InvalidRequest', status: 400 },
      sse_c_wrong_key: { code: 'AccessDenied', status: 403 },
      sse_c_multipart_ok: true,
    });
    await expectEncryptedOnDisk(t.dataDir, 'boto', 'sse-s3', await body(t.client(), { Bucket: 'boto', Key: 'sse-s3' }));
  });
});
