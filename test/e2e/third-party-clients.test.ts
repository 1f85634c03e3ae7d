// rclone, s3cmd, restic and the MinIO JS client, each used against the real server the way an administrator would.
import { randomBytes } from 'node:crypto';
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadBucketCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import * as Minio from 'minio';
import { ACCESS_KEY, REGION, SECRET_KEY, startTestServer, type TestServer } from '../support/server.js';
import { s3Error } from '../support/s3-error.js';
import {
  isolatedToolEnv, readTree, run, runForBytes, toolVersion, writeTree, type IsolatedToolEnv, type RunResult,
  rcloneRemote,
} from '../support/external-clients.js';
import { head, headError, listSizes, md5hex, MiB, multipartEtag, objectBytes } from '../support/object-checks.js';

const rcloneVersion = toolVersion('rclone', ['version']);
const s3cmdVersion = toolVersion('s3cmd', ['--version']);
const resticVersion = toolVersion('restic', ['version']);
// The test command installs these (test/install-system-deps.sh): a missing one is a failure, never a skip.
it.each([['rclone', rcloneVersion], ['s3cmd', s3cmdVersion], ['restic', resticVersion]])('%s is installed and starts', (tool, version) => {
  expect(version, `"${tool}" is not on PATH or does not start: install the Debian package "${tool}"`).toBeDefined();
});

/** Fails with the command's whole output unless it exited 0. */
function ok(what: string, r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

const sorted = <T>(xs: Iterable<T>): T[] => [...xs].sort();
const entriesOf = (files: Record<string, Buffer>) => sorted(Object.entries(files).map(([k, v]) => `${k} ${v.length}`));
const entriesOfMap = (m: Map<string, number>) => sorted([...m].map(([k, v]) => `${k} ${v}`));

async function bucketNames(s3: S3Client): Promise<string[]> {
  return ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name!);
}

