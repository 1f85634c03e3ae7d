// The admin API against a real server: every endpoint's answers and errors, keys it issues working (and
// stopping working) for S3 requests signed by the AWS SDK, and secrets never leaving the server again.
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand, GetObjectAclCommand, GetObjectCommand, ListBucketsCommand, PutBucketOwnershipControlsCommand, PutBucketVersioningCommand,
  PutObjectCommand, S3Client, type ObjectOwnership,
} from '@aws-sdk/client-s3';
import pino from 'pino';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { send, sha256hex, signedRequest } from '../support/raw-client.js';
import { ACCESS_KEY, REGION, SECRET_KEY } from '../support/server.js';
import { s3Error } from '../support/s3-error.js';

const ADMIN = '/_sklad/admin/v1';
const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
const allowS3 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };

let server: RunningServer;
let endpoint: string;
let dataDir: string;
/** Every log line the server wrote, at every level, to search for secrets. */
const logLines: string[] = [];
/** Every GET answer the tests received, to search for secrets. */
const getBodies: string[] = [];
/** Every secret the API handed out. */
const secrets: string[] = [];
const clients: S3Client[] = [];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: any;
}

async function admin(
  method: string,
  route: string,
  opts: { body?: unknown; raw?: string; accessKey?: string; secret?: string; payloadHash?: string } = {},
): Promise<Answer> {
  const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const res = await signedRequest(endpoint, {
    method,
    path: ADMIN + route,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body,
    accessKey: opts.accessKey,
    secret: opts.secret,
    payloadHash: opts.payloadHash,
  });
  if (method === 'GET') getBodies.push(res.body);
  return { ...res, json: res.body === '' ? undefined : JSON.parse(res.body) };
}

function expectError(res: Answer, status: number, code: string): void {
  expect(res.status, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.json.error.code).toBe(code);
  expect(typeof res.json.error.message).toBe('string');
  expect(res.json.requestId).toBe(res.headers['x-amz-request-id']);
}

