import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { boto3Python, isolatedAwsEnv, run, xmlErrorCode, type IsolatedAwsEnv } from '../support/external-clients.js';

const SCRIPT = fileURLToPath(new URL('./python/sklad_boto3.py', import.meta.url));


const bucket = 'boto3-e2e';
const FIVE_MIB = 5 * 1024 * 1024;

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const crc32b64 = (b: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b));
  return out.toString('base64');
};
const b64 = (b: Buffer) => ({ base64: b.toString('base64') });
const unb64 = (v: { base64: string }) => Buffer.from(v.base64, 'base64');
const bytewise = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}
interface PyError {
  code: string;
  status: number;
  message: string;
}
type PyResult = Record<string, any> & { requests: SentRequest[]; error?: PyError };

// Keys for the listing tests: 4 "directories" of 10 keys, 6 plain files and 5 keys that need URL encoding.
const DIR_KEYS: string[] = [];
for (let d = 0; d < 4; d++) for (let k = 0; k < 10; k++) DIR_KEYS.push(`tree/d${d}/k${String(k).padStart(2, '0')}`);
const FILE_KEYS = Array.from({ length: 6 }, (_, i) => `tree/file-${i}`);
const SPECIAL_KEYS = ['tree/sp ace', 'tree/plus+sign', 'tree/ünïcödé', 'tree/per%41cent', 'tree/x&y<z>"q\''];
const LIST_KEYS = [...DIR_KEYS, ...FILE_KEYS, ...SPECIAL_KEYS];

/** Pages S3 returns for a delimited listing: prefixes and keys merged in bytewise order, `size` entries each. */
function expectedDelimitedPages(prefix: string, size: number) {
  const entries = new Map<string, 'key' | 'prefix'>();
  for (const key of LIST_KEYS) {
    if (!key.startsWith(prefix)) continue;
    const i = key.indexOf('/', prefix.length);
    if (i === -1) entries.set(key, 'key');
    else entries.set(key.slice(0, i + 1), 'prefix');
  }
  const sorted = [...entries.keys()].sort(bytewise);
  const pages: { keys: string[]; prefixes: string[] }[] = [];
  for (let i = 0; i < sorted.length; i += size) {
    const chunk = sorted.slice(i, i + size);
    pages.push({ keys: chunk.filter((e) => entries.get(e) === 'key'), prefixes: chunk.filter((e) => entries.get(e) === 'prefix') });
  }
  return pages;
}

