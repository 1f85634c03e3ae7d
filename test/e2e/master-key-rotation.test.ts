// Master-key rotation end to end: data keys and access-key secrets written under key A, the server restarted
// with B as its key and A retired, `sklad admin master-key rewrap` moving everything under B in resumable steps,
// then A removed for good; and what clients get when a needed master key is missing (503, never a 500).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand,
  S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import type { MasterKeyView, RewrapView } from '../../src/admin/types.js';
import { signedRequest } from '../support/raw-client.js';
import { s3Error } from '../support/s3-error.js';
import { ACCESS_KEY, REGION, SECRET_KEY, startTestServer, type TestServer } from '../support/server.js';
import { createUser } from '../support/users.js';

const bin = path.resolve('bin/sklad');
const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const keyC = randomBytes(32).toString('base64');
let dataDir: string;
const clients: S3Client[] = [];

afterAll(async () => {
  for (const c of clients) c.destroy();
  await rm(dataDir, { recursive: true, force: true });
});

/** A server on the shared data folder with these master keys. */
function serve(current: string, old: string[] = []): Promise<TestServer> {
  return startTestServer({ dataDir, env: { SKLAD_MASTER_KEY: current, ...(old.length > 0 ? { SKLAD_OLD_MASTER_KEYS: old.join(',') } : {}) } });
}

function client(t: TestServer, accessKeyId = ACCESS_KEY, secretAccessKey = SECRET_KEY): S3Client {
  const c = new S3Client({ endpoint: t.endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
  clients.push(c);
  return c;
}

async function admin<T>(t: TestServer, method: string, path: string, body?: object): Promise<{ status: number; doc: T }> {
  const res = await signedRequest(t.endpoint, {
    method, path: `/_sklad/admin/v1${path}`, body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
  });
  return { status: res.status, doc: JSON.parse(res.body) as T };
}

function cli(t: TestServer, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SKLAD_') && !k.startsWith('AWS_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'admin', '--endpoint', t.endpoint, '--access-key', ACCESS_KEY, '--secret-key', SECRET_KEY, ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

const text = async (c: S3Client, key: string): Promise<string> =>
  (await c.send(new GetObjectCommand({ Bucket: 'vault', Key: key }))).Body!.transformToString();

describe('master-key rotation', { timeout: 120_000 }, () => {
  it('re-wraps every data key and secret under the new key, resumably, after which the old key can go', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sklad-rotation-'));
    // Under A: three SSE-S3 objects, an open SSE-S3 upload with a part, a user's access key.
    let t = await serve(keyA);
    let s3 = client(t);
    await s3.send(new CreateBucketCommand({ Bucket: 'vault' }));
    for (const key of ['one', 'two', 'three']) {
      await s3.send(new PutObjectCommand({ Bucket: 'vault', Key: key, Body: `secret ${key}`, ServerSideEncryption: 'AES256' }));
    }
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'vault', Key: 'pending', ServerSideEncryption: 'AES256' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'vault', Key: 'pending', UploadId: upload.UploadId, PartNumber: 1, Body: 'part bytes' }));
    const user = await createUser(t, 'rotator', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    user.client.destroy();
    await t.stop();

    // B current, A retired: everything still reads; the status names what A protects.
    t = await serve(keyB, [keyA]);
    s3 = client(t);
    expect(await text(s3, 'two')).toBe('secret two');
    const before = (await admin<MasterKeyView>(t, 'GET', '/master-key')).doc;
    const [idA, idB] = [before.heldKeyIds[1]!, before.currentKeyId];
    expect(before).toMatchObject({ heldKeyIds: [idB, idA], dataKeys: { [idA]: 4 }, accessKeySecrets: { [idA]: 1 }, retirable: [], missing: [] });

    // One step by hand, then an interrupted run resumed from its cursor, then the CLI finishes.
    const first = await admin<RewrapView>(t, 'POST', '/master-key/rewrap', { limit: 2 });
    expect(first.status).toBe(200);
    expect(first.doc).toMatchObject({ scanned: 2, rewrapped: 2, done: false });
    expect(await text(s3, 'one')).toBe('secret one');
    const second = await admin<RewrapView>(t, 'POST', '/master-key/rewrap', { limit: 1, cursor: first.doc.cursor });
    expect(second.doc).toMatchObject({ scanned: 1, rewrapped: 1, done: false });
    expect((await admin<MasterKeyView>(t, 'GET', '/master-key')).doc.dataKeys).toEqual({ [idA]: 1, [idB]: 3 });
    const forged = await admin<{ error: { code: string } }>(t, 'POST', '/master-key/rewrap', { cursor: 'forged' });
    expect(forged).toMatchObject({ status: 400, doc: { error: { code: 'InvalidArgument' } } });

    const run = await cli(t, 'master-key', 'rewrap', '--batch', '1');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/scanned \d+ records, re-wrapped \d+/);
    expect(run.stdout).toContain('re-sealed 1 access-key secrets');
    expect(run.stdout).toContain(`retired keys that protect nothing now: ${idA}`);
    const after = (await admin<MasterKeyView>(t, 'GET', '/master-key')).doc;
    expect(after).toMatchObject({ dataKeys: { [idB]: 4 }, accessKeySecrets: { [idB]: 1 }, retirable: [idA], missing: [] });
    const status = await cli(t, 'master-key', 'status');
    expect(status.stdout).toMatch(new RegExp(`${idA}\\s+retirable\\s+0\\s+0`));
    await t.stop();

    // A gone: every object, the upload and the user's key work under B alone.
    t = await serve(keyB);
    s3 = client(t);
    expect(await text(s3, 'three')).toBe('secret three');
    await s3.send(new CompleteMultipartUploadCommand({
      Bucket: 'vault', Key: 'pending', UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }));
    expect(await text(s3, 'pending')).toBe('part bytes');
    await client(t, user.accessKeyId, user.secretKey).send(new ListBucketsCommand({}));
    await t.stop();

    // B lost (only C given): reads of B's data and B-sealed keys answer 503 ServiceUnavailable naming the key, never 500.
    t = await serve(keyC);
    s3 = client(t);
    const missing = await s3Error(s3.send(new GetObjectCommand({ Bucket: 'vault', Key: 'one' })));
    expect(missing).toMatchObject({ name: 'ServiceUnavailable', status: 503 });
    expect(missing.message).toContain(idB);
    expect(await s3Error(client(t, user.accessKeyId, user.secretKey).send(new ListBucketsCommand({})))).toMatchObject({ name: 'ServiceUnavailable', status: 503 });
    expect((await admin<MasterKeyView>(t, 'GET', '/master-key')).doc).toMatchObject({ missing: [idB] });
    // A re-wrap leaves what it cannot open (four objects, one secret) and says so.
    const blocked = await admin<RewrapView>(t, 'POST', '/master-key/rewrap', {});
    expect(blocked.doc).toMatchObject({ done: true, rewrapped: 0, unavailable: 5 });
    await t.cleanup();
  });
});