function sdk(accessKeyId: string, secretAccessKey: string): S3Client {
  const c = new S3Client({ endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  clients.push(c);
  return c;
}

async function newKey(user: string): Promise<{ accessKeyId: string; secretKey: string }> {
  const res = await admin('POST', `/users/${user}/keys`);
  expect(res.status, res.body).toBe(201);
  secrets.push(res.json.secretKey);
  return res.json;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sklad-admin-api-'));
  // Captured at trace level: the secret-leak check must see everything the server could ever log.
  const log = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
  server = await startServer(
    loadConfig(
      { data: dataDir, host: '127.0.0.1', port: '0' },
      { SKLAD_ACCESS_KEY: ACCESS_KEY, SKLAD_SECRET_KEY: SECRET_KEY, SKLAD_SHUTDOWN_GRACE_MS: '2000' },
    ),
    log,
  );
  endpoint = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
  const internal = logLines.filter((l) => l.includes('"msg":"internal error"'));
  expect(internal, internal.join('')).toEqual([]);
});

describe('authentication and routing', () => {
  it('refuses unsigned requests, wrong secrets, unknown keys and unsigned payloads with JSON errors', async () => {
    const unsigned = await send(endpoint, 'GET', `${ADMIN}/info`, undefined, {});
    expect(unsigned.status).toBe(403);
    expect(JSON.parse(unsigned.body).error.code).toBe('AccessDenied');

    expectError(await admin('GET', '/info', { secret: 'wrong-secret-0123456789' }), 403, 'SignatureDoesNotMatch');
    expectError(await admin('GET', '/info', { accessKey: 'SKNOSUCHKEY000000000' }), 403, 'InvalidAccessKeyId');
    expectError(await admin('POST', '/users', { body: { name: 'nobody' }, payloadHash: 'UNSIGNED-PAYLOAD' }), 403, 'AccessDenied');
    expectError(await admin('GET', '/users/nobody'), 404, 'NoSuchEntity');
  });

  it('refuses a body that is not the one signed, and changes nothing', async () => {
    const res = await admin('POST', '/users', { body: { name: 'mallory' }, payloadHash: sha256hex(JSON.stringify({ name: 'alice' })) });
    expectError(res, 400, 'XAmzContentSHA256Mismatch');
    expectError(await admin('GET', '/users/mallory'), 404, 'NoSuchEntity');
  });

  it('answers 404 for unknown paths and 405 with Allow for unknown methods', async () => {
    expectError(await admin('GET', '/nope'), 404, 'NotFound');
    expectError(await admin('GET', ''), 404, 'NotFound');
    const wrong = await admin('DELETE', '/info');
    expectError(wrong, 405, 'MethodNotAllowed');
    expect(wrong.headers.allow).toBe('GET');
  });

  it('leaves S3 requests alone', async () => {
    const s3 = sdk(ACCESS_KEY, SECRET_KEY);
    await s3.send(new CreateBucketCommand({ Bucket: 'admin-untouched' }));
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toContain('admin-untouched');
  });
});

describe('GET /info', () => {
  it('reports version, region and totals', async () => {
    const res = await admin('GET', '/info');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ version, region: REGION });
    for (const field of ['uptimeSeconds', 'buckets', 'objects', 'bytes', 'users']) expect(Number.isInteger(res.json[field])).toBe(true);
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('users', () => {
  it('creates, lists, shows, disables, enables and deletes a user', async () => {
    const made = await admin('POST', '/users', { body: { name: 'alice' } });
    expect(made.status, made.body).toBe(201);
    expect(made.json).toMatchObject({ name: 'alice', disabled: false, policy: null, quota: null, usage: { objects: 0, bytes: 0 }, accessKeys: [] });
    expect(Date.parse(made.json.createdAt)).not.toBeNaN();

    const list = await admin('GET', '/users');
    expect(list.json.users).toContainEqual(expect.objectContaining({ name: 'alice', disabled: false, hasPolicy: false, quota: null, accessKeys: 0, usage: { objects: 0, bytes: 0 } }));
    expect((await admin('GET', '/info')).json.users).toBeGreaterThanOrEqual(1);

    expect((await admin('PATCH', '/users/alice', { body: { disabled: true } })).json.disabled).toBe(true);
    expect((await admin('GET', '/users/alice')).json.disabled).toBe(true);
    expect((await admin('PATCH', '/users/alice', { body: { disabled: false } })).json.disabled).toBe(false);

    expect((await admin('DELETE', '/users/alice')).status).toBe(204);
    expectError(await admin('GET', '/users/alice'), 404, 'NoSuchEntity');
  });

  it('refuses duplicates, bad names, malformed JSON, unknown fields and oversized bodies', async () => {
    expect((await admin('POST', '/users', { body: { name: 'bob' } })).status).toBe(201);
    expectError(await admin('POST', '/users', { body: { name: 'bob' } }), 409, 'EntityAlreadyExists');
    // IAM user names are unique without regard to case
    expectError(await admin('POST', '/users', { body: { name: 'Bob' } }), 409, 'EntityAlreadyExists');
    expectError(await admin('POST', '/users', { body: { name: 'BOB' } }), 409, 'EntityAlreadyExists');
    expectError(await admin('POST', '/users', { body: { name: 'root' } }), 400, 'InvalidInput');
    expectError(await admin('POST', '/users', { body: { name: 'Root' } }), 400, 'InvalidInput');
    expectError(await admin('POST', '/users', { body: { name: 'ANONYMOUS' } }), 400, 'InvalidInput');
    expectError(await admin('POST', '/users', { body: { name: 'no/slash' } }), 400, 'InvalidInput');
    expectError(await admin('POST', '/users', { body: { name: '' } }), 400, 'InvalidInput');
    expectError(await admin('POST', '/users', { body: {} }), 400, 'InvalidInput');
    expectError(await admin('POST', '/users', { raw: '{"name": "x"' }), 400, 'InvalidInput');
    expectError(await admin('POST', '/users', { raw: '[1,2]' }), 400, 'InvalidInput');
    expectError(await admin('POST', '/users', { raw: '' }), 400, 'InvalidInput');
    expectError(await admin('POST', '/users', { body: { name: 'x', nmae: 'y' } }), 400, 'InvalidInput');
    expectError(await admin('PATCH', '/users/bob', { body: { disabled: 'yes' } }), 400, 'InvalidInput');
    expectError(await admin('POST', '/users', { raw: JSON.stringify({ name: 'big', pad: 'x'.repeat(70 * 1024) }) }), 413, 'EntityTooLarge');
  });

  it('answers NoSuchEntity for every operation on an unknown user', async () => {
    expectError(await admin('GET', '/users/ghost'), 404, 'NoSuchEntity');
    expectError(await admin('PATCH', '/users/ghost', { body: { disabled: true } }), 404, 'NoSuchEntity');
    expectError(await admin('DELETE', '/users/ghost'), 404, 'NoSuchEntity');
    expectError(await admin('GET', '/users/ghost/keys'), 404, 'NoSuchEntity');
    expectError(await admin('POST', '/users/ghost/keys'), 404, 'NoSuchEntity');
    expectError(await admin('PUT', '/users/ghost/policy', { body: allowS3 }), 404, 'NoSuchEntity');
    expectError(await admin('GET', '/users/ghost/policy'), 404, 'NoSuchEntity');
    expectError(await admin('PUT', '/users/ghost/quota', { body: { maxBytes: 1 } }), 404, 'NoSuchEntity');
    expectError(await admin('DELETE', '/users/ghost/quota'), 404, 'NoSuchEntity');
  });
});

describe('policies', () => {
  it('attaches a validated policy, returns it as JSON, and detaches it', async () => {
    const made = await admin('POST', '/users', { body: { name: 'pat', policy: allowS3 } });
    expect(made.status, made.body).toBe(201);
    expect(made.json.policy).toEqual(allowS3);
    expect((await admin('GET', '/users')).json.users).toContainEqual(expect.objectContaining({ name: 'pat', hasPolicy: true }));

    const readOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }] };
    const put = await admin('PUT', '/users/pat/policy', { body: readOnly });
    expect(put.status, put.body).toBe(200);
    expect(put.json).toEqual(readOnly);
    expect((await admin('GET', '/users/pat/policy')).json).toEqual(readOnly);

    expect((await admin('DELETE', '/users/pat/policy')).status).toBe(204);
    expectError(await admin('GET', '/users/pat/policy'), 404, 'NoSuchEntity');
    expectError(await admin('DELETE', '/users/pat/policy'), 404, 'NoSuchEntity');
  });

  it('refuses malformed policies with MalformedPolicy', async () => {
    await admin('POST', '/users', { body: { name: 'polly' } });
    expectError(await admin('PUT', '/users/polly/policy', { raw: 'not json' }), 400, 'MalformedPolicy');
    const badEffect = { Version: '2012-10-17', Statement: [{ Effect: 'Perhaps', Action: 's3:*', Resource: '*' }] };
    expectError(await admin('PUT', '/users/polly/policy', { body: badEffect }), 400, 'MalformedPolicy');
    expectError(await admin('POST', '/users', { body: { name: 'polly2', policy: badEffect } }), 400, 'MalformedPolicy');
    expectError(await admin('GET', '/users/polly2'), 404, 'NoSuchEntity');
    expectError(await admin('GET', '/users/polly/policy'), 404, 'NoSuchEntity');
  });
});

