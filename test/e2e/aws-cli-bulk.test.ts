// The aws cli's high-level s3 commands on bigger data: multipart cp both ways, sync of a folder, mv and cp between buckets.
import { randomBytes } from 'node:crypto';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { isolatedAwsEnv, requireAwsCli, run, writeTree, type IsolatedAwsEnv, type RunResult } from '../support/external-clients.js';
import { compositeCrc32, head, headError, listSizes, md5hex, MiB, multipartEtag, objectBytes } from '../support/object-checks.js';


const bucket = 'cli-bulk';
const other = 'cli-bulk-other';
/** The aws cli's default multipart_chunksize (and multipart_threshold). */
const CLI_CHUNK = 8 * MiB;

describe('aws cli bulk transfers against sklad', { timeout: 60_000 }, () => {
  let t: TestServer;
  let s3: S3Client;
  let iso: IsolatedAwsEnv;
  let work: string;
  const forty = randomBytes(40 * MiB);
  const tree: Record<string, Buffer> = {};
  for (let i = 0; i < 100; i++) tree[`d${i % 4}/file-${String(i).padStart(3, '0')}.txt`] = Buffer.from(`file ${i}\n`.repeat(1 + (i % 7)));

  const aws = (args: string[]): Promise<RunResult> =>
    run('aws', ['--endpoint-url', t.endpoint, ...args], { env: iso.env(), cwd: work, timeoutMs: 60_000 });
  async function ok(args: string[]): Promise<string> {
    const r = await aws(args);
    if (r.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }
  const lines = (out: string) => out.split('\n').filter((l) => l.trim() !== '');
  /** Runs an aws command with --debug; returns its stdout and the S3 operations it called, counted. */
  async function okWithOperations(args: string[]): Promise<{ stdout: string; operations: Record<string, number> }> {
    const r = await aws([...args, '--debug']);
    if (r.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr.slice(-5000)}`);
    const operations: Record<string, number> = {};
    for (const m of r.stderr.matchAll(/Making request for OperationModel\(name=(\w+)\)/g)) operations[m[1]!] = (operations[m[1]!] ?? 0) + 1;
    return { stdout: r.stdout, operations };
  }

  beforeAll(async () => {
    requireAwsCli();
    t = await startTestServer();
    s3 = t.client();
    iso = await isolatedAwsEnv();
    work = iso.dir;
    await writeFile(path.join(work, 'forty.bin'), forty);
    await writeTree(path.join(work, 'tree'), tree);
    // older than anything the server will store, so sync compares them as unchanged
    const past = new Date(Date.now() - 2 * 3_600_000);
    for (const k of Object.keys(tree)) await utimes(path.join(work, 'tree', k), past, past);
  });
  afterAll(async () => {
    await t?.cleanup();
    await iso?.cleanup();
  });

  it('s3 mb', async () => {
    expect(await ok(['s3', 'mb', `s3://${bucket}`])).toBe(`make_bucket: ${bucket}\n`);
    expect(await ok(['s3', 'mb', `s3://${other}`])).toBe(`make_bucket: ${other}\n`);
  });

  it('s3 cp of a 40 MiB file up goes multipart (8 MiB parts)', async () => {
    expect(await ok(['s3', 'cp', 'forty.bin', `s3://${bucket}/big/forty.bin`, '--no-progress'])).toBe(
      `upload: ./forty.bin to s3://${bucket}/big/forty.bin\n`,
    );
    const h = await head(s3, bucket, 'big/forty.bin');
    expect(h.ContentLength).toBe(forty.length);
    expect(h.ETag).toBe(multipartEtag(forty, CLI_CHUNK));
    expect({ crc32: h.ChecksumCRC32, type: h.ChecksumType }).toEqual({ crc32: compositeCrc32(forty, CLI_CHUNK), type: 'COMPOSITE' });
  });

  it('s3 cp of the 40 MiB object down (ranged GETs) is byte-identical', async () => {
    expect(await ok(['s3', 'cp', `s3://${bucket}/big/forty.bin`, 'forty.down', '--no-progress'])).toBe(
      `download: s3://${bucket}/big/forty.bin to ./forty.down\n`,
    );
    const down = await readFile(path.join(work, 'forty.down'));
    expect(down.length).toBe(forty.length);
    expect(md5hex(down)).toBe(md5hex(forty));
  });

  it('s3 sync of 100 files, again with nothing changed, then after one change uploads exactly that file', async () => {
    const first = lines(await ok(['s3', 'sync', 'tree', `s3://${bucket}/tree/`, '--no-progress']));
    expect(first.sort()).toEqual(Object.keys(tree).map((k) => `upload: tree/${k} to s3://${bucket}/tree/${k}`).sort());
    const listed = await listSizes(s3, bucket, 'tree/');
    expect([...listed].map(([k, n]) => `${k} ${n}`).sort()).toEqual(Object.entries(tree).map(([k, v]) => `tree/${k} ${v.length}`).sort());

    expect(await ok(['s3', 'sync', 'tree', `s3://${bucket}/tree/`, '--no-progress'])).toBe('');

    const changed = 'd2/file-042.txt';
    tree[changed] = Buffer.from('this file changed after the first sync\n');
    await writeFile(path.join(work, 'tree', changed), tree[changed]);
    expect(lines(await ok(['s3', 'sync', 'tree', `s3://${bucket}/tree/`, '--no-progress']))).toEqual([
      `upload: tree/${changed} to s3://${bucket}/tree/${changed}`,
    ]);
    expect((await objectBytes(s3, bucket, `tree/${changed}`)).equals(tree[changed])).toBe(true);
  });

  it('s3 sync down from the bucket into an empty folder gives back the same files', async () => {
    const out = lines(await ok(['s3', 'sync', `s3://${bucket}/tree/`, 'tree-down', '--no-progress']));
    expect(out).toHaveLength(100);
    for (const [k, v] of Object.entries(tree)) {
      expect({ k, same: (await readFile(path.join(work, 'tree-down', k))).equals(v) }).toEqual({ k, same: true });
    }
  });

  it('s3 cp between buckets is a server-side copy (the 40 MiB object part by part)', async () => {
    const cp = await okWithOperations(['s3', 'cp', `s3://${bucket}/big/forty.bin`, `s3://${other}/copied/forty.bin`, '--no-progress']);
    expect(cp.stdout).toBe(`copy: s3://${bucket}/big/forty.bin to s3://${other}/copied/forty.bin\n`);
    expect(cp.operations).toEqual({ HeadObject: 1, CreateMultipartUpload: 1, UploadPartCopy: 5, CompleteMultipartUpload: 1 });
    const h = await head(s3, other, 'copied/forty.bin');
    expect(h.ContentLength).toBe(forty.length);
    expect(h.ETag).toBe(multipartEtag(forty, CLI_CHUNK));
    expect(md5hex(await objectBytes(s3, other, 'copied/forty.bin'))).toBe(md5hex(forty));
    expect((await head(s3, bucket, 'big/forty.bin')).ETag).toBe(multipartEtag(forty, CLI_CHUNK));
  });

  it('s3 mv between buckets moves a small and a 40 MiB object: it arrives and the source is gone', async () => {
    const small = 'tree/d0/file-000.txt';
    const mvSmall = await okWithOperations(['s3', 'mv', `s3://${bucket}/${small}`, `s3://${other}/moved/file-000.txt`, '--no-progress']);
    expect(mvSmall.stdout).toBe(`move: s3://${bucket}/${small} to s3://${other}/moved/file-000.txt\n`);
    expect(mvSmall.operations).toEqual({ HeadObject: 1, CopyObject: 1, DeleteObject: 1 });
    expect((await objectBytes(s3, other, 'moved/file-000.txt')).equals(tree['d0/file-000.txt']!)).toBe(true);
    expect(await headError(s3, bucket, small)).toEqual({ name: 'NotFound', status: 404 });

    const mvBig = await okWithOperations(['s3', 'mv', `s3://${bucket}/big/forty.bin`, `s3://${other}/moved/forty.bin`, '--no-progress']);
    expect(mvBig.stdout).toBe(`move: s3://${bucket}/big/forty.bin to s3://${other}/moved/forty.bin\n`);
    expect(mvBig.operations).toEqual({ HeadObject: 1, CreateMultipartUpload: 1, UploadPartCopy: 5, CompleteMultipartUpload: 1, DeleteObject: 1 });
    expect(md5hex(await objectBytes(s3, other, 'moved/forty.bin'))).toBe(md5hex(forty));
    expect(await headError(s3, bucket, 'big/forty.bin')).toEqual({ name: 'NotFound', status: 404 });
    expect([...(await listSizes(s3, other)).keys()].sort()).toEqual(['copied/forty.bin', 'moved/file-000.txt', 'moved/forty.bin']);
  });

  it('s3 rm --recursive and s3 rb empty both buckets away', async () => {
    const removed = lines(await ok(['s3', 'rm', `s3://${bucket}`, '--recursive']));
    expect(removed).toHaveLength(99);
    expect(await ok(['s3', 'rb', `s3://${bucket}`])).toBe(`remove_bucket: ${bucket}\n`);
    expect(await ok(['s3', 'rb', `s3://${other}`, '--force'])).toContain(`remove_bucket: ${other}\n`);
    expect(await ok(['s3', 'ls'])).toBe('');
  });
});
