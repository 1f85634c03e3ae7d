import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { s3Error } from '../support/s3-error.js';
import { isolatedAwsEnv, requireAwsCli, run, xmlErrorCode, type IsolatedAwsEnv, type RunResult } from '../support/external-clients.js';


const bucket = 'cli-e2e';
const SMALL = 'hello from the aws cli\n';
const BIG_SIZE = 6 * 1024 * 1024;
const SPECIAL_KEY = 'data/sp ace+plüs%20.txt';
const SPECIAL_BODY = 'special key body';

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

/** `aws s3 ls` output as `PRE name/` and `name size` entries, sorted. */
function parseLs(stdout: string): string[] {
  const entries: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    const pre = /^\s+PRE (.+)$/.exec(line);
    if (pre) {
      entries.push(`PRE ${pre[1]}`);
      continue;
    }
    const obj = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+(\d+) (.+)$/.exec(line);
    if (!obj) throw new Error(`unexpected aws s3 ls line: ${JSON.stringify(line)}`);
    entries.push(`${obj[2]} ${obj[1]}`);
  }
  return entries.sort();
}

describe('aws cli against sklad', { timeout: 30_000 }, () => {
  let t: TestServer;
  let s3: S3Client;
  let iso: IsolatedAwsEnv;
  let work: string;
  let cliVersion = '';
  const big = randomBytes(BIG_SIZE);

  const aws = (args: string[], env: Record<string, string> = {}): Promise<RunResult> =>
    run('aws', ['--endpoint-url', t.endpoint, ...args], { env: iso.env(env), cwd: work, timeoutMs: 25_000 });

  /** Runs an aws command that must succeed. */
  async function ok(args: string[]): Promise<string> {
    const r = await aws(args);
    if (r.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }

  const sdkText = async (key: string) =>
    (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();

  beforeAll(async () => {
    requireAwsCli();
    t = await startTestServer();
    s3 = t.client();
    iso = await isolatedAwsEnv();
    work = iso.dir;
    const version = await run('aws', ['--version'], { env: iso.env() });
    cliVersion = `${version.stdout}${version.stderr}`.trim();
    await writeFile(path.join(work, 'hello.txt'), SMALL);
    await writeFile(path.join(work, 'big.bin'), big);
    await writeFile(path.join(work, 'note.txt'), 'nested note');
    await writeFile(path.join(work, 'other.txt'), 'other!');
    await writeFile(path.join(work, 'special.txt'), SPECIAL_BODY);
  });
  afterAll(async () => {
    await t?.cleanup();
    await iso?.cleanup();
  });

  it('s3 mb creates the bucket', async () => {
    expect(await ok(['s3', 'mb', `s3://${bucket}`])).toBe(`make_bucket: ${bucket}\n`);
    const head = await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    expect(head.$metadata.httpStatusCode).toBe(200);
  });

  it('s3 cp uploads a small file', async () => {
    const out = await ok(['s3', 'cp', '--no-progress', 'hello.txt', `s3://${bucket}/hello.txt`]);
    expect(out.trim()).toBe(`upload: ./hello.txt to s3://${bucket}/hello.txt`);
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'hello.txt' }));
    expect(await res.Body!.transformToString()).toBe(SMALL);
    expect(res.ContentType).toBe('text/plain');
    expect(res.ETag).toBe(`"${md5(SMALL)}"`);
  });

  it('s3 cp uploads a 6 MiB file in a single PUT', async () => {
    await ok(['s3', 'cp', '--no-progress', 'big.bin', `s3://${bucket}/data/big.bin`]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'data/big.bin' }));
    expect(head.ContentLength).toBe(BIG_SIZE);
    expect(head.ETag).toBe(`"${md5(big)}"`);
  });

  it('s3 cp uploads more keys, including one with space, plus, non-ASCII and percent', async () => {
    await ok(['s3', 'cp', '--no-progress', 'note.txt', `s3://${bucket}/data/nested/note.txt`]);
    await ok(['s3', 'cp', '--no-progress', 'other.txt', `s3://${bucket}/data/other.txt`]);
    await ok(['s3', 'cp', '--no-progress', 'special.txt', `s3://${bucket}/${SPECIAL_KEY}`]);
    expect(await sdkText('data/nested/note.txt')).toBe('nested note');
    expect(await sdkText(SPECIAL_KEY)).toBe(SPECIAL_BODY);
  });

  it('s3 ls lists the buckets', async () => {
    const out = await ok(['s3', 'ls']);
    expect(out).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d ${bucket}$`, 'm'));
  });

  it('s3 ls s3://bucket shows top-level keys and prefixes', async () => {
    expect(parseLs(await ok(['s3', 'ls', `s3://${bucket}`]))).toEqual(['PRE data/', `hello.txt ${SMALL.length}`]);
  });

  it('s3 ls --recursive shows every key with its size', async () => {
    expect(parseLs(await ok(['s3', 'ls', '--recursive', `s3://${bucket}`]))).toEqual(
      [
        `data/big.bin ${BIG_SIZE}`,
        'data/nested/note.txt 11',
        'data/other.txt 6',
        `${SPECIAL_KEY} ${SPECIAL_BODY.length}`,
        `hello.txt ${SMALL.length}`,
      ].sort(),
    );
  });

  it('s3 ls s3://bucket/prefix/ lists one level under the prefix', async () => {
    expect(parseLs(await ok(['s3', 'ls', `s3://${bucket}/data/`]))).toEqual(
      ['PRE nested/', `big.bin ${BIG_SIZE}`, 'other.txt 6', `${SPECIAL_KEY.slice('data/'.length)} ${SPECIAL_BODY.length}`].sort(),
    );
  });

  it('s3 cp downloads the 6 MiB file byte for byte', async () => {
    await ok(['s3', 'cp', '--no-progress', `s3://${bucket}/data/big.bin`, 'big.down']);
    const down = await readFile(path.join(work, 'big.down'));
    expect(down.length).toBe(BIG_SIZE);
    expect(down.equals(big)).toBe(true);
  });

  it('s3 cp downloads a key with special characters to stdout', async () => {
    expect(await ok(['s3', 'cp', `s3://${bucket}/${SPECIAL_KEY}`, '-'])).toBe(SPECIAL_BODY);
  });

  it('s3api get-object --range bytes=10-99 returns exactly those 90 bytes', async () => {
    const out = JSON.parse(
      await ok(['s3api', 'get-object', '--bucket', bucket, '--key', 'data/big.bin', '--range', 'bytes=10-99', 'range.bin']),
    );
    expect(out.ContentLength).toBe(90);
    expect(out.ContentRange).toBe(`bytes 10-99/${BIG_SIZE}`);
    expect(out.ETag).toBe(`"${md5(big)}"`);
    const part = await readFile(path.join(work, 'range.bin'));
    expect(part.equals(big.subarray(10, 100))).toBe(true);
  });

  it('s3api put-object with metadata and content type, then head-object reports them', async () => {
    await ok([
      's3api', 'put-object', '--bucket', bucket, '--key', 'meta.txt', '--body', 'other.txt',
      '--content-type', 'application/x-sklad-test', '--metadata', 'color=blue,owner=cli',
    ]);
    const head = JSON.parse(await ok(['s3api', 'head-object', '--bucket', bucket, '--key', 'meta.txt']));
    expect(head.ContentLength).toBe(6);
    expect(head.ContentType).toBe('application/x-sklad-test');
    expect(head.ETag).toBe(`"${md5('other!')}"`);
    expect(head.Metadata).toEqual({ color: 'blue', owner: 'cli' });
    expect(Number.isNaN(Date.parse(head.LastModified))).toBe(false);
    await ok(['s3api', 'delete-object', '--bucket', bucket, '--key', 'meta.txt']);
  });

  it('s3api head-object on the small upload', async () => {
    const head = JSON.parse(await ok(['s3api', 'head-object', '--bucket', bucket, '--key', 'hello.txt']));
    expect(head).toMatchObject({ ContentLength: SMALL.length, ETag: `"${md5(SMALL)}"`, ContentType: 'text/plain', Metadata: {} });
  });

  it('s3 presign makes a URL that fetch can download', async () => {
    const url = (await ok(['s3', 'presign', `s3://${bucket}/data/big.bin`, '--expires-in', '300'])).trim();
    if (cliVersion.startsWith('aws-cli/1.')) {
      const params = new URL(url).searchParams;
      expect([...params.keys()].sort()).toEqual(['AWSAccessKeyId', 'Expires', 'Signature']);
    }
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`"${md5(big)}"`);
    expect(Buffer.from(await res.arrayBuffer()).equals(big)).toBe(true);
  });

  it('s3 presign works for a key with special characters', async () => {
    const url = (await ok(['s3', 'presign', `s3://${bucket}/${SPECIAL_KEY}`])).trim();
    const res = await fetch(url);
    const body = await res.text();
    expect({ status: res.status, body }).toEqual({ status: 200, body: SPECIAL_BODY });
  });

  it('a presigned URL with a changed Expires is refused with SignatureDoesNotMatch', async () => {
    const url = new URL((await ok(['s3', 'presign', `s3://${bucket}/hello.txt`, '--expires-in', '300'])).trim());
    const param = url.searchParams.has('Expires') ? 'Expires' : 'X-Amz-Expires';
    url.searchParams.set(param, String(Number(url.searchParams.get(param)) + 1));
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(xmlErrorCode(await res.text())).toBe('SignatureDoesNotMatch');
  });

  it('an expired presigned URL is refused with AccessDenied', async () => {
    const url = (await ok(['s3', 'presign', `s3://${bucket}/hello.txt`, '--expires-in', '1'])).trim();
    await new Promise((r) => setTimeout(r, 2_200));
    const res = await fetch(url);
    const body = await res.text();
    expect(res.status).toBe(403);
    expect(xmlErrorCode(body)).toBe('AccessDenied');
    expect(body).toContain('Request has expired');
  });

  it('s3api get-object on a missing key fails with NoSuchKey', async () => {
    const r = await aws(['s3api', 'get-object', '--bucket', bucket, '--key', 'missing/key.txt', 'missing.out']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('(NoSuchKey)');
  });

  it('s3api head-object on a missing key fails with 404', async () => {
    const r = await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'missing/key.txt']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\(404\)|Not Found/);
  });

  it('s3 ls on a missing bucket fails with NoSuchBucket', async () => {
    const r = await aws(['s3', 'ls', 's3://no-such-bucket-here']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('NoSuchBucket');
  });

  it('a wrong secret is refused with SignatureDoesNotMatch', async () => {
    const r = await aws(['s3', 'ls', `s3://${bucket}`], { AWS_SECRET_ACCESS_KEY: 'wrong-secret-0000000000' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('SignatureDoesNotMatch');
    const put = await aws(['s3', 'cp', '--no-progress', 'other.txt', `s3://${bucket}/hello.txt`], { AWS_SECRET_ACCESS_KEY: 'wrong-secret-0000000000' });
    expect(put.code).not.toBe(0);
    expect(put.stderr).toContain('SignatureDoesNotMatch');
    expect(await sdkText('hello.txt')).toBe(SMALL);
  });

  it('s3 rb refuses a bucket that still has objects', async () => {
    const r = await aws(['s3', 'rb', `s3://${bucket}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('BucketNotEmpty');
  });

  it('s3 rm deletes one object', async () => {
    expect((await ok(['s3', 'rm', `s3://${bucket}/hello.txt`])).trim()).toBe(`delete: s3://${bucket}/hello.txt`);
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'hello.txt' })))).toMatchObject({ status: 404 });
  });

  it('s3 rm --recursive deletes everything under a prefix', async () => {
    const out = await ok(['s3', 'rm', '--recursive', `s3://${bucket}/data/`]);
    const deleted = out.trim().split('\n').map((l) => l.trim()).sort();
    expect(deleted).toEqual(
      [
        `delete: s3://${bucket}/data/big.bin`,
        `delete: s3://${bucket}/data/nested/note.txt`,
        `delete: s3://${bucket}/data/other.txt`,
        `delete: s3://${bucket}/${SPECIAL_KEY}`,
      ].sort(),
    );
    expect(await ok(['s3', 'ls', '--recursive', `s3://${bucket}`])).toBe('');
  });

  it('s3 rb removes the empty bucket', async () => {
    expect(await ok(['s3', 'rb', `s3://${bucket}`])).toBe(`remove_bucket: ${bucket}\n`);
    expect(await s3Error(s3.send(new HeadBucketCommand({ Bucket: bucket })))).toMatchObject({ status: 404 });
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect((buckets.Buckets ?? []).map((b) => b.Name)).not.toContain(bucket);
  });
});
