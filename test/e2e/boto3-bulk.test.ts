// boto3 multipart transfers, managed copy, bulk delete and CRC32 multipart checksums against the real server.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { boto3Python, isolatedAwsEnv, run, type IsolatedAwsEnv } from '../support/external-clients.js';
import {
  compositeCrc32, crc32b64, crc64nvmeB64, head, listSizes, md5hex, MiB, multipartEtag, objectBytes,
} from '../support/object-checks.js';

const SCRIPT = fileURLToPath(new URL('./python/sklad_boto3_bulk.py', import.meta.url));


interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}
type PyResult = Record<string, any> & { requests: SentRequest[]; error?: { code: string; status: number; message: string } };

const bucket = 'boto3-bulk';
const target = 'boto3-bulk-target';
const FIVE = 5 * MiB;

/** "METHOD ?query" for each request, the query's keys sorted and uploadId values masked. */
const shape = (q: SentRequest) => {
  const url = new URL(q.url);
  const params = [...url.searchParams].map(([k, v]) => (k === 'uploadId' ? `${k}=*` : v === '' ? k : `${k}=${v}`)).sort();
  return `${q.method} ${url.pathname}${params.length ? `?${params.join('&')}` : ''}`;
};

describe('boto3 bulk and multipart against sklad', { timeout: 60_000 }, () => {
  let t: TestServer;
  let s3: S3Client;
  let iso: IsolatedAwsEnv;
  const seventeen = randomBytes(17 * MiB);

  /** botocore retries S3's 400 BadDigest by design (data/_retry.json); every other retry means the server failed a request. */
  async function py(scenario: string, args: unknown, opts: { allowBadDigestRetries?: boolean } = {}): Promise<PyResult> {
    const r = await run(boto3Python(), [SCRIPT, scenario, JSON.stringify(args)], {
      env: iso.env({ SKLAD_ENDPOINT: t.endpoint }),
      timeoutMs: 60_000,
    });
    if (r.code !== 0 && r.code !== 2) {
      throw new Error(`python3 sklad_boto3_bulk.py ${scenario} exited ${r.code}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr}`);
    }
    const out = JSON.parse(r.stdout) as PyResult;
    const retried = out.requests.filter((q) => q.headers['amz-sdk-request'] && q.headers['amz-sdk-request'] !== 'attempt=1');
    if (retried.length && !opts.allowBadDigestRetries) throw new Error(`boto3 retried a request (the server failed it first): ${JSON.stringify(retried[0])}`);
    return out;
  }
  async function ok(scenario: string, args: unknown, opts: { allowBadDigestRetries?: boolean } = {}): Promise<PyResult> {
    const out = await py(scenario, args, opts);
    if (out.error) throw new Error(`boto3 ${scenario} failed: ${JSON.stringify(out.error)}`);
    return out;
  }

  beforeAll(async () => {
    t = await startTestServer();
    s3 = t.client();
    iso = await isolatedAwsEnv();
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: target }));
    await writeFile(path.join(iso.dir, 'seventeen.bin'), seventeen);
  });
  afterAll(async () => {
    await t?.cleanup();
    await iso?.cleanup();
  });

  it('upload_file / download_file of 17 MiB with a 5 MiB threshold and chunk size go multipart both ways', async () => {
    const down = path.join(iso.dir, 'seventeen.down');
    const res = await ok('transfer', {
      bucket, key: 'big/seventeen.bin', path: path.join(iso.dir, 'seventeen.bin'), down, threshold: FIVE, chunksize: FIVE,
    });
    const key = `/${bucket}/big/seventeen.bin`;
    const upload = res.requests.filter((q) => q.method !== 'GET' && q.method !== 'HEAD');
    expect(upload.map(shape).sort()).toEqual([
      `POST ${key}?uploadId=*`,
      `POST ${key}?uploads`,
      `PUT ${key}?partNumber=1&uploadId=*`,
      `PUT ${key}?partNumber=2&uploadId=*`,
      `PUT ${key}?partNumber=3&uploadId=*`,
      `PUT ${key}?partNumber=4&uploadId=*`,
    ]);
    const gets = res.requests.filter((q) => q.method === 'GET');
    // s3transfer asks for the last range open-ended
    expect(gets.map((q) => q.headers.range).sort()).toEqual(
      [`bytes=0-${FIVE - 1}`, `bytes=${FIVE}-${2 * FIVE - 1}`, `bytes=${2 * FIVE}-${3 * FIVE - 1}`, `bytes=${3 * FIVE}-`].sort(),
    );
    expect(res.size).toBe(seventeen.length);
    expect((await readFile(down)).equals(seventeen)).toBe(true);

    const h = await head(s3, bucket, 'big/seventeen.bin');
    expect(h.ETag).toBe(multipartEtag(seventeen, FIVE));
    expect(h.ContentLength).toBe(seventeen.length);
    // boto3 asks for CRC32 on the upload and sends one per part
    expect({ crc32: h.ChecksumCRC32, type: h.ChecksumType }).toEqual({ crc32: compositeCrc32(seventeen, FIVE), type: 'COMPOSITE' });
  });

  it('copy (managed copy) of the multipart object into another bucket copies it part by part', async () => {
    const res = await ok('managed_copy', {
      src_bucket: bucket, src_key: 'big/seventeen.bin', bucket: target, key: 'copied/seventeen.bin', threshold: FIVE, chunksize: FIVE,
    });
    const key = `/${target}/copied/seventeen.bin`;
    const writes = res.requests.filter((q) => q.method !== 'HEAD');
    expect(writes.map(shape).sort()).toEqual([
      `POST ${key}?uploadId=*`,
      `POST ${key}?uploads`,
      `PUT ${key}?partNumber=1&uploadId=*`,
      `PUT ${key}?partNumber=2&uploadId=*`,
      `PUT ${key}?partNumber=3&uploadId=*`,
      `PUT ${key}?partNumber=4&uploadId=*`,
    ]);
    const ranges = writes.filter((q) => q.method === 'PUT').map((q) => [q.headers['x-amz-copy-source'], q.headers['x-amz-copy-source-range']]);
    expect(ranges.sort()).toEqual(
      [0, 1, 2, 3].map((i) => [`${bucket}/big/seventeen.bin`, `bytes=${i * FIVE}-${Math.min((i + 1) * FIVE, seventeen.length) - 1}`]).sort(),
    );
    expect((await objectBytes(s3, target, 'copied/seventeen.bin')).equals(seventeen)).toBe(true);
    const h = await head(s3, target, 'copied/seventeen.bin');
    expect(h.ETag).toBe(multipartEtag(seventeen, FIVE));
    // the copy's upload was created without a checksum algorithm: S3's default is a full-object CRC64NVME
    expect({ crc64: h.ChecksumCRC64NVME, type: h.ChecksumType }).toEqual({ crc64: await crc64nvmeB64(seventeen), type: 'FULL_OBJECT' });
    // the source is untouched
    expect((await head(s3, bucket, 'big/seventeen.bin')).ETag).toBe(multipartEtag(seventeen, FIVE));
  });

  it('delete_objects removes 1,000 keys in one request', async () => {
    const res = await ok('delete_many', { bucket, prefix: 'many/k', count: 1000, page_size: 250 });
    const keys = Array.from({ length: 1000 }, (_, i) => `many/k${String(i).padStart(4, '0')}`);
    expect(res.listed).toEqual(keys);
    expect(res.list_pages).toBe(4);
    expect(res._status).toBe(200);
    expect(res.errors).toEqual([]);
    expect([...res.deleted].sort()).toEqual(keys);
    expect(res.remaining).toEqual([]);
    expect(res.requests.map(shape)).toEqual([`POST /${bucket}?delete`]);
    expect((await listSizes(s3, bucket, 'many/')).size).toBe(0);
  });

  it('delete_objects with 1,001 keys → MalformedXML 400', async () => {
    const res = await py('delete_too_many', { bucket, prefix: 'none/k', count: 1001 });
    expect(res.error).toMatchObject({ code: 'MalformedXML', status: 400 });
  });

  describe('multipart upload with CRC32 checksums through the client API', () => {
    const parts = [randomBytes(FIVE), randomBytes(FIVE), randomBytes(1234)];
    const whole = Buffer.concat(parts);
    let partPaths: string[] = [];
    beforeAll(async () => {
      partPaths = parts.map((_, i) => path.join(iso.dir, `part-${i + 1}.bin`));
      for (const [i, p] of parts.entries()) await writeFile(partPaths[i]!, p);
    });

    it('COMPOSITE (the default): complete returns the checksum of the part checksums, -3', async () => {
      const res = await ok('multipart_crc32', { bucket, key: 'crc/composite.bin', part_paths: partPaths });
      expect(res.created).toMatchObject({ ChecksumAlgorithm: 'CRC32', ChecksumType: 'COMPOSITE' });
      expect(res.uploaded).toEqual(parts.map((p) => ({ ETag: `"${md5hex(p)}"`, ChecksumCRC32: crc32b64(p) })));
      const composite = compositeCrc32(whole, FIVE);
      expect(res.completed).toMatchObject({ _status: 200, ETag: multipartEtag(whole, FIVE), ChecksumCRC32: composite, ChecksumType: 'COMPOSITE' });
      expect(res.head).toMatchObject({ ContentLength: whole.length, ChecksumCRC32: composite, ChecksumType: 'COMPOSITE' });
      expect(res.attributes).toMatchObject({
        ObjectSize: whole.length,
        Checksum: { ChecksumCRC32: composite, ChecksumType: 'COMPOSITE' },
        ObjectParts: {
          TotalPartsCount: 3,
          Parts: parts.map((p, i) => ({ PartNumber: i + 1, Size: p.length, ChecksumCRC32: crc32b64(p) })),
        },
      });
      expect((await objectBytes(s3, bucket, 'crc/composite.bin')).equals(whole)).toBe(true);
    });

    it('FULL_OBJECT: complete with the whole object CRC32 returns it without a part count', async () => {
      const res = await ok('multipart_crc32', {
        bucket, key: 'crc/full.bin', part_paths: partPaths, checksum_type: 'FULL_OBJECT', full_object_checksum: crc32b64(whole),
      });
      expect(res.created).toMatchObject({ ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' });
      expect(res.completed).toMatchObject({ _status: 200, ChecksumCRC32: crc32b64(whole), ChecksumType: 'FULL_OBJECT' });
      expect(res.head).toMatchObject({ ContentLength: whole.length, ChecksumCRC32: crc32b64(whole), ChecksumType: 'FULL_OBJECT' });
    });

    it('FULL_OBJECT with a wrong whole-object ChecksumCRC32 in complete_multipart_upload → BadDigest 400', async () => {
      const res = await ok('multipart_crc32', {
        bucket, key: 'crc/full-wrong.bin', part_paths: partPaths, checksum_type: 'FULL_OBJECT', full_object_checksum: crc32b64(Buffer.from('other')),
      }, { allowBadDigestRetries: true });
      expect(res.complete_error).toMatchObject({ code: 'BadDigest', status: 400 });
      expect((await listSizes(s3, bucket, 'crc/full-wrong')).size).toBe(0);
    });

    it('a wrong ChecksumCRC32 for a part in complete_multipart_upload → InvalidPart 400', async () => {
      const res = await ok('multipart_crc32', { bucket, key: 'crc/wrong.bin', part_paths: partPaths, wrong_part_checksum: 2 });
      expect(res.complete_error).toMatchObject({ code: 'InvalidPart', status: 400 });
      expect((await listSizes(s3, bucket, 'crc/wrong')).size).toBe(0);
    });
  });
});
