// The request log line and the audit log, end to end: the real server, the AWS SDK, and `sklad audit verify`
// as a child process on the files the server wrote.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/types.js';
import { startCapturedServer, until, type CapturedServer, type LogLine } from '../support/captured-server.js';
import { s3Error } from '../support/s3-error.js';
import { ACCESS_KEY, REGION, SECRET_KEY, startTestServer } from '../support/server.js';

const bin = path.resolve('bin/sklad');
const dirs: string[] = [];
const servers: CapturedServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.cleanup();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'sklad-audit-e2e-'));
  dirs.push(d);
  return d;
}

interface Verified {
  code: number;
  stdout: string;
}

/** Runs `sklad audit verify ARGS` and returns its exit status and output (a non-zero status is not an error here). */
async function verify(...args: string[]): Promise<Verified> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SKLAD_')));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'audit', 'verify', ...args], { env: clean });
    return { code: 0, stdout };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

async function records(file: string): Promise<AuditRecord[]> {
  return (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord);
}

function clientFor(endpoint: string, secretAccessKey = SECRET_KEY, accessKeyId = ACCESS_KEY): S3Client {
  return new S3Client({ endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}

describe('audit log', { timeout: 60_000 }, () => {
  it('records writes and denied requests (not reads) with who, from where and what; verify accepts it and names tampered lines', async () => {
    const t = await startTestServer();
    const s3 = t.client({ maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: 'audited' }));
    const put = await s3.send(new PutObjectCommand({ Bucket: 'audited', Key: 'dir/report.txt', Body: 'hello audit' }));
    await s3.send(new GetObjectCommand({ Bucket: 'audited', Key: 'dir/report.txt' })).then((r) => r.Body!.transformToString());
    await s3.send(new HeadObjectCommand({ Bucket: 'audited', Key: 'dir/report.txt' }));
    await s3.send(new ListObjectsV2Command({ Bucket: 'audited' }));
    const badSecret = clientFor(t.endpoint, 'not-the-secret-at-all');
    expect(await s3Error(badSecret.send(new GetObjectCommand({ Bucket: 'audited', Key: 'dir/report.txt' })))).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    badSecret.destroy();
    const unknownKey = clientFor(t.endpoint, SECRET_KEY, 'NOSUCHKEYID');
    expect(await s3Error(unknownKey.send(new PutObjectCommand({ Bucket: 'audited', Key: 'x', Body: 'y' })))).toMatchObject({ name: 'InvalidAccessKeyId' });
    unknownKey.destroy();
    const unsigned = await fetch(`${t.endpoint}/audited/anonymous.txt`, { method: 'PUT', body: 'z' });
    expect(unsigned.status).toBe(403);
    await unsigned.text();
    await s3.send(new DeleteObjectCommand({ Bucket: 'audited', Key: 'dir/report.txt' }));
    await t.stop(); // a clean shutdown writes and syncs everything queued

    const file = path.join(t.dataDir, 'audit', 'audit.jsonl');
    const all = await records(file);
    expect(all.map((r) => `${r.action}:${r.result}`)).toEqual([
      'CreateBucket:success',
      'PutObject:success',
      'GetObject:failure',
      'PutObject:failure',
      'PutObject:failure',
      'DeleteObject:success',
    ]);
    expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const root = { user: 'root', accessKeyId: ACCESS_KEY };
    expect(all[1]).toMatchObject({ principal: root, sourceIp: '127.0.0.1', bucket: 'audited', key: 'dir/report.txt', status: 200, requestId: put.$metadata.requestId });
    expect(all[1]!.userAgent).toMatch(/aws-sdk-js/);
    expect(all[1]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(all[2]).toMatchObject({ principal: 'anonymous', status: 403, errorCode: 'SignatureDoesNotMatch', bucket: 'audited', key: 'dir/report.txt', details: { claimedAccessKeyId: ACCESS_KEY } });
    expect(all[3]).toMatchObject({ principal: 'anonymous', errorCode: 'InvalidAccessKeyId', details: { claimedAccessKeyId: 'NOSUCHKEYID' } });
    expect(all[4]).toMatchObject({ principal: 'anonymous', errorCode: 'AccessDenied', status: 403, key: 'anonymous.txt', sourceIp: '127.0.0.1' });
    expect(all[4]!.details).not.toHaveProperty('claimedAccessKeyId');
    expect(all[5]).toMatchObject({ principal: root, action: 'DeleteObject', status: 204 });
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(SECRET_KEY);
    expect(text).not.toContain('not-the-secret-at-all');
    expect(text).not.toMatch(/Signature=|AWS4-HMAC-SHA256/);

    const ok = await verify('--data', t.dataDir);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringContaining(`OK: 6 records`) });
    expect(ok.stdout).toContain(all[5]!.hash);
    const json = JSON.parse((await verify('--data', t.dataDir, '--json')).stdout) as { ok: boolean; records: number; lastHash: string };
    expect(json).toMatchObject({ ok: true, records: 6, lastHash: all[5]!.hash });

    const lines = text.split('\n').filter(Boolean);
    const tamper = async (change: string[]): Promise<Verified> => {
      const dir = await tempDir();
      const copy = path.join(dir, 'audit.jsonl');
      await writeFile(copy, change.join('\n') + '\n');
      return verify(copy);
    };
    const edited = await tamper(lines.map((l, i) => (i === 1 ? l.replace('dir/report.txt', 'dir/other.txt') : l)));
    expect(edited).toMatchObject({ code: 1, stdout: expect.stringMatching(/BROKEN: .*audit\.jsonl:2 \(seq 2\): .*altered/) });
    const deleted = await tamper(lines.filter((_, i) => i !== 2));
    expect(deleted).toMatchObject({ code: 1, stdout: expect.stringMatching(/BROKEN: .*audit\.jsonl:3 \(seq 4\): 1 record\(s\) missing/) });
    const swapped = await tamper([lines[0]!, lines[1]!, lines[3]!, lines[2]!, ...lines.slice(4)]);
    expect(swapped).toMatchObject({ code: 1, stdout: expect.stringMatching(/BROKEN: .*audit\.jsonl:3 \(seq 4\): records out of order/) });

    expect(await verify('--data', t.dataDir, '--audit-dir', t.dataDir)).toMatchObject({ code: 2 });
    expect(await verify('--data', await tempDir())).toMatchObject({ code: 2, stdout: expect.stringContaining('no audit files') });
    await t.cleanup();
  });

  it('writes one request log line per request with its fields and no secret, signature or presigned query', async () => {
    const s = await startCapturedServer();
    servers.push(s);
    const s3 = clientFor(s.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'logged' }));
    const put = await s3.send(new PutObjectCommand({ Bucket: 'logged', Key: 'a b.txt', Body: 'twelve bytes' }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'logged', Key: 'a b.txt' }), { expiresIn: 60 });
    const signature = new URL(url).searchParams.get('X-Amz-Signature')!;
    const presigned = await fetch(url, { headers: { 'user-agent': 'audit-test-agent/1.0' } });
    expect(await presigned.text()).toBe('twelve bytes');
    const bad = clientFor(s.endpoint, 'wrong-secret-value');
    await s3Error(bad.send(new PutObjectCommand({ Bucket: 'logged', Key: 'nope', Body: 'x' })));
    bad.destroy();
    const isRequest = (l: LogLine) => l.msg === 'request';
    await until(() => s.lines().filter(isRequest).length >= 4, 'four request log lines');
    s3.destroy();

    const requests = s.lines().filter(isRequest);
    const putLine = requests.find((l) => l.op === 'PutObject' && l.status === 200)!;
    expect(putLine).toMatchObject({
      requestId: put.$metadata.requestId,
      method: 'PUT',
      bucket: 'logged',
      key: 'a b.txt',
      bytesIn: 12,
      bytesOut: 0,
      principal: { user: 'root', accessKeyId: ACCESS_KEY },
      sourceIp: '127.0.0.1',
      userAgent: expect.stringMatching(/aws-sdk-js/),
      complete: true,
    });
    expect(typeof putLine.ms).toBe('number');
    const getLine = requests.find((l) => l.op === 'GetObject')!;
    expect(getLine).toMatchObject({ method: 'GET', status: 200, bytesOut: 12, userAgent: 'audit-test-agent/1.0', principal: { accessKeyId: ACCESS_KEY } });
    const denied = requests.find((l) => l.status === 403)!;
    expect(denied).toMatchObject({ op: 'PutObject', errorCode: 'SignatureDoesNotMatch', principal: 'anonymous', claimedAccessKeyId: ACCESS_KEY });
    expect(putLine.errorCode).toBeUndefined();

    await s.stop();
    const everything = s.raw.join('');
    for (const secret of [SECRET_KEY, 'wrong-secret-value', signature, 'X-Amz-Signature', 'AWS4-HMAC-SHA256', 'authorization']) {
      expect(everything).not.toContain(secret);
    }
    expect(s.lines().find((l) => l.msg === 'audit log closed')).toMatchObject({ lastSeq: 3 });
  });

  it('rotates by size and on SIGUSR2, logs the hash closing each file, and verify follows the chain across files', async () => {
    const s = await startCapturedServer({ SKLAD_AUDIT_MAX_FILE_MIB: '0.002' }); // ~2 KiB per file
    servers.push(s);
    const s3 = clientFor(s.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'rotating' }));
    for (let i = 0; i < 12; i++) await s3.send(new PutObjectCommand({ Bucket: 'rotating', Key: `k${i}`, Body: 'x' }));
    const rotations = () => s.lines().filter((l) => l.msg === 'audit log rotated');
    await until(() => rotations().length >= 2, 'two size rotations');
    const bySize = rotations().length;
    process.kill(process.pid, 'SIGUSR2');
    await until(() => rotations().length > bySize, 'a rotation on SIGUSR2');
    await s3.send(new PutObjectCommand({ Bucket: 'rotating', Key: 'after-signal', Body: 'x' }));
    s3.destroy();
    await s.stop();

    const auditDir = path.join(s.dataDir, 'audit');
    const ok = await verify('--audit-dir', auditDir);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringMatching(/OK: \d+ records in \d+ file\(s\)/) });
    // The hash logged at each rotation is the last record of the file it closed.
    for (const r of rotations()) {
      const closed = await records(r.file as string);
      expect(closed[closed.length - 1]!.hash).toBe(r.lastHash);
      expect(closed[closed.length - 1]!.seq).toBe(r.lastSeq);
    }
    const rotated = rotations().map((r) => r.file as string);

    // Removing a rotated file from the middle breaks the link between its neighbours.
    const copyDir = await tempDir();
    for (const f of [...rotated, path.join(auditDir, 'audit.jsonl')]) await copyFile(f, path.join(copyDir, path.basename(f)));
    await unlink(path.join(copyDir, path.basename(rotated[1]!)));
    const gap = await verify('--audit-dir', copyDir);
    expect(gap).toMatchObject({ code: 1, stdout: expect.stringMatching(/BROKEN: .*:1 \(seq \d+\): \d+ record\(s\) missing .*a rotated file was removed/) });

    // Removing the newest records is only visible against the hash shipped elsewhere.
    const current = await records(path.join(auditDir, 'audit.jsonl'));
    const lastHash = current[current.length - 1]!.hash;
    expect(await verify('--audit-dir', auditDir, '--expect-hash', lastHash)).toMatchObject({ code: 0 });
    await unlink(path.join(copyDir, 'audit.jsonl'));
    await copyFile(rotated[1]!, path.join(copyDir, path.basename(rotated[1]!)));
    expect(await verify('--audit-dir', copyDir)).toMatchObject({ code: 0 });
    expect(await verify('--audit-dir', copyDir, '--expect-hash', lastHash)).toMatchObject({ code: 1, stdout: expect.stringContaining('not in the chain') });
  });

  it('names each key of a DeleteObjects with its result, bounded, in the audit record and not in the request log', async () => {
    const s = await startCapturedServer();
    const s3 = clientFor(s.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'multi' }));
    await s3.send(new PutObjectCommand({ Bucket: 'multi', Key: 'one', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: 'multi', Key: 'two', Body: '2' }));
    const tooLong = 'k'.repeat(1025);
    const answer = await s3.send(new DeleteObjectsCommand({
      Bucket: 'multi', Delete: { Quiet: true, Objects: [{ Key: 'one' }, { Key: tooLong }, { Key: 'two' }, { Key: 'never-there' }] },
    }));
    expect(answer.Errors?.map((e) => e.Code)).toEqual(['KeyTooLongError']);
    // Past the byte budget (64 KiB of keys) only the totals remain.
    const many = Array.from({ length: 100 }, (_, i) => ({ Key: `${String(i).padStart(3, '0')}-${'x'.repeat(1000)}` }));
    await s3.send(new DeleteObjectsCommand({ Bucket: 'multi', Delete: { Objects: many } }));
    await until(() => s.lines().filter((l) => l.msg === 'request' && l.op === 'DeleteObjects').length === 2, 'two DeleteObjects log lines');
    s3.destroy();
    await s.stop();

    const audited = (await records(path.join(s.dataDir, 'audit', 'audit.jsonl'))).filter((r) => r.action === 'DeleteObjects');
    expect(audited).toHaveLength(2);
    expect(audited[0]).toMatchObject({ bucket: 'multi', result: 'success', status: 200 });
    expect(audited[0]!.details).toMatchObject({
      deleted: 3,
      errors: 1,
      keys: [
        { key: 'one', result: 'deleted' },
        { key: tooLong, result: 'error', code: 'KeyTooLongError' },
        { key: 'two', result: 'deleted' },
        { key: 'never-there', result: 'deleted' },
      ],
    });
    expect(audited[0]!.details).not.toHaveProperty('keysOmitted');
    const bounded = audited[1]!.details as { deleted: number; keys: { key: string }[]; keysOmitted: number };
    expect(bounded.deleted).toBe(100);
    expect(bounded.keys.length).toBeGreaterThan(0);
    expect(bounded.keys.length + bounded.keysOmitted).toBe(100);
    expect(bounded.keys.map((k) => k.key)).toEqual(many.slice(0, bounded.keys.length).map((o) => o.Key));
    const requestLines = s.lines().filter((l) => l.msg === 'request' && l.op === 'DeleteObjects');
    expect(requestLines.every((l) => !('outcome' in l) && !('keys' in l))).toBe(true);
    expect(await verify('--data', s.dataDir)).toMatchObject({ code: 0 });
  });
});