describe('quotas', () => {
  it('sets, shows and clears a user quota; refuses invalid limits', async () => {
    await admin('POST', '/users', { body: { name: 'quinn' } });
    const set = await admin('PUT', '/users/quinn/quota', { body: { maxBytes: 10 * 1024 ** 3, maxObjects: 1000 } });
    expect(set.status, set.body).toBe(200);
    expect(set.json.quota).toEqual({ maxBytes: 10 * 1024 ** 3, maxObjects: 1000 });
    expect((await admin('GET', '/users/quinn')).json.quota).toEqual({ maxBytes: 10 * 1024 ** 3, maxObjects: 1000 });
    expect((await admin('PUT', '/users/quinn/quota', { body: { maxObjects: 0 } })).json.quota).toEqual({ maxObjects: 0 });

    for (const bad of [{ maxBytes: -1 }, { maxBytes: 1.5 }, { maxObjects: '5' }, {}, { maxbytes: 5 }]) {
      expectError(await admin('PUT', '/users/quinn/quota', { body: bad }), 400, 'InvalidInput');
    }
    expect((await admin('DELETE', '/users/quinn/quota')).json.quota).toBeNull();
    expect((await admin('GET', '/users/quinn')).json.quota).toBeNull();
  });
});

describe('access keys', () => {
  let user: { accessKeyId: string; secretKey: string };

  beforeAll(async () => {
    await admin('POST', '/users', { body: { name: 'kim', policy: allowS3 } });
    user = await newKey('kim');
  });

  it('issues a key that signs S3 requests, shown once and listed without its secret', async () => {
    expect(user.accessKeyId).toMatch(/^[A-Z0-9]{20}$/);
    expect(user.secretKey).toHaveLength(40);
    await sdk(user.accessKeyId, user.secretKey).send(new ListBucketsCommand({}));

    const listed = await admin('GET', '/users/kim/keys');
    expect(listed.json.accessKeys).toEqual([expect.objectContaining({ accessKeyId: user.accessKeyId, userName: 'kim', status: 'Active' })]);
    expect(listed.json.accessKeys[0]).not.toHaveProperty('secretKey');
    const shown = await admin('GET', `/keys/${user.accessKeyId}`);
    expect(shown.json).toEqual(listed.json.accessKeys[0]);
    expect((await admin('GET', '/users/kim')).json.accessKeys).toEqual(listed.json.accessKeys);
    expect((await admin('GET', '/users')).json.users).toContainEqual(expect.objectContaining({ name: 'kim', accessKeys: 1 }));
  });

  it('an Inactive key is refused like an unknown key (InvalidAccessKeyId), and works again when Active', async () => {
    const s3 = sdk(user.accessKeyId, user.secretKey);
    const off = await admin('PATCH', `/keys/${user.accessKeyId}`, { body: { status: 'Inactive' } });
    expect(off.json).toMatchObject({ accessKeyId: user.accessKeyId, status: 'Inactive' });
    expect(await s3Error(s3.send(new ListBucketsCommand({})))).toMatchObject({ name: 'InvalidAccessKeyId', status: 403 });

    expect((await admin('PATCH', `/keys/${user.accessKeyId}`, { body: { status: 'Active' } })).json.status).toBe('Active');
    await s3.send(new ListBucketsCommand({}));
    expectError(await admin('PATCH', `/keys/${user.accessKeyId}`, { body: { status: 'Disabled' } }), 400, 'InvalidInput');
  });

  it('a disabled user\'s keys are refused until the user is enabled', async () => {
    const s3 = sdk(user.accessKeyId, user.secretKey);
    await admin('PATCH', '/users/kim', { body: { disabled: true } });
    expect((await s3Error(s3.send(new ListBucketsCommand({})))).name).toBe('InvalidAccessKeyId');
    await admin('PATCH', '/users/kim', { body: { disabled: false } });
    await s3.send(new ListBucketsCommand({}));
  });

  it('rotate returns a working new key and deactivates the old one', async () => {
    const old = await newKey('kim');
    const rotated = await admin('POST', `/keys/${old.accessKeyId}/rotate`);
    expect(rotated.status, rotated.body).toBe(201);
    expect(rotated.json).toMatchObject({ userName: 'kim', status: 'Active', replaces: old.accessKeyId });
    expect(rotated.json.accessKeyId).not.toBe(old.accessKeyId);
    secrets.push(rotated.json.secretKey);

    await sdk(rotated.json.accessKeyId, rotated.json.secretKey).send(new ListBucketsCommand({}));
    expect((await s3Error(sdk(old.accessKeyId, old.secretKey).send(new ListBucketsCommand({})))).name).toBe('InvalidAccessKeyId');
    expect((await admin('GET', `/keys/${old.accessKeyId}`)).json.status).toBe('Inactive');
  });

  it('a deleted key is refused and gone', async () => {
    const doomed = await newKey('kim');
    const s3 = sdk(doomed.accessKeyId, doomed.secretKey);
    await s3.send(new ListBucketsCommand({}));
    expect((await admin('DELETE', `/keys/${doomed.accessKeyId}`)).status).toBe(204);
    expect((await s3Error(s3.send(new ListBucketsCommand({})))).name).toBe('InvalidAccessKeyId');
    for (const [method, suffix] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/rotate']] as const) {
      const res = await admin(method, `/keys/${doomed.accessKeyId}${suffix}`, method === 'PATCH' ? { body: { status: 'Active' } } : {});
      expectError(res, 404, 'NoSuchEntity');
    }
  });

  it('a user that is not root may not use the admin API', async () => {
    for (const [method, route, body] of [['GET', '/info', undefined], ['GET', '/users', undefined], ['POST', '/users', { name: 'sneaky' }], ['PATCH', `/keys/${user.accessKeyId}`, { status: 'Active' }]] as const) {
      expectError(await admin(method, route, { body, accessKey: user.accessKeyId, secret: user.secretKey }), 403, 'AccessDenied');
    }
    expectError(await admin('GET', '/users/sneaky'), 404, 'NoSuchEntity');
  });
});

