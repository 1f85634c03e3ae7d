// `sklad admin …` as an operator runs it: child processes of bin/sklad against a running server, their
// output (JSON and tables), exit codes, and where they find credentials.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand, GetObjectCommand, ListBucketsCommand, ObjectLockRetentionMode, PutBucketVersioningCommand, PutObjectCommand,
  PutObjectLockConfigurationCommand, S3Client,
} from '@aws-sdk/client-s3';
import { ACCESS_KEY, REGION, SECRET_KEY, startTestServer, type TestServer } from '../support/server.js';
import { s3Error } from '../support/s3-error.js';

const bin = path.resolve('bin/sklad');
let t: TestServer;
let scratch: string;
const clients: S3Client[] = [];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The machine's own SKLAD_* and AWS_* variables must not decide which credentials a test uses. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([k]) => !k.startsWith('SKLAD_') && !k.startsWith('AWS_'));
  return { ...Object.fromEntries(kept), ...extra };
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'admin', ...args], { env: cleanEnv(env) }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** As root, with explicit flags. */
function root(...args: string[]): Promise<Run> {
  return run(['--endpoint', t.endpoint, '--access-key', ACCESS_KEY, '--secret-key', SECRET_KEY, ...args]);
}

async function ok(result: Promise<Run>): Promise<string> {
  const r = await result;
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

function sdk(accessKeyId: string, secretAccessKey: string): S3Client {
  const c = new S3Client({ endpoint: t.endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  t = await startTestServer();
  scratch = await mkdtemp(path.join(tmpdir(), 'sklad-admin-cli-'));
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await rm(scratch, { recursive: true, force: true });
  await t.cleanup();
});

// Each test runs several child processes; on a busy machine that takes longer than the default limit.
describe('sklad admin', { timeout: 60_000 }, () => {
  it('takes a user from creation to deletion', async () => {
    const policyFile = path.join(scratch, 'allow-s3.json');
    await writeFile(policyFile, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }));

    const created = JSON.parse(await ok(root('user', 'create', 'carol', '--policy', policyFile, '--json')));
    expect(created).toMatchObject({ name: 'carol', disabled: false, accessKeys: [] });
    expect(created.policy.Statement[0].Action).toBe('s3:*');

    const key = JSON.parse(await ok(root('key', 'create', 'carol', '--json')));
    expect(key).toMatchObject({ userName: 'carol', status: 'Active' });
    const s3 = sdk(key.accessKeyId, key.secretKey);
    await s3.send(new ListBucketsCommand({}));

    const listed = await ok(root('key', 'list', 'carol'));
    expect(listed).toContain(key.accessKeyId);
    expect(listed).not.toContain(key.secretKey);

    expect(await ok(root('key', 'disable', key.accessKeyId))).toContain('Inactive');
    expect((await s3Error(s3.send(new ListBucketsCommand({})))).name).toBe('InvalidAccessKeyId');
    await ok(root('key', 'enable', key.accessKeyId));
    await s3.send(new ListBucketsCommand({}));

    const quota = JSON.parse(await ok(root('user', 'quota', 'set', 'carol', '--max-bytes', '10G', '--max-objects', '500', '--json')));
    expect(quota.quota).toEqual({ maxBytes: 10 * 1024 ** 3, maxObjects: 500 });
    const shown = await ok(root('user', 'show', 'carol'));
    expect(shown).toMatch(/quota:\s+10 GiB \(10737418240 bytes\), 500 objects/);
    expect(shown).toContain(key.accessKeyId);
    expect(JSON.parse(await ok(root('user', 'quota', 'clear', 'carol', '--json'))).quota).toBeNull();

    const rotated = JSON.parse(await ok(root('key', 'rotate', key.accessKeyId, '--json')));
    expect(rotated.replaces).toBe(key.accessKeyId);
    await sdk(rotated.accessKeyId, rotated.secretKey).send(new ListBucketsCommand({}));

    expect(await ok(root('user', 'delete', 'carol'))).toContain('deleted user carol');
    const gone = await root('user', 'show', 'carol');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('NoSuchEntity');
    expect((await s3Error(sdk(rotated.accessKeyId, rotated.secretKey).send(new ListBucketsCommand({})))).name).toBe('InvalidAccessKeyId');
  });

  it('prints aligned tables for people', async () => {
    await ok(root('user', 'create', 'dave'));
    await ok(root('user', 'create', 'a-much-longer-user-name'));
    await ok(root('user', 'quota', 'set', 'dave', '--max-objects', '7'));
    const lines = (await ok(root('user', 'list'))).trimEnd().split('\n');
    const header = lines[0]!;
    expect(header).toMatch(/^NAME\s+STATUS\s+POLICY\s+KEYS\s+OBJECTS\s+STORED\s+QUOTA\s+CREATED$/);
    const dave = lines.find((l) => l.startsWith('dave '))!;
    expect(dave).toBeDefined();
    // Every column starts where its header starts.
    for (const column of ['STATUS', 'POLICY', 'KEYS', 'QUOTA']) {
      const at = header.indexOf(column);
      expect(dave.slice(at - 2, at)).toBe('  ');
      expect(dave[at]).not.toBe(' ');
    }
    expect(dave).toContain('enabled');
    expect(dave).toContain('7 obj');

    const info = await ok(root('info'));
    expect(info).toMatch(/^version:\s+\d+\.\d+\.\d+/m);
    expect(info).toMatch(/^users:\s+\d+$/m);
  });

  it('manages bucket quotas and owners', async () => {
    await sdk(ACCESS_KEY, SECRET_KEY).send(new CreateBucketCommand({ Bucket: 'cli-bucket' }));
    await ok(root('user', 'create', 'erin'));
    expect(await ok(root('bucket', 'list'))).toMatch(/^cli-bucket\s+root\s+0\s+0 B\s+-/m);
    const q = JSON.parse(await ok(root('bucket', 'quota', 'set', 'cli-bucket', '--max-bytes', '512M', '--json')));
    expect(q.quota).toEqual({ maxBytes: 512 * 1024 ** 2 });
    expect(await ok(root('bucket', 'owner', 'cli-bucket', 'erin'))).toMatch(/owner:\s+erin/);
    const conflict = await root('user', 'delete', 'erin');
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('DeleteConflict');
    await ok(root('bucket', 'owner', 'cli-bucket', 'root'));
    expect(await ok(root('bucket', 'quota', 'clear', 'cli-bucket'))).toMatch(/quota:\s+none/);
    await ok(root('user', 'delete', 'erin'));
  });

  it('shows versioning and Object Lock, lists a key\'s versions and restores an older one', async () => {
    const s3 = sdk(ACCESS_KEY, SECRET_KEY);
    await s3.send(new CreateBucketCommand({ Bucket: 'cli-versions', ObjectLockEnabledForBucket: true }));
    await s3.send(new PutObjectLockConfigurationCommand({
      Bucket: 'cli-versions',
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: ObjectLockRetentionMode.COMPLIANCE, Days: 1 } } },
    }));
    const first = (await s3.send(new PutObjectCommand({ Bucket: 'cli-versions', Key: 'dir/app.tar', Body: 'good build' }))).VersionId!;
    await s3.send(new PutObjectCommand({ Bucket: 'cli-versions', Key: 'dir/app.tar', Body: 'bad build' }));
    await s3.send(new PutObjectCommand({ Bucket: 'cli-versions', Key: 'dir/app.tar.sig', Body: 'other key' }));
    const shown = await ok(root('bucket', 'show', 'cli-versions'));
    expect(shown).toMatch(/versioning:\s+Enabled/);
    expect(shown).toMatch(/object lock:\s+on, default COMPLIANCE 1 days/);
    expect(shown).toMatch(/objects:\s+3 /);

    const listed = JSON.parse(await ok(root('object', 'versions', 'cli-versions', 'dir/app.tar', '--json')));
    expect(listed.versions).toHaveLength(2);
    expect(listed.versions[1]).toMatchObject({ versionId: first, isLatest: false, deleteMarker: false });
    expect(listed.versions[1].retention.mode).toBe('COMPLIANCE');
    expect(await ok(root('object', 'versions', 'cli-versions', 'dir/app.tar'))).toContain(first);

    const restored = JSON.parse(await ok(root('object', 'restore', 'cli-versions', 'dir/app.tar', first, '--json')));
    expect(restored).toMatchObject({ restoredFrom: first });
    const current = await s3.send(new GetObjectCommand({ Bucket: 'cli-versions', Key: 'dir/app.tar' }));
    expect(current.VersionId).toBe(restored.versionId);
    expect(await current.Body!.transformToString()).toBe('good build');
    const missing = await root('object', 'restore', 'cli-versions', 'dir/app.tar', 'A'.repeat(32));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NoSuchVersion');
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'cli-versions', VersioningConfiguration: { Status: 'Enabled' } }));
  });

  it('sets, prints and removes a policy from a file', async () => {
    await ok(root('user', 'create', 'fay'));
    const file = path.join(scratch, 'read.json');
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::x/*' }] };
    await writeFile(file, JSON.stringify(policy));
    await ok(root('user', 'policy', 'set', 'fay', file));
    expect(JSON.parse(await ok(root('user', 'policy', 'get', 'fay')))).toEqual(policy);
    await ok(root('user', 'policy', 'delete', 'fay'));
    expect((await root('user', 'policy', 'get', 'fay')).code).toBe(1);

    await writeFile(file, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Sometimes', Action: 's3:*', Resource: '*' }] }));
    const bad = await root('user', 'policy', 'set', 'fay', file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('MalformedPolicy');
    await writeFile(file, '{ not json');
    expect((await root('user', 'policy', 'set', 'fay', file)).code).toBe(2);
  });

  it('finds credentials in --data DIR, in SKLAD_* and in AWS_* variables', async () => {
    // A server given no root credentials generates them into its data folder.
    const generated = await startTestServer({ env: { SKLAD_ACCESS_KEY: '', SKLAD_SECRET_KEY: '' } });
    try {
      const info = await run(['--endpoint', generated.endpoint, '--data', generated.dataDir, 'info', '--json']);
      expect(info.code, info.stderr).toBe(0);
      expect(JSON.parse(info.stdout).region).toBe(REGION);
      // The flag wins over credentials in the environment.
      const flagWins = await run(['--data', generated.dataDir, 'info'], { SKLAD_ENDPOINT: generated.endpoint, AWS_ACCESS_KEY_ID: 'AKIAOTHER', AWS_SECRET_ACCESS_KEY: 'elsewhere' });
      expect(flagWins.code, flagWins.stderr).toBe(0);
    } finally {
      await generated.cleanup();
    }
    expect((await run(['info'], { SKLAD_ENDPOINT: t.endpoint, SKLAD_ACCESS_KEY: ACCESS_KEY, SKLAD_SECRET_KEY: SECRET_KEY })).code).toBe(0);
    expect((await run(['info'], { SKLAD_ENDPOINT: t.endpoint, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY })).code).toBe(0);

    const missing = await run(['--endpoint', t.endpoint, '--data', scratch, 'info']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('root-credentials.json');
  });

  it('exits 2 on usage errors and 1 on API or connection errors', async () => {
    expect((await run(['--help'])).code).toBe(0);
    expect((await run(['--help'])).stdout).toContain('user quota set NAME');
    for (const args of [[], ['bogus'], ['user', 'create'], ['user', 'create', 'a', 'b'], ['user', 'list', '--policy', 'x'], ['user', 'quota', 'set', 'x'], ['user', 'quota', 'set', 'x', '--max-bytes', '10X'], ['--no-such-flag', 'info']]) {
      const r = await root(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
    }
    const none = await run(['--endpoint', t.endpoint, 'info']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no credentials');

    const wrong = await run(['--endpoint', t.endpoint, '--access-key', ACCESS_KEY, '--secret-key', 'not-the-secret', 'info']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('SignatureDoesNotMatch');
    const dup = await root('user', 'create', 'dave');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('EntityAlreadyExists');

    const closed = await startTestServer();
    const endpoint = closed.endpoint;
    await closed.cleanup();
    const unreachable = await run(['--endpoint', endpoint, '--access-key', ACCESS_KEY, '--secret-key', SECRET_KEY, 'info']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach the server');
  });

  it('follows every page of a list (--page-size) and shows the whole list', async () => {
    for (const name of ['paged-1', 'paged-2', 'paged-3']) await ok(root('user', 'create', name));
    const s3 = sdk(ACCESS_KEY, SECRET_KEY);
    for (const name of ['paged-a', 'paged-b', 'paged-c']) await s3.send(new CreateBucketCommand({ Bucket: name }));
    const users = JSON.parse(await ok(root('user', 'list', '--page-size', '1', '--json'))) as { users: { name: string }[]; isTruncated: boolean };
    expect(users.isTruncated).toBe(false);
    expect(users.users.map((u) => u.name).filter((n) => n.startsWith('paged-'))).toEqual(['paged-1', 'paged-2', 'paged-3']);
    const table = await ok(root('bucket', 'list', '--page-size', '2'));
    for (const name of ['paged-a', 'paged-b', 'paged-c']) expect(table).toContain(name);
    const refused = await root('user', 'list', '--page-size', '0');
    expect(refused.code).toBe(2);
    expect((await root('info', '--page-size', '2')).code).toBe(2);
  });
});