// ---------------------------------------------------------------------------------------------------------------
describe('rclone against sklad', { timeout: 60_000 }, () => {
  const bucket = 'rclone-e2e';
  let t: TestServer;
  let s3: S3Client;
  let tools: IsolatedToolEnv;
  let local: string;
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 24; i++) files[`f${String(i).padStart(2, '0')}.bin`] = randomBytes(100 + i * 997);
  for (let i = 0; i < 4; i++) files[`docs/note-${i}.txt`] = Buffer.from(`note ${i}\n`.repeat(i + 1));
  files['docs/deep/readme.txt'] = Buffer.from('line one\nline two\n');
  files['big.bin'] = randomBytes(20 * MiB);

  const env = () => rcloneRemote(tools, t.endpoint);
  const rclone = (args: string[]) => run('rclone', args, { env: env(), cwd: tools.dir, timeoutMs: 60_000 });
  /** The messages of rclone's INFO log lines ("name: Copied (new)"), sorted. */
  const infoLines = (stderr: string) => sorted(stderr.split('\n').flatMap((l) => /\bINFO\s+:\s(.+)$/.exec(l)?.[1] ?? []));

  beforeAll(async () => {
    t = await startTestServer();
    s3 = t.client();
    tools = await isolatedToolEnv();
    await writeFile(path.join(tools.dir, 'rclone.conf'), '');
    local = path.join(tools.dir, 'local');
    await writeTree(local, files);
  });
  afterAll(async () => {
    await t?.cleanup();
    await tools?.cleanup();
  });

  it('rclone mkdir creates the bucket', async () => {
    const r = ok('rclone mkdir', await rclone(['mkdir', `sklad:${bucket}`]));
    expect(r.stdout).toBe('');
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  });

  it('rclone copy uploads 30 files, the 20 MiB one in 5 MiB parts', async () => {
    const r = ok('rclone copy', await rclone(['copy', local, `sklad:${bucket}`, '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M', '-v', '--stats', '0']));
    expect(infoLines(r.stderr)).toEqual(sorted(Object.keys(files).map((k) => `${k}: Copied (new)`)));
    expect(entriesOfMap(await listSizes(s3, bucket))).toEqual(entriesOf(files));
    const big = await head(s3, bucket, 'big.bin');
    expect(big.ETag).toBe(multipartEtag(files['big.bin']!, 5 * MiB));
    expect(big.Metadata?.md5chksum).toBe(Buffer.from(md5hex(files['big.bin']!), 'hex').toString('base64'));
    expect((await objectBytes(s3, bucket, 'big.bin')).equals(files['big.bin']!)).toBe(true);
    for (const key of ['f07.bin', 'docs/deep/readme.txt']) {
      expect((await head(s3, bucket, key)).ETag).toBe(`"${md5hex(files[key]!)}"`);
      expect((await objectBytes(s3, bucket, key)).equals(files[key]!)).toBe(true);
    }
  });

  it('rclone ls, lsf -R --files-only and lsf list exactly what is there', async () => {
    const ls = ok('rclone ls', await rclone(['ls', `sklad:${bucket}`]));
    const parsed = ls.stdout.trimEnd().split('\n').map((l) => {
      const m = /^\s*(\d+) (.+)$/.exec(l);
      if (!m) throw new Error(`unexpected rclone ls line ${JSON.stringify(l)}`);
      return `${m[2]} ${m[1]}`;
    });
    expect(sorted(parsed)).toEqual(entriesOf(files));

    const lsf = ok('rclone lsf -R', await rclone(['lsf', '-R', '--files-only', `sklad:${bucket}`]));
    expect(sorted(lsf.stdout.trimEnd().split('\n'))).toEqual(sorted(Object.keys(files)));

    const top = ok('rclone lsf', await rclone(['lsf', `sklad:${bucket}`]));
    expect(sorted(top.stdout.trimEnd().split('\n'))).toEqual(sorted([...Object.keys(files).filter((k) => !k.includes('/')), 'docs/']));

    const docs = ok('rclone lsf docs', await rclone(['lsf', `sklad:${bucket}/docs`]));
    expect(sorted(docs.stdout.trimEnd().split('\n'))).toEqual(['deep/', 'note-0.txt', 'note-1.txt', 'note-2.txt', 'note-3.txt']);
  });

  it('rclone check finds 0 differences', async () => {
    const r = ok('rclone check', await rclone(['check', local, `sklad:${bucket}`]));
    expect(r.stderr).toContain('0 differences found');
    expect(r.stderr).toContain('30 matching files');
  });

  it('rclone sync after changing one file and deleting another replaces one object and deletes one; check is clean again', async () => {
    files['f03.bin'] = randomBytes(777);
    await writeFile(path.join(local, 'f03.bin'), files['f03.bin']);
    delete files['f04.bin'];
    await rm(path.join(local, 'f04.bin'));
    const r = ok('rclone sync', await rclone(['sync', local, `sklad:${bucket}`, '-v', '--stats', '0']));
    expect(infoLines(r.stderr)).toEqual(['f03.bin: Copied (replaced existing)', 'f04.bin: Deleted']);
    expect(entriesOfMap(await listSizes(s3, bucket))).toEqual(entriesOf(files));
    expect((await objectBytes(s3, bucket, 'f03.bin')).equals(files['f03.bin'])).toBe(true);
    expect(await headError(s3, bucket, 'f04.bin')).toEqual({ name: 'NotFound', status: 404 });

    const check = ok('rclone check', await rclone(['check', local, `sklad:${bucket}`]));
    expect(check.stderr).toContain('0 differences found');
    expect(check.stderr).toContain('29 matching files');
  });

  it('rclone copyto within the remote is a server-side copy (single request, and multipart above --s3-copy-cutoff)', async () => {
    const small = ok('rclone copyto', await rclone(['copyto', `sklad:${bucket}/docs/deep/readme.txt`, `sklad:${bucket}/copies/readme.txt`, '-v', '--stats', '0']));
    expect(infoLines(small.stderr)).toEqual(['readme.txt: Copied (server-side copy)']);
    const big = ok('rclone copyto big', await rclone([
      'copyto', `sklad:${bucket}/big.bin`, `sklad:${bucket}/copies/big.bin`, '--s3-copy-cutoff', '5M', '-v', '--stats', '0',
    ]));
    expect(infoLines(big.stderr)).toEqual(['big.bin: Copied (server-side copy)']);

    expect((await objectBytes(s3, bucket, 'copies/readme.txt')).equals(files['docs/deep/readme.txt']!)).toBe(true);
    expect((await head(s3, bucket, 'copies/readme.txt')).ETag).toBe(`"${md5hex(files['docs/deep/readme.txt']!)}"`);
    expect((await objectBytes(s3, bucket, 'copies/big.bin')).equals(files['big.bin']!)).toBe(true);
    // copied part by part (UploadPartCopy) on the same 5 MiB boundaries as the upload
    expect((await head(s3, bucket, 'copies/big.bin')).ETag).toBe(multipartEtag(files['big.bin']!, 5 * MiB));
  });

  it('rclone cat prints whole objects and byte ranges', async () => {
    const text = ok('rclone cat', await rclone(['cat', `sklad:${bucket}/docs/deep/readme.txt`]));
    expect(text.stdout).toBe('line one\nline two\n');
    const part = ok('rclone cat --offset', await rclone(['cat', '--offset', '5', '--count', '3', `sklad:${bucket}/docs/deep/readme.txt`]));
    expect(part.stdout).toBe('one');
    const whole = await runForBytes('rclone', ['cat', `sklad:${bucket}/big.bin`], { env: env(), timeoutMs: 60_000 });
    expect(whole.code).toBe(0);
    expect(whole.stdout.equals(files['big.bin']!)).toBe(true);
    const across = await runForBytes('rclone', ['cat', '--offset', String(5 * MiB - 10), '--count', '20', `sklad:${bucket}/big.bin`], { env: env() });
    expect(across.code).toBe(0);
    expect(across.stdout.equals(files['big.bin']!.subarray(5 * MiB - 10, 5 * MiB + 10))).toBe(true);
  });

  it('rclone delete --include, purge of a folder, rmdir of a non-empty bucket fails, delete + rmdir removes the bucket', async () => {
    ok('rclone delete --include', await rclone(['delete', `sklad:${bucket}`, '--include', 'f1*.bin']));
    const expected = Object.keys(files).filter((k) => !/^f1\d\.bin$/.test(k)).concat(['copies/big.bin', 'copies/readme.txt']);
    expect(sorted((await listSizes(s3, bucket)).keys())).toEqual(sorted(expected));

    ok('rclone purge', await rclone(['purge', `sklad:${bucket}/copies`]));
    expect(sorted((await listSizes(s3, bucket)).keys())).toEqual(sorted(expected.filter((k) => !k.startsWith('copies/'))));

    const refused = await rclone(['rmdir', `sklad:${bucket}`, '--retries', '1', '--low-level-retries', '1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('BucketNotEmpty');

    ok('rclone delete', await rclone(['delete', `sklad:${bucket}`]));
    expect((await listSizes(s3, bucket)).size).toBe(0);
    ok('rclone rmdir', await rclone(['rmdir', `sklad:${bucket}`]));
    expect(await s3Error(s3.send(new HeadBucketCommand({ Bucket: bucket })))).toMatchObject({ name: 'NotFound', status: 404 });
    const lsd = ok('rclone lsd', await rclone(['lsd', 'sklad:']));
    expect(lsd.stdout).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('s3cmd against sklad', { timeout: 60_000 }, () => {
  const bucket = 's3cmd-e2e';
  const other = 's3cmd-e2e-other';
  let t: TestServer;
  let s3: S3Client;
  let tools: IsolatedToolEnv;
  let config: string;
  const small = Buffer.from('hello from s3cmd\n');
  const big = randomBytes(20 * MiB);
  const tree: Record<string, Buffer> = {};
  for (let i = 0; i < 12; i++) tree[`a/f${String(i).padStart(2, '0')}.txt`] = Buffer.from(`file number ${String(i).padStart(2, '0')}\n`);
  tree['a/b/deep.txt'] = Buffer.from('deep\n');

  const s3cmd = (args: string[]) => run('s3cmd', ['-c', config, ...args], { env: tools.env(), cwd: tools.dir, timeoutMs: 60_000 });
  const lines = (out: string) => out.split('\n').filter((l) => l.trim() !== '');
  /** `s3cmd ls`/`la` output as "DIR uri" and "uri size" entries, sorted. */
  const parseLs = (out: string) =>
    sorted(lines(out).map((l) => {
      const dir = /^\s+DIR\s+(\S+)$/.exec(l);
      if (dir) return `DIR ${dir[1]}`;
      const obj = /^\d{4}-\d\d-\d\d \d\d:\d\d\s+(\d+)\s+(\S+)$/.exec(l);
      if (!obj) throw new Error(`unexpected s3cmd ls line ${JSON.stringify(l)}`);
      return `${obj[2]} ${obj[1]}`;
    }));

  beforeAll(async () => {
    t = await startTestServer();
    s3 = t.client();
    tools = await isolatedToolEnv();
    const hostPort = new URL(t.endpoint).host;
    config = path.join(tools.dir, 's3cfg');
    await writeFile(
      config,
      [
        '[default]',
        `access_key = ${ACCESS_KEY}`,
        `secret_key = ${SECRET_KEY}`,
        `host_base = ${hostPort}`,
        `host_bucket = ${hostPort}`,
        'use_https = False',
        'signature_v2 = False',
        `bucket_location = ${REGION}`,
        '',
      ].join('\n'),
    );
    await writeFile(path.join(tools.dir, 'small.txt'), small);
    await writeFile(path.join(tools.dir, 'big.bin'), big);
    await writeTree(path.join(tools.dir, 'tree'), tree);
  });
  afterAll(async () => {
    await t?.cleanup();
    await tools?.cleanup();
  });

  it('s3cmd mb creates buckets', async () => {
    expect(ok('mb', await s3cmd(['mb', `s3://${bucket}`])).stdout).toBe(`Bucket 's3://${bucket}/' created\n`);
    expect(ok('mb', await s3cmd(['mb', `s3://${other}`])).stdout).toBe(`Bucket 's3://${other}/' created\n`);
    expect(sorted(await bucketNames(s3))).toEqual([bucket, other]);
  });

  it('s3cmd put of a small file and of a 20 MiB file in 5 MiB parts', async () => {
    const r1 = ok('put small', await s3cmd(['put', 'small.txt', `s3://${bucket}/small.txt`]));
    expect(lines(r1.stdout)).toHaveLength(1);
    expect(r1.stdout).toMatch(new RegExp(`^upload: 'small\\.txt' -> 's3://${bucket}/small\\.txt' \\(${small.length} bytes in .*\\) \\[1 of 1\\]\\n$`));
    expect((await head(s3, bucket, 'small.txt')).ETag).toBe(`"${md5hex(small)}"`);

    const r2 = ok('put big', await s3cmd(['put', 'big.bin', `s3://${bucket}/dir/big.bin`, '--multipart-chunk-size-mb=5']));
    expect(r2.stdout).toContain(`upload: 'big.bin' -> 's3://${bucket}/dir/big.bin' (${big.length} bytes in `);
    const h = await head(s3, bucket, 'dir/big.bin');
    expect(h.ETag).toBe(multipartEtag(big, 5 * MiB));
    expect(h.ContentLength).toBe(big.length);
    expect(h.Metadata?.['s3cmd-attrs']).toContain(`md5:${md5hex(big)}`);
    expect((await objectBytes(s3, bucket, 'dir/big.bin')).equals(big)).toBe(true);
  });

  it('s3cmd ls, ls -r and la', async () => {
    expect(parseLs(ok('ls', await s3cmd(['ls', `s3://${bucket}`])).stdout)).toEqual(
      sorted([`DIR s3://${bucket}/dir/`, `s3://${bucket}/small.txt ${small.length}`]),
    );
    const all = sorted([`s3://${bucket}/dir/big.bin ${big.length}`, `s3://${bucket}/small.txt ${small.length}`]);
    expect(parseLs(ok('ls -r', await s3cmd(['ls', '-r', `s3://${bucket}`])).stdout)).toEqual(all);
    expect(parseLs(ok('la', await s3cmd(['la'])).stdout)).toEqual(sorted([`DIR s3://${bucket}/dir/`, `s3://${bucket}/small.txt ${small.length}`]));
    expect(parseLs(ok('la -r', await s3cmd(['la', '-r'])).stdout)).toEqual(all);
    const buckets = lines(ok('ls buckets', await s3cmd(['ls'])).stdout).map((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d\s+(s3:\/\/\S+)$/.exec(l)?.[1] ?? l);
    expect(sorted(buckets)).toEqual(sorted([`s3://${bucket}`, `s3://${other}`]));
  });

  it('s3cmd get returns the same bytes (file and stdout)', async () => {
    ok('get big', await s3cmd(['get', `s3://${bucket}/dir/big.bin`, 'big.down']));
    expect((await readFile(path.join(tools.dir, 'big.down'))).equals(big)).toBe(true);
    expect(ok('get -', await s3cmd(['get', `s3://${bucket}/small.txt`, '-'])).stdout).toBe(small.toString());
    const missing = await s3cmd(['get', `s3://${bucket}/no/such/key`, 'nothing.down']);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain(`Source object 's3://${bucket}/no/such/key' does not exist`);
  });

  it('s3cmd info on an object and on a bucket', async () => {
    const obj = ok('info object', await s3cmd(['info', `s3://${bucket}/dir/big.bin`])).stdout;
    expect(obj).toContain(`s3://${bucket}/dir/big.bin (object):`);
    expect(obj).toMatch(new RegExp(`^\\s+File size: ${big.length}$`, 'm'));
    expect(obj).toMatch(new RegExp(`^\\s+MD5 sum:\\s+${md5hex(big)}$`, 'm'));
    const b = ok('info bucket', await s3cmd(['info', `s3://${bucket}`])).stdout;
    expect(b).toContain(`s3://${bucket}/ (bucket):`);
    expect(b).toMatch(new RegExp(`^\\s+Location:\\s+${REGION}$`, 'm'));
  });

  it('s3cmd cp (across buckets and within), mv, del', async () => {
    expect(ok('cp', await s3cmd(['cp', `s3://${bucket}/small.txt`, `s3://${other}/copied.txt`])).stdout).toBe(
      `remote copy: 's3://${bucket}/small.txt' -> 's3://${other}/copied.txt'  [1 of 1]\n`,
    );
    expect((await objectBytes(s3, other, 'copied.txt')).equals(small)).toBe(true);
    ok('cp big', await s3cmd(['cp', `s3://${bucket}/dir/big.bin`, `s3://${bucket}/dir/big-copy.bin`]));
    expect((await objectBytes(s3, bucket, 'dir/big-copy.bin')).equals(big)).toBe(true);

    expect(ok('mv', await s3cmd(['mv', `s3://${bucket}/small.txt`, `s3://${bucket}/moved/small.txt`])).stdout).toBe(
      `move: 's3://${bucket}/small.txt' -> 's3://${bucket}/moved/small.txt'  [1 of 1]\n`,
    );
    expect((await objectBytes(s3, bucket, 'moved/small.txt')).equals(small)).toBe(true);
    expect(await headError(s3, bucket, 'small.txt')).toEqual({ name: 'NotFound', status: 404 });

    expect(ok('del', await s3cmd(['del', `s3://${bucket}/dir/big-copy.bin`])).stdout).toBe(`delete: 's3://${bucket}/dir/big-copy.bin'\n`);
    expect(await headError(s3, bucket, 'dir/big-copy.bin')).toEqual({ name: 'NotFound', status: 404 });
    expect(sorted((await listSizes(s3, bucket)).keys())).toEqual(['dir/big.bin', 'moved/small.txt']);
  });

  it('s3cmd sync uploads a folder, then only what changed (--delete-removed), then nothing', async () => {
    const first = ok('sync', await s3cmd(['sync', 'tree/', `s3://${bucket}/tree/`]));
    const uploads = (out: string) => sorted(lines(out).flatMap((l) => /^upload: '([^']+)' -> '([^']+)'/.exec(l)?.slice(1, 3).join(' -> ') ?? []));
    expect(uploads(first.stdout)).toEqual(sorted(Object.keys(tree).map((k) => `tree/${k} -> s3://${bucket}/tree/${k}`)));
    expect(entriesOfMap(await listSizes(s3, bucket, 'tree/'))).toEqual(entriesOf(Object.fromEntries(Object.entries(tree).map(([k, v]) => [`tree/${k}`, v]))));

    tree['a/f01.txt'] = Buffer.from('FILE NUMBER 01\n'); // same size, other bytes: found by MD5
    await writeFile(path.join(tools.dir, 'tree/a/f01.txt'), tree['a/f01.txt']);
    delete tree['a/f02.txt'];
    await rm(path.join(tools.dir, 'tree/a/f02.txt'));
    const second = ok('sync --delete-removed', await s3cmd(['sync', '--delete-removed', 'tree/', `s3://${bucket}/tree/`]));
    expect(uploads(second.stdout)).toEqual([`tree/a/f01.txt -> s3://${bucket}/tree/a/f01.txt`]);
    expect(lines(second.stdout).filter((l) => l.startsWith('delete:'))).toEqual([`delete: 's3://${bucket}/tree/a/f02.txt'`]);
    expect((await objectBytes(s3, bucket, 'tree/a/f01.txt')).equals(tree['a/f01.txt'])).toBe(true);
    expect(await headError(s3, bucket, 'tree/a/f02.txt')).toEqual({ name: 'NotFound', status: 404 });

    const third = ok('sync again', await s3cmd(['sync', '--delete-removed', 'tree/', `s3://${bucket}/tree/`]));
    expect(lines(third.stdout).filter((l) => /^(upload|delete):/.test(l))).toEqual([]);
  });

  it('s3cmd rb refuses a non-empty bucket; rb --recursive and del --recursive + rb remove them', async () => {
    const refused = await s3cmd(['rb', `s3://${bucket}`]);
    expect(refused.code).toBe(13);
    expect(refused.stderr).toContain('409 (BucketNotEmpty)');

    const rb = ok('rb --recursive', await s3cmd(['rb', '--recursive', '--force', `s3://${bucket}`]));
    expect(lines(rb.stdout).filter((l) => l.startsWith('delete:')).length).toBe(2 + Object.keys(tree).length);
    expect(rb.stdout).toContain(`Bucket 's3://${bucket}/' removed`);

    expect(ok('del --recursive', await s3cmd(['del', '--recursive', '--force', `s3://${other}`])).stdout).toBe(`delete: 's3://${other}/copied.txt'\n`);
    expect(ok('rb', await s3cmd(['rb', `s3://${other}`])).stdout).toBe(`Bucket 's3://${other}/' removed\n`);
    expect(await bucketNames(s3)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('restic against sklad', { timeout: 60_000 }, () => {
  const bucket = 'restic-e2e';
  let t: TestServer;
  let s3: S3Client;
  let tools: IsolatedToolEnv;
  let source: string;
  const data: Record<string, Buffer> = { 'marker.txt': Buffer.from('restic backup root\n') };
  for (let i = 0; i < 44; i++) data[`d${i % 3}/file-${String(i).padStart(2, '0')}.dat`] = randomBytes(50 + i * 311);
  for (let i = 0; i < 5; i++) data[`random/blob-${i}.bin`] = randomBytes(MiB + i * 4099);
  let firstSnapshot = '';
  let secondSnapshot = '';

  const restic = (args: string[]) =>
    run('restic', args, {
      env: tools.env({
        RESTIC_REPOSITORY: `s3:${t.endpoint}/${bucket}`,
        RESTIC_PASSWORD: 'correct horse battery staple',
        RESTIC_CACHE_DIR: path.join(tools.dir, 'cache'),
        AWS_ACCESS_KEY_ID: ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY: SECRET_KEY,
        AWS_DEFAULT_REGION: REGION,
      }),
      cwd: tools.dir,
      timeoutMs: 60_000,
    });
  /** The `summary` message of `restic backup --json`. */
  const summaryOf = (stdout: string) => {
    const msgs = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
    const summary = msgs.find((m) => m.message_type === 'summary');
    if (!summary) throw new Error(`no summary in restic backup output:\n${stdout}`);
    return summary;
  };
  /** Restores `latest` into a fresh folder and returns the restored tree, relative to the backed-up folder. */
  async function restoreLatest(name: string): Promise<Map<string, Buffer>> {
    const target = path.join(tools.dir, name);
    ok('restic restore', await restic(['restore', 'latest', '--target', target]));
    const restored = await readTree(target);
    const marker = [...restored.keys()].find((k) => k === 'marker.txt' || k.endsWith('/marker.txt'));
    if (marker === undefined) throw new Error(`marker.txt not restored; got ${[...restored.keys()].slice(0, 5).join(', ')}`);
    const prefix = marker.slice(0, -'marker.txt'.length);
    return new Map([...restored].map(([k, v]) => [k.slice(prefix.length), v]));
  }
  const expectSameTree = (got: Map<string, Buffer>) => {
    expect(sorted(got.keys())).toEqual(sorted(Object.keys(data)));
    for (const [k, v] of Object.entries(data)) expect({ k, same: got.get(k)?.equals(v) }).toEqual({ k, same: true });
  };

  beforeAll(async () => {
    t = await startTestServer();
    s3 = t.client();
    tools = await isolatedToolEnv();
    source = path.join(tools.dir, 'source');
    await writeTree(source, data);
    // mtimes in the past, so the second backup tells changed files by their new mtime and size
    const past = new Date(Date.now() - 3_600_000);
    for (const k of Object.keys(data)) await utimes(path.join(source, k), past, past);
  });
  afterAll(async () => {
    await t?.cleanup();
    await tools?.cleanup();
  });

  it('restic init creates the bucket and the repository', async () => {
    const r = ok('restic init', await restic(['init']));
    expect(r.stdout).toMatch(new RegExp(`^created restic repository [0-9a-f]{10} at s3:${t.endpoint.replace(/[.]/g, '\\.')}/${bucket}$`, 'm'));
    const keys = [...(await listSizes(s3, bucket)).keys()];
    expect(keys).toContain('config');
    expect(keys.filter((k) => k.startsWith('keys/'))).toHaveLength(1);
  });

  it('restic backup of 50 files', async () => {
    const r = ok('restic backup', await restic(['backup', '--json', source]));
    const s = summaryOf(r.stdout);
    expect({ new: s.files_new, changed: s.files_changed, unmodified: s.files_unmodified }).toEqual({ new: 50, changed: 0, unmodified: 0 });
    expect(s.total_bytes_processed).toBe(Object.values(data).reduce((n, b) => n + b.length, 0));
    expect(s.snapshot_id).toMatch(/^[0-9a-f]{8}(?:[0-9a-f]{56})?$/); // short id up to restic 0.16, full id after
    firstSnapshot = s.snapshot_id;
  });

  it('restic snapshots lists the one snapshot', async () => {
    const r = ok('restic snapshots', await restic(['snapshots', '--json']));
    const snaps = JSON.parse(r.stdout) as { id: string; short_id: string; paths: string[] }[];
    expect(snaps.map((s) => ({ short: s.short_id, paths: s.paths }))).toEqual([{ short: firstSnapshot.slice(0, 8), paths: [source] }]);
    expect(snaps[0]!.id.startsWith(firstSnapshot)).toBe(true);
    firstSnapshot = snaps[0]!.id;
    expect([...(await listSizes(s3, bucket, 'snapshots/')).keys()]).toEqual([`snapshots/${firstSnapshot}`]);
  });

  it('restic check --read-data finds no errors', async () => {
    const r = ok('restic check --read-data', await restic(['check', '--read-data']));
    expect(r.stdout).toContain('no errors were found');
  });

  it('restic restore latest gives back every file byte for byte', async () => {
    expectSameTree(await restoreLatest('restore-1'));
  });

  it('a second backup after changes stores only the changes', async () => {
    data['d0/file-00.dat'] = randomBytes(4321);
    await writeFile(path.join(source, 'd0/file-00.dat'), data['d0/file-00.dat']);
    delete data['d1/file-01.dat'];
    await rm(path.join(source, 'd1/file-01.dat'));
    data['random/new.bin'] = randomBytes(300_000);
    await writeFile(path.join(source, 'random/new.bin'), data['random/new.bin']);
    const r = ok('restic backup', await restic(['backup', '--json', source]));
    const s = summaryOf(r.stdout);
    expect({ new: s.files_new, changed: s.files_changed, unmodified: s.files_unmodified }).toEqual({ new: 1, changed: 1, unmodified: 48 });
    const snaps = JSON.parse(ok('restic snapshots', await restic(['snapshots', '--json'])).stdout) as { id: string; short_id: string; parent?: string }[];
    expect(snaps.map((x) => x.short_id)).toEqual([firstSnapshot.slice(0, 8), s.snapshot_id.slice(0, 8)]);
    secondSnapshot = snaps[1]!.id;
    expect(snaps[1]!.parent).toBe(firstSnapshot);
  });

  it('restic forget --keep-last 1 --prune removes the first snapshot; check and restore still agree', async () => {
    ok('restic forget --prune', await restic(['forget', '--keep-last', '1', '--prune']));
    const snaps = JSON.parse(ok('restic snapshots', await restic(['snapshots', '--json'])).stdout) as { id: string }[];
    expect(snaps.map((x) => x.id)).toEqual([secondSnapshot]);
    expect([...(await listSizes(s3, bucket, 'snapshots/')).keys()]).toEqual([`snapshots/${secondSnapshot}`]);
    expect(ok('restic check', await restic(['check'])).stdout).toContain('no errors were found');
    expectSameTree(await restoreLatest('restore-2'));
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('MinIO JS client against sklad', { timeout: 30_000 }, () => {
  const bucket = 'minio-e2e';
  let t: TestServer;
  let s3: S3Client;
  let mc: Minio.Client;
  const small = Buffer.from('hello from the minio client\n');
  const big = randomBytes(12 * MiB);
  const PART = 5 * MiB;

  /** A stream that hands out `data` 64 KiB at a time, as a file stream would. */
  const streamOf = (data: Buffer) =>
    Readable.from((function* () {
      for (let i = 0; i < data.length; i += 64 * 1024) yield data.subarray(i, i + 64 * 1024);
    })());
  const readAll = async (stream: Readable) => {
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  const listV2 = (prefix: string, recursive: boolean) =>
    new Promise<Minio.BucketItem[]>((resolve, reject) => {
      const items: Minio.BucketItem[] = [];
      const s = mc.listObjectsV2(bucket, prefix, recursive);
      s.on('data', (d) => items.push(d));
      s.on('end', () => resolve(items));
      s.on('error', reject);
    });

  beforeAll(async () => {
    t = await startTestServer();
    s3 = t.client();
    const port = Number(new URL(t.endpoint).port);
    mc = new Minio.Client({
      endPoint: '127.0.0.1', port, useSSL: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, region: REGION, pathStyle: true, partSize: PART,
    });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('makeBucket and bucketExists', async () => {
    await mc.makeBucket(bucket, REGION);
    expect(await mc.bucketExists(bucket)).toBe(true);
    expect(await mc.bucketExists('minio-e2e-missing')).toBe(false);
  });

  it('putObject of a Buffer with metadata; statObject', async () => {
    const res = await mc.putObject(bucket, 'docs/small.txt', small, small.length, { 'Content-Type': 'text/plain', 'X-Amz-Meta-Color': 'blue' });
    expect(res).toEqual({ etag: md5hex(small), versionId: null });
    const stat = await mc.statObject(bucket, 'docs/small.txt');
    expect(stat).toMatchObject({ size: small.length, etag: md5hex(small), metaData: { 'content-type': 'text/plain', color: 'blue' } });
    expect(stat.lastModified).toBeInstanceOf(Date);
  });

  it('putObject of a 12 MiB stream goes up in 5 MiB parts', async () => {
    const res = await mc.putObject(bucket, 'docs/big.bin', streamOf(big), big.length);
    const expected = multipartEtag(big, PART).slice(1, -1);
    expect(res).toEqual({ etag: expected, versionId: null });
    expect(await mc.statObject(bucket, 'docs/big.bin')).toMatchObject({ size: big.length, etag: expected });
  });

  it('getObject and getPartialObject return the same bytes', async () => {
    expect((await readAll(await mc.getObject(bucket, 'docs/big.bin'))).equals(big)).toBe(true);
    expect((await readAll(await mc.getObject(bucket, 'docs/small.txt'))).equals(small)).toBe(true);
    const across = await readAll(await mc.getPartialObject(bucket, 'docs/big.bin', PART - 1000, 2000));
    expect(across.equals(big.subarray(PART - 1000, PART + 1000))).toBe(true);
    const tail = await readAll(await mc.getPartialObject(bucket, 'docs/big.bin', big.length - 100));
    expect(tail.equals(big.subarray(big.length - 100))).toBe(true);
  });

  it('listObjectsV2 with a prefix, recursive and not', async () => {
    await mc.putObject(bucket, 'docs/sub dir/a+b c.txt', Buffer.from('spaced'));
    await mc.putObject(bucket, 'top.txt', Buffer.from('top'));
    const rec = await listV2('docs/', true);
    expect(rec.map((i) => `${i.name} ${i.size} ${i.etag}`)).toEqual([
      `docs/big.bin ${big.length} ${multipartEtag(big, PART).slice(1, -1)}`,
      `docs/small.txt ${small.length} ${md5hex(small)}`,
      `docs/sub dir/a+b c.txt 6 ${md5hex('spaced')}`,
    ]);
    const flat = await listV2('docs/', false);
    expect(sorted(flat.map((i) => i.name ?? `PRE ${i.prefix}`))).toEqual(sorted(['docs/big.bin', 'docs/small.txt', 'PRE docs/sub dir/']));
    const root = await listV2('', false);
    expect(sorted(root.map((i) => i.name ?? `PRE ${i.prefix}`))).toEqual(['PRE docs/', 'top.txt']);
  });

  it('copyObject with CopySourceOptions / CopyDestinationOptions (COPY and REPLACE metadata)', async () => {
    const res = await mc.copyObject(
      new Minio.CopySourceOptions({ Bucket: bucket, Object: 'docs/big.bin' }),
      new Minio.CopyDestinationOptions({ Bucket: bucket, Object: 'copies/big.bin' }),
    );
    expect(res).toMatchObject({ Bucket: bucket, Key: 'copies/big.bin' });
    expect((res as { LastModified?: unknown }).LastModified).toBeInstanceOf(Date);
    expect((await objectBytes(s3, bucket, 'copies/big.bin')).equals(big)).toBe(true);

    await mc.copyObject(
      new Minio.CopySourceOptions({ Bucket: bucket, Object: 'docs/small.txt', MatchETag: md5hex(small) }),
      new Minio.CopyDestinationOptions({
        Bucket: bucket, Object: 'copies/small.txt', MetadataDirective: 'REPLACE', UserMetadata: { origin: 'copy' }, Headers: { 'Content-Type': 'text/x-copied' },
      }),
    );
    expect(await mc.statObject(bucket, 'copies/small.txt')).toMatchObject({
      size: small.length, etag: md5hex(small), metaData: { 'content-type': 'text/x-copied', origin: 'copy' },
    });

    const refused = await mc
      .copyObject(
        new Minio.CopySourceOptions({ Bucket: bucket, Object: 'docs/small.txt', MatchETag: '0123456789abcdef0123456789abcdef' }),
        new Minio.CopyDestinationOptions({ Bucket: bucket, Object: 'copies/never.txt' }),
      )
      .then(() => undefined, (e: { code?: string }) => e.code);
    expect(refused).toBe('PreconditionFailed');
  });

  it('the copy of a multipart object made by copyObject has the MD5 of its data as ETag', async () => {
    // AWS: objects created by the Copy operation (plaintext or SSE-S3) have ETags that are an MD5 digest of
    // their data; only Multipart Upload and Part Copy make non-MD5 ETags.
    expect(await mc.statObject(bucket, 'copies/big.bin')).toMatchObject({ size: big.length, etag: md5hex(big) });
  });

  it('presignedGetObject URLs can be fetched over plain HTTP', async () => {
    for (const [key, body] of [['docs/small.txt', small], ['docs/sub dir/a+b c.txt', Buffer.from('spaced')]] as const) {
      const url = await mc.presignedGetObject(bucket, key, 60);
      expect(new URL(url).searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
      const res = await fetch(url);
      expect({ key, status: res.status }).toEqual({ key, status: 200 });
      expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
    }
  });

  it('setObjectTagging and getObjectTagging', async () => {
    await mc.setObjectTagging(bucket, 'docs/small.txt', { env: 'test', team: 'storage ops' });
    const tags = await mc.getObjectTagging(bucket, 'docs/small.txt');
    expect([...tags].sort((a, b) => a.Key.localeCompare(b.Key))).toEqual([{ Key: 'env', Value: 'test' }, { Key: 'team', Value: 'storage ops' }]);
  });

  it('removeObjects deletes a batch (a missing name is not an error); removeBucket', async () => {
    const names = ['docs/small.txt', 'docs/big.bin', 'docs/sub dir/a+b c.txt', 'copies/big.bin', 'copies/small.txt', 'top.txt', 'never/existed'];
    expect(await mc.removeObjects(bucket, names)).toEqual([]);
    expect(await listV2('', true)).toEqual([]);
    await mc.removeBucket(bucket);
    expect(await mc.bucketExists(bucket)).toBe(false);
    expect(await bucketNames(s3)).toEqual([]);
  });
});