describe('buckets', () => {
  it('lists buckets with owner, usage and quota; sets and clears quotas', async () => {
    const s3 = sdk(ACCESS_KEY, SECRET_KEY);
    await s3.send(new CreateBucketCommand({ Bucket: 'admin-photos' }));
    await s3.send(new PutObjectCommand({ Bucket: 'admin-photos', Key: 'a.jpg', Body: 'x'.repeat(1234) }));

    const list = await admin('GET', '/buckets');
    expect(list.json.buckets).toContainEqual(expect.objectContaining({ name: 'admin-photos', owner: 'root', usage: { objects: 1, bytes: 1234 }, quota: null }));
    const one = await admin('GET', '/buckets/admin-photos');
    expect(one.json).toMatchObject({ name: 'admin-photos', owner: 'root', usage: { objects: 1, bytes: 1234 }, quota: null });
    const info = (await admin('GET', '/info')).json;
    expect(info.objects).toBeGreaterThanOrEqual(1);
    expect(info.bytes).toBeGreaterThanOrEqual(1234);

    expect((await admin('PUT', '/buckets/admin-photos/quota', { body: { maxBytes: 5000 } })).json.quota).toEqual({ maxBytes: 5000 });
    expect((await admin('GET', '/buckets/admin-photos')).json.quota).toEqual({ maxBytes: 5000 });
    expectError(await admin('PUT', '/buckets/admin-photos/quota', { body: { maxBytes: -5 } }), 400, 'InvalidInput');
    // The quota set here is the one S3 writes are held to.
    await admin('PUT', '/buckets/admin-photos/quota', { body: { maxObjects: 1 } });
    expect(await s3Error(s3.send(new PutObjectCommand({ Bucket: 'admin-photos', Key: 'b.jpg', Body: 'y' })))).toMatchObject({ name: 'QuotaExceeded', status: 403 });
    expect((await admin('DELETE', '/buckets/admin-photos/quota')).json.quota).toBeNull();
    await s3.send(new PutObjectCommand({ Bucket: 'admin-photos', Key: 'b.jpg', Body: 'y' }));

    expectError(await admin('GET', '/buckets/no-such-bucket'), 404, 'NoSuchBucket');
    expectError(await admin('PUT', '/buckets/no-such-bucket/quota', { body: { maxBytes: 1 } }), 404, 'NoSuchBucket');
    expectError(await admin('DELETE', '/buckets/no-such-bucket/quota'), 404, 'NoSuchBucket');
    expectError(await admin('PUT', '/buckets/no-such-bucket/owner', { body: { owner: 'root' } }), 404, 'NoSuchBucket');
  });

  it('reassigns the owner; a user owning a bucket cannot be deleted (DeleteConflict)', async () => {
    await sdk(ACCESS_KEY, SECRET_KEY).send(new CreateBucketCommand({ Bucket: 'admin-owned' }));
    await admin('POST', '/users', { body: { name: 'olga' } });
    const given = await admin('PUT', '/buckets/admin-owned/owner', { body: { owner: 'olga' } });
    expect(given.status, given.body).toBe(200);
    expect(given.json.owner).toBe('olga');
    expect((await admin('GET', '/buckets/admin-owned')).json.owner).toBe('olga');

    expectError(await admin('DELETE', '/users/olga'), 409, 'DeleteConflict');
    expect((await admin('GET', '/users/olga')).status).toBe(200);
    expectError(await admin('PUT', '/buckets/admin-owned/owner', { body: { owner: 'nobody-here' } }), 404, 'NoSuchEntity');
    expectError(await admin('PUT', '/buckets/admin-owned/owner', { body: {} }), 400, 'InvalidInput');

    expect((await admin('PUT', '/buckets/admin-owned/owner', { body: { owner: 'root' } })).json.owner).toBe('root');
    expect((await admin('DELETE', '/users/olga')).status).toBe(204);
  });
});