describe('boto3 against sklad', { timeout: 30_000 }, () => {
  let t: TestServer;
  let s3: S3Client;
  let iso: IsolatedAwsEnv;
  const binary = randomBytes(4096);
  const five = randomBytes(FIVE_MIB);

  async function py(scenario: string, args: unknown, env: Record<string, string> = {}): Promise<PyResult> {
    const r = await run(boto3Python(), [SCRIPT, scenario, JSON.stringify(args)], {
      env: iso.env({ SKLAD_ENDPOINT: t.endpoint, ...env }),
      timeoutMs: 25_000,
    });
    if (r.code !== 0 && r.code !== 2) {
      throw new Error(`python3 sklad_boto3.py ${scenario} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    }
    const out = JSON.parse(r.stdout) as PyResult;
    const retried = out.requests.filter((q) => q.headers['amz-sdk-request'] && q.headers['amz-sdk-request'] !== 'attempt=1');
    if (retried.length) throw new Error(`boto3 retried a request (the server failed it first): ${JSON.stringify(retried[0])}`);
    return out;
  }
  async function ok(scenario: string, args: unknown): Promise<PyResult> {
    const out = await py(scenario, args);
    if (out.error) throw new Error(`boto3 ${scenario} ${JSON.stringify(args).slice(0, 300)} failed: ${JSON.stringify(out.error)}`);
    return out;
  }
  const call = (op: string, params: Record<string, unknown>) => ok('call', { op, params });
  async function fails(op: string, params: Record<string, unknown>, env: Record<string, string> = {}): Promise<PyError> {
    const out = await py('call', { op, params }, env);
    if (!out.error) throw new Error(`expected boto3 ${op} to fail, but it succeeded: ${JSON.stringify(out).slice(0, 500)}`);
    return out.error;
  }

  beforeAll(async () => {
    t = await startTestServer();
    s3 = t.client();
    iso = await isolatedAwsEnv();
    await writeFile(path.join(iso.dir, 'five.bin'), five);
  });
  afterAll(async () => {
    await t?.cleanup();
    await iso?.cleanup();
  });

  it('create_bucket', async () => {
    const res = await call('create_bucket', { Bucket: bucket });
    expect(res._status).toBe(200);
    expect(res.Location).toBe(`/${bucket}`);
    const list = await call('list_buckets', {});
    expect(list.Buckets.map((b: { Name: string }) => b.Name)).toContain(bucket);
  });

  it('put_object with bytes, metadata and content type; boto3 sends a CRC32 checksum', async () => {
    const res = await call('put_object', {
      Bucket: bucket, Key: 'bin/data.bin', Body: b64(binary),
      ContentType: 'application/x-sklad-test', Metadata: { color: 'blue', 'Mixed-Case': 'Value Kept' },
    });
    expect(res._status).toBe(200);
    expect(res.ETag).toBe(`"${md5(binary)}"`);
    const put = res.requests.find((q: SentRequest) => q.method === 'PUT')!;
    expect(put.headers['x-amz-checksum-crc32']).toBe(crc32b64(binary));
    expect(res.ChecksumCRC32).toBe(crc32b64(binary));

    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'bin/data.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(binary)).toBe(true);
    expect(got.ContentType).toBe('application/x-sklad-test');
    expect(got.Metadata).toEqual({ color: 'blue', 'mixed-case': 'Value Kept' });
  });

  it('head_object reports size, ETag, content type and metadata', async () => {
    const head = await call('head_object', { Bucket: bucket, Key: 'bin/data.bin' });
    expect(head).toMatchObject({
      _status: 200,
      ContentLength: binary.length,
      ETag: `"${md5(binary)}"`,
      ContentType: 'application/x-sklad-test',
      Metadata: { color: 'blue', 'mixed-case': 'Value Kept' },
    });
    expect(Number.isNaN(Date.parse(head.LastModified))).toBe(false);
  });

  it('get_object returns the whole body', async () => {
    const res = await call('get_object', { Bucket: bucket, Key: 'bin/data.bin' });
    expect(res._status).toBe(200);
    expect(res.ContentLength).toBe(binary.length);
    expect(unb64(res.Body).equals(binary)).toBe(true);
  });

  it('get_object with Range bytes=10-99 returns 206 and exactly those bytes', async () => {
    const res = await call('get_object', { Bucket: bucket, Key: 'bin/data.bin', Range: 'bytes=10-99' });
    expect(res._status).toBe(206);
    expect(res.ContentLength).toBe(90);
    expect(res.ContentRange).toBe(`bytes 10-99/${binary.length}`);
    expect(unb64(res.Body).equals(binary.subarray(10, 100))).toBe(true);
  });

  it('get_object with a suffix Range bytes=-5 returns the last 5 bytes', async () => {
    const res = await call('get_object', { Bucket: bucket, Key: 'bin/data.bin', Range: 'bytes=-5' });
    expect(res._status).toBe(206);
    expect(res.ContentRange).toBe(`bytes ${binary.length - 5}-${binary.length - 1}/${binary.length}`);
    expect(unb64(res.Body).equals(binary.subarray(binary.length - 5))).toBe(true);
  });

  it('upload_file sends a 5 MiB file in one PUT', async () => {
    const res = await ok('upload_file', { bucket, key: 'big/five.bin', path: path.join(iso.dir, 'five.bin') });
    const sent = res.requests.filter((q: SentRequest) => q.method !== 'HEAD');
    expect(sent.map((q: SentRequest) => q.method)).toEqual(['PUT']);
    expect(new URL(sent[0]!.url).search).toBe('');
    expect(sent[0]!.headers['x-amz-checksum-crc32']).toBe(crc32b64(five));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big/five.bin' }));
    expect(head.ContentLength).toBe(FIVE_MIB);
    expect(head.ETag).toBe(`"${md5(five)}"`);
  });

  it('upload_fileobj with ExtraArgs sends the stream in one PUT', async () => {
    await ok('upload_file', {
      bucket, key: 'big/five-obj.bin', path: path.join(iso.dir, 'five.bin'), fileobj: true,
      extra: { ContentType: 'application/x-five', Metadata: { origin: 'fileobj' } },
    });
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big/five-obj.bin' }));
    expect(head.ContentLength).toBe(FIVE_MIB);
    expect(head.ETag).toBe(`"${md5(five)}"`);
    expect(head.ContentType).toBe('application/x-five');
    expect(head.Metadata).toEqual({ origin: 'fileobj' });
  });

  it('download_file round-trips the 5 MiB file byte for byte', async () => {
    const target = path.join(iso.dir, 'five.down');
    const res = await ok('download_file', { bucket, key: 'big/five.bin', path: target });
    expect(res.size).toBe(FIVE_MIB);
    expect((await readFile(target)).equals(five)).toBe(true);
    const target2 = path.join(iso.dir, 'five-obj.down');
    await ok('download_file', { bucket, key: 'big/five-obj.bin', path: target2 });
    expect((await readFile(target2)).equals(five)).toBe(true);
  });

  describe('listing', () => {
    beforeAll(async () => {
      await ok('put_many', { bucket, keys: LIST_KEYS });
    });

    it(`list_objects_v2 paginates ${LIST_KEYS.length} keys 7 at a time in bytewise order`, async () => {
      const { pages, requests } = await ok('paginate', { op: 'list_objects_v2', bucket, Prefix: 'tree/', page_size: 7 });
      expect(pages).toHaveLength(Math.ceil(LIST_KEYS.length / 7));
      expect(pages.flatMap((p: { keys: string[] }) => p.keys)).toEqual([...LIST_KEYS].sort(bytewise));
      pages.forEach((p: any, i: number) => {
        expect(p.IsTruncated).toBe(i < pages.length - 1);
        expect(p.KeyCount).toBe(p.keys.length);
        expect(p.keys.length).toBe(i < pages.length - 1 ? 7 : LIST_KEYS.length % 7 || 7);
        expect(p.MaxKeys).toBe(7);
        expect(p.Prefix).toBe('tree/');
      });
      for (const q of requests as SentRequest[]) expect(new URL(q.url).searchParams.get('encoding-type')).toBe('url');
      const sizes = Object.fromEntries(pages.flatMap((p: any) => p.keys.map((k: string, i: number) => [k, p.sizes[i]])));
      for (const key of LIST_KEYS) expect(sizes[key]).toBe(Buffer.byteLength(key));
    });

    it('list_objects_v2 with Prefix and Delimiter pages prefixes and keys together', async () => {
      const { pages } = await ok('paginate', { op: 'list_objects_v2', bucket, Prefix: 'tree/', Delimiter: '/', page_size: 3 });
      const expected = expectedDelimitedPages('tree/', 3);
      expect(pages.map((p: any) => ({ keys: p.keys, prefixes: p.prefixes }))).toEqual(expected);
      pages.forEach((p: any, i: number) => {
        expect(p.KeyCount).toBe(p.keys.length + p.prefixes.length);
        expect(p.IsTruncated).toBe(i < pages.length - 1);
        expect(p.Delimiter).toBe('/');
      });
    });

    it('list_objects_v2 under a deeper prefix', async () => {
      const { pages } = await ok('paginate', { op: 'list_objects_v2', bucket, Prefix: 'tree/d2/', Delimiter: '/', page_size: 4 });
      expect(pages.flatMap((p: any) => p.keys)).toEqual(DIR_KEYS.filter((k) => k.startsWith('tree/d2/')));
      expect(pages.flatMap((p: any) => p.prefixes)).toEqual([]);
      expect(pages).toHaveLength(3);
    });

    it('list_objects (v1) with Delimiter, url encoding and markers', async () => {
      const { pages, requests } = await ok('paginate', { op: 'list_objects', bucket, Prefix: 'tree/', Delimiter: '/', page_size: 4 });
      const expected = expectedDelimitedPages('tree/', 4);
      expect(pages.map((p: any) => ({ keys: p.keys, prefixes: p.prefixes }))).toEqual(expected);
      pages.forEach((p: any, i: number) => {
        expect(p.IsTruncated).toBe(i < pages.length - 1);
        expect(p.EncodingType).toBe('url');
        expect(p.MaxKeys).toBe(4);
      });
      for (const q of requests as SentRequest[]) expect(new URL(q.url).searchParams.get('encoding-type')).toBe('url');
    });

    it('list_objects (v1) without a delimiter returns every key once', async () => {
      const { pages } = await ok('paginate', { op: 'list_objects', bucket, Prefix: 'tree/', page_size: 20 });
      expect(pages).toHaveLength(Math.ceil(LIST_KEYS.length / 20));
      expect(pages.flatMap((p: any) => p.keys)).toEqual([...LIST_KEYS].sort(bytewise));
    });

    it.each([
      ['list_objects', undefined],
      ['list_objects', '/'],
      ['list_objects_v2', undefined],
      ['list_objects_v2', '/'],
    ])('%s one entry per page (delimiter %s): markers and tokens survive keys that need encoding', async (op, Delimiter) => {
      const { pages } = await ok('paginate', { op, bucket, Prefix: 'tree/', Delimiter, page_size: 1 });
      const entries = pages.map((p: any) => [...p.prefixes, ...p.keys]);
      const expected = Delimiter ? expectedDelimitedPages('tree/', 1) : [...LIST_KEYS].sort(bytewise).map((k) => ({ keys: [k], prefixes: [] }));
      expect(entries).toEqual(expected.map((p) => [...p.prefixes, ...p.keys]));
    });

    it.each([['list_objects_v2', 'StartAfter'], ['list_objects', 'Marker']])('%s %s a key that needs encoding', async (op, param) => {
      const after = 'tree/per%41cent';
      const { pages } = await ok('paginate', { op, bucket, Prefix: 'tree/', [param]: after, page_size: 1000 });
      expect(pages.flatMap((p: any) => p.keys)).toEqual([...LIST_KEYS].sort(bytewise).filter((k) => bytewise(k, after) > 0));
    });

    it('get_object and head_object work for keys that need encoding', async () => {
      const { results } = await ok('batch', {
        calls: SPECIAL_KEYS.flatMap((Key) => [
          { op: 'get_object', params: { Bucket: bucket, Key } },
          { op: 'head_object', params: { Bucket: bucket, Key } },
        ]),
      });
      SPECIAL_KEYS.forEach((key, i) => {
        const [get, head] = [results[2 * i], results[2 * i + 1]];
        expect({ key, body: get.error ?? unb64(get.Body).toString('utf8') }).toEqual({ key, body: key });
        expect({ key, length: head.error ?? head.ContentLength }).toEqual({ key, length: Buffer.byteLength(key) });
      });
    });
  });

  describe('presigned URLs', () => {
    it('generate_presigned_url with default settings (SigV2 query auth in us-east-1) can be fetched', async () => {
      const { url } = await ok('presign', { bucket, key: 'big/five.bin' });
      const params = new URL(url).searchParams;
      expect([...params.keys()].sort()).toEqual(['AWSAccessKeyId', 'Expires', 'Signature']);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(five)).toBe(true);
    });

    it("generate_presigned_url with signature_version='s3v4' can be fetched", async () => {
      const { url } = await ok('presign', { bucket, key: 'big/five.bin', signature_version: 's3v4' });
      const params = new URL(url).searchParams;
      expect(params.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
      expect(params.get('X-Amz-Expires')).toBe('300');
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(five)).toBe(true);
    });

    it.each([['default', undefined], ['s3v4', 's3v4']])('presigned URLs (%s) work for keys that need encoding', async (_, sv) => {
      const { urls } = await ok('presign', { bucket, keys: SPECIAL_KEYS, signature_version: sv });
      for (const [i, key] of SPECIAL_KEYS.entries()) {
        const res = await fetch(urls[i]);
        const body = await res.text();
        expect({ key, status: res.status, body }).toEqual({ key, status: 200, body: key });
      }
    });

    it.each([['default', undefined], ['s3v4', 's3v4']])('a presigned URL (%s) for another key is refused', async (_, sv) => {
      const { url } = await ok('presign', { bucket, key: 'bin/data.bin', signature_version: sv });
      const res = await fetch(url.replace('/bin/data.bin', '/big/five.bin'));
      expect(res.status).toBe(403);
      expect(xmlErrorCode(await res.text())).toBe('SignatureDoesNotMatch');
    });
  });

  describe('errors', () => {
    it('get_object on a missing key → NoSuchKey 404', async () => {
      expect(await fails('get_object', { Bucket: bucket, Key: 'no/such/key' })).toMatchObject({ code: 'NoSuchKey', status: 404 });
    });

    it('operations on a missing bucket → NoSuchBucket 404', async () => {
      expect(await fails('get_object', { Bucket: 'no-such-bucket-b3', Key: 'k' })).toMatchObject({ code: 'NoSuchBucket', status: 404 });
      expect(await fails('list_objects_v2', { Bucket: 'no-such-bucket-b3' })).toMatchObject({ code: 'NoSuchBucket', status: 404 });
      expect(await fails('put_object', { Bucket: 'no-such-bucket-b3', Key: 'k', Body: 'x' })).toMatchObject({ code: 'NoSuchBucket', status: 404 });
      expect(await fails('head_bucket', { Bucket: 'no-such-bucket-b3' })).toMatchObject({ code: '404', status: 404 });
    });

    it('delete_bucket on a bucket with objects → BucketNotEmpty 409', async () => {
      expect(await fails('delete_bucket', { Bucket: bucket })).toMatchObject({ code: 'BucketNotEmpty', status: 409 });
    });

    it('create_bucket on an existing bucket → BucketAlreadyOwnedByYou 409', async () => {
      expect(await fails('create_bucket', { Bucket: bucket })).toMatchObject({ code: 'BucketAlreadyOwnedByYou', status: 409 });
    });

    it('get_object with an unsatisfiable Range → InvalidRange 416', async () => {
      expect(await fails('get_object', { Bucket: bucket, Key: 'bin/data.bin', Range: `bytes=${binary.length}-` })).toMatchObject({
        code: 'InvalidRange',
        status: 416,
      });
    });

    it("put_object(IfNoneMatch='*') → PreconditionFailed 412 when the key exists, and succeeds when it does not", async () => {
      expect(await fails('put_object', { Bucket: bucket, Key: 'bin/data.bin', Body: 'overwrite', IfNoneMatch: '*' })).toMatchObject({
        code: 'PreconditionFailed',
        status: 412,
      });
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'bin/data.bin' }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(binary)).toBe(true);
      const created = await call('put_object', { Bucket: bucket, Key: 'bin/fresh.txt', Body: 'fresh', IfNoneMatch: '*' });
      expect(created.ETag).toBe(`"${md5('fresh')}"`);
      const sent = created.requests.find((q: SentRequest) => q.method === 'PUT')!;
      expect(sent.headers['if-none-match']).toBe('*');
    });

    it('get_object with a non-matching IfMatch → PreconditionFailed 412', async () => {
      expect(await fails('get_object', { Bucket: bucket, Key: 'bin/data.bin', IfMatch: '"0123456789abcdef0123456789abcdef"' })).toMatchObject({
        code: 'PreconditionFailed',
        status: 412,
      });
    });

    it('a wrong secret → SignatureDoesNotMatch 403 (header auth and presigned)', async () => {
      const wrong = { AWS_SECRET_ACCESS_KEY: 'wrong-secret-0000000000' };
      expect(await fails('list_objects_v2', { Bucket: bucket }, wrong)).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
      expect(await fails('put_object', { Bucket: bucket, Key: 'bin/data.bin', Body: 'overwrite' }, wrong)).toMatchObject({
        code: 'SignatureDoesNotMatch',
        status: 403,
      });
      for (const sv of [undefined, 's3v4']) {
        const out = await py('presign', { bucket, key: 'bin/data.bin', signature_version: sv }, wrong);
        const res = await fetch(out.url);
        expect(res.status).toBe(403);
        expect(xmlErrorCode(await res.text())).toBe('SignatureDoesNotMatch');
      }
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'bin/data.bin' }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(binary)).toBe(true);
    });

    it('an unknown access key → InvalidAccessKeyId 403', async () => {
      expect(await fails('list_buckets', {}, { AWS_ACCESS_KEY_ID: 'AKIDUNKNOWN000000000' })).toMatchObject({ code: 'InvalidAccessKeyId', status: 403 });
    });
  });

  describe('deleting', () => {
    it('delete_object removes a key and answers 204', async () => {
      const res = await call('delete_object', { Bucket: bucket, Key: 'bin/fresh.txt' });
      expect(res._status).toBe(204);
      expect(await fails('get_object', { Bucket: bucket, Key: 'bin/fresh.txt' })).toMatchObject({ code: 'NoSuchKey', status: 404 });
    });

    it('delete_object on a missing key still answers 204', async () => {
      const res = await call('delete_object', { Bucket: bucket, Key: 'never/existed' });
      expect(res._status).toBe(204);
    });

    it('delete_bucket after deleting every object', async () => {
      const { pages } = await ok('paginate', { op: 'list_objects_v2', bucket, page_size: 1000 });
      const keys: string[] = pages.flatMap((p: any) => p.keys);
      expect(keys).toHaveLength(LIST_KEYS.length + 3);
      const { results } = await ok('batch', { calls: keys.map((Key) => ({ op: 'delete_object', params: { Bucket: bucket, Key } })) });
      expect(results.map((r: any) => r._status)).toEqual(keys.map(() => 204));
      const res = await call('delete_bucket', { Bucket: bucket });
      expect(res._status).toBe(204);
      expect(await fails('head_bucket', { Bucket: bucket })).toMatchObject({ code: '404', status: 404 });
      const list = await call('list_buckets', {});
      expect((list.Buckets ?? []).map((b: { Name: string }) => b.Name)).not.toContain(bucket);
    });
  });
});