describe('restoring an older version', () => {
  const bucket = 'admin-restore';
  const ownership = (o: ObjectOwnership) => sdk(ACCESS_KEY, SECRET_KEY).send(new PutBucketOwnershipControlsCommand({
    Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: o }] },
  }));
  const restore = (versionId: string, as?: { accessKeyId: string; secretKey: string }) =>
    admin('POST', `/buckets/${bucket}/objects/doc.txt/restore`, { body: { versionId }, accessKey: as?.accessKeyId, secret: as?.secretKey });
  /** Who owns the current version as recorded, and its grants: read under ObjectWriter, where the record speaks. */
  async function currentOwnerAndGrants(): Promise<{ owner?: string; grants: string[] }> {
    await ownership('ObjectWriter');
    const acl = await sdk(ACCESS_KEY, SECRET_KEY).send(new GetObjectAclCommand({ Bucket: bucket, Key: 'doc.txt' }));
    return { owner: acl.Owner?.ID, grants: (acl.Grants ?? []).map((g) => `${g.Grantee?.ID ?? g.Grantee?.URI}:${g.Permission}`) };
  }

  it('owns the restored version as a CopyObject by the caller would be owned, with the private ACL', async () => {
    const s3 = sdk(ACCESS_KEY, SECRET_KEY);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await ownership('ObjectWriter');
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'admin:*'], Resource: '*' }] };
    expect((await admin('POST', '/users', { body: { name: 'wanda', policy } })).status).toBe(201);
    const wanda = await newKey('wanda');
    const asWanda = sdk(wanda.accessKeyId, wanda.secretKey);
    const byWanda = (await asWanda.send(new PutObjectCommand({ Bucket: bucket, Key: 'doc.txt', Body: 'by wanda', ACL: 'bucket-owner-read' }))).VersionId!;
    const byRoot = (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'doc.txt', Body: 'by root' }))).VersionId!;
    expect(await currentOwnerAndGrants()).toEqual({ owner: 'root', grants: ['root:FULL_CONTROL'] });

    // Root brings back wanda's version: root owns it, and wanda's ACL stays with her old version.
    const restored = await restore(byWanda);
    expect(restored.status, restored.body).toBe(200);
    expect(await currentOwnerAndGrants()).toEqual({ owner: 'root', grants: ['root:FULL_CONTROL'] });
    const current = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'doc.txt' }));
    expect(current.VersionId).toBe(restored.json.versionId);
    expect(await current.Body!.transformToString()).toBe('by wanda');

    // A user allowed the admin action restores root's version under ObjectWriter: the new version is hers.
    expect((await restore(byRoot, wanda)).status).toBe(200);
    expect(await currentOwnerAndGrants()).toEqual({ owner: 'wanda', grants: ['wanda:FULL_CONTROL'] });

    // Under BucketOwnerEnforced the bucket owner owns what she restores, as it owns what she writes.
    await ownership('BucketOwnerEnforced');
    expect((await restore(byWanda, wanda)).status).toBe(200);
    expect(await currentOwnerAndGrants()).toEqual({ owner: 'root', grants: ['root:FULL_CONTROL'] });
  });
});

describe('list paging', () => {
  async function page(route: string, query: Record<string, string>): Promise<Answer> {
    const res = await signedRequest(endpoint, { method: 'GET', path: ADMIN + route, query });
    getBodies.push(res.body);
    return { ...res, json: JSON.parse(res.body) };
  }

  /** Every name of a list endpoint, walked with `limit` and `marker`; also checks each page's size and markers. */
  async function walk(route: string, field: string, name: string, limit: number): Promise<string[]> {
    const names: string[] = [];
    let marker: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const res = await page(route, { limit: String(limit), ...(marker ? { marker } : {}) });
      expect(res.status, res.body).toBe(200);
      const items = res.json[field] as Record<string, string>[];
      expect(items.length).toBeLessThanOrEqual(limit);
      names.push(...items.map((i) => i[name]!));
      if (!res.json.isTruncated) {
        expect(res.json.nextMarker).toBeUndefined();
        return names;
      }
      expect(res.json.nextMarker).toBe(items.at(-1)![name]);
      marker = res.json.nextMarker;
    }
    throw new Error('too many pages');
  }

  it('pages users, a user\'s keys and buckets with limit and marker, each entry once and in order', async () => {
    for (const n of ['page-u1', 'page-u2', 'page-u3', 'page-u4', 'page-u5']) await admin('POST', '/users', { body: { name: n } });
    const keys = [];
    for (let i = 0; i < 3; i++) keys.push((await newKey('page-u1')).accessKeyId);
    const root = sdk(ACCESS_KEY, SECRET_KEY);
    for (const b of ['page-b1', 'page-b2', 'page-b3']) await root.send(new CreateBucketCommand({ Bucket: b }));

    const allUsers = (await admin('GET', '/users')).json;
    expect(allUsers.isTruncated).toBe(false);
    const users = await walk('/users', 'users', 'name', 2);
    expect(users).toEqual(allUsers.users.map((u: { name: string }) => u.name));
    expect(users.filter((n) => n.startsWith('page-u'))).toEqual(['page-u1', 'page-u2', 'page-u3', 'page-u4', 'page-u5']);
    expect(await walk('/users/page-u1/keys', 'accessKeys', 'accessKeyId', 1)).toEqual([...keys].sort());
    const buckets = await walk('/buckets', 'buckets', 'name', 2);
    expect(buckets.filter((n) => n.startsWith('page-b'))).toEqual(['page-b1', 'page-b2', 'page-b3']);
    expect(new Set(buckets).size).toBe(buckets.length);
    expect((await page('/users', { marker: 'page-u4' })).json.users.map((u: { name: string }) => u.name)).toEqual(
      users.filter((n) => n > 'page-u4'),
    );
  });

  it.each(['0', '1001', 'x', '-1', '1.5'])('refuses limit=%s with InvalidInput', async (limit) => {
    expectError(await page('/users', { limit }), 400, 'InvalidInput');
  });
});

describe('secrets', () => {
  it('never appear in GET answers, in the logs, or in plaintext anywhere in the data folder', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    // Stop the server first so the index and the audit log are flushed to the files searched below.
    await server.close();
    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (!full.includes(`${path.sep}blobs${path.sep}`)) files.push(full);
      }
    };
    await walk(dataDir);
    expect(files.some((f) => f.endsWith('index.sqlite'))).toBe(true);
    const stored = (await Promise.all(files.map((f) => readFile(f)))).map((b) => b.toString('latin1')).join('\n');
    const logs = logLines.join('');
    const gets = getBodies.join('\n');
    expect(logs).toContain('"op":"Admin"');
    for (const secret of secrets) {
      expect(gets).not.toContain(secret);
      expect(logs).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
    // The audit log kept the admin changes themselves.
    expect(stored).toContain('admin:CreateUser');
    expect(stored).toContain('admin:RotateAccessKey');
  });
});
