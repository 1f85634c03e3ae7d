import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { request } from 'undici';
import { SECRET_KEY, startTestServer, type TestServer } from '../support/server.js';
import { errorCode, send, sha256hex, signedChunkedBody, signedRequest, signer } from '../support/raw-client.js';
import { s3Error } from '../support/s3-error.js';

let t: TestServer;
let s3: S3Client;
const bucket = 'auth';

beforeAll(async () => {
  t = await startTestServer();
  s3 = t.client();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept', Body: 'original' }));
});
afterAll(() => t.cleanup());

async function readKept(): Promise<string> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'kept' }));
  return res.Body!.transformToString();
}

/** Signs a streaming PUT and returns what is needed to frame its body. */
async function streamingPut(key: string, data: Buffer, mode: string, extraHeaders: Record<string, string> = {}) {
  const url = new URL(t.endpoint);
  const headers: Record<string, string> = {
    host: url.host,
    'x-amz-content-sha256': mode,
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(data.length),
    ...extraHeaders,
  };
  const signed = await signer().sign({ method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: `/${bucket}/${key}`, query: {}, headers });
  const h = signed.headers as Record<string, string>;
  const seedSignature = /Signature=([0-9a-f]{64})/.exec(h.authorization!)![1]!;
  return { headers: h, seedSignature, amzDate: h['x-amz-date']! };
}

describe('SigV4 header authentication', () => {
  it('refuses a wrong secret with SignatureDoesNotMatch and explains the string to sign', async () => {
    const bad = t.client({ credentials: { accessKeyId: 'testaccesskey', secretAccessKey: 'wrong-secret-0000' } });
    const err = await s3Error(bad.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept', Body: 'overwritten' })));
    expect(err).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    const raw = await signedRequest(t.endpoint, { method: 'GET', path: `/${bucket}/kept`, secret: 'wrong-secret-0000' });
    expect(raw.status).toBe(403);
    expect(raw.body).toContain('<StringToSign>AWS4-HMAC-SHA256');
    expect(raw.body).toContain('<CanonicalRequest>GET');
    expect(await readKept()).toBe('original');
  });

  it('refuses an unknown access key with InvalidAccessKeyId', async () => {
    const bad = t.client({ credentials: { accessKeyId: 'nobody', secretAccessKey: SECRET_KEY } });
    expect(await s3Error(bad.send(new ListBucketsCommand({})))).toMatchObject({ name: 'InvalidAccessKeyId', status: 403 });
  });

  it('refuses anonymous requests with AccessDenied', async () => {
    const res = await request(`${t.endpoint}/${bucket}/kept`);
    expect(res.statusCode).toBe(403);
    expect(errorCode(await res.body.text())).toBe('AccessDenied');
  });

  it('refuses a request signed 20 minutes ago with RequestTimeTooSkewed', async () => {
    const raw = await signedRequest(t.endpoint, { method: 'GET', path: `/${bucket}/kept`, signingDate: new Date(Date.now() - 20 * 60_000) });
    expect(raw.status).toBe(403);
    expect(errorCode(raw.body)).toBe('RequestTimeTooSkewed');
  });

  it('refuses a body that does not match the signed x-amz-content-sha256', async () => {
    const raw = await signedRequest(t.endpoint, {
      method: 'PUT', path: `/${bucket}/kept`, body: 'tampered', payloadHash: sha256hex('something else'),
    });
    expect(raw.status).toBe(400);
    expect(errorCode(raw.body)).toBe('XAmzContentSHA256Mismatch');
    expect(await readKept()).toBe('original');
  });

  it('accepts UNSIGNED-PAYLOAD', async () => {
    const raw = await signedRequest(t.endpoint, { method: 'PUT', path: `/${bucket}/unsigned`, body: 'free', payloadHash: 'UNSIGNED-PAYLOAD' });
    expect(raw.status).toBe(200);
  });
});

describe('aws-chunked uploads', () => {
  it('decodes signed chunks: the framing never reaches the stored bytes', async () => {
    const data = randomBytes(200_000);
    const p = await streamingPut('chunked', data, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    const body = signedChunkedBody({ data, chunkSize: 65536, seedSignature: p.seedSignature, amzDate: p.amzDate });
    const res = await send(t.endpoint, 'PUT', `/${bucket}/chunked`, undefined, { ...p.headers, 'content-length': String(body.length) }, body);
    expect(res.status).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'chunked' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
  });

  it('verifies signed chunks with a signed trailing checksum', async () => {
    const { crc32 } = await import('node:zlib');
    const data = randomBytes(70_000);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data));
    const p = await streamingPut('trailer', data, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', { 'x-amz-trailer': 'x-amz-checksum-crc32' });
    const body = signedChunkedBody({ data, chunkSize: 65536, seedSignature: p.seedSignature, amzDate: p.amzDate, trailer: { name: 'x-amz-checksum-crc32', value: crc.toString('base64') } });
    const res = await send(t.endpoint, 'PUT', `/${bucket}/trailer`, undefined, { ...p.headers, 'content-length': String(body.length) }, body);
    expect(res.status).toBe(200);
    expect(res.headers['x-amz-checksum-crc32']).toBe(crc.toString('base64'));
  });

  it('refuses a wrong signed trailing checksum with BadDigest and stores nothing', async () => {
    const data = randomBytes(70_000);
    const p = await streamingPut('kept', data, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', { 'x-amz-trailer': 'x-amz-checksum-crc32' });
    const body = signedChunkedBody({ data, chunkSize: 65536, seedSignature: p.seedSignature, amzDate: p.amzDate, trailer: { name: 'x-amz-checksum-crc32', value: 'AAAAAA==' } });
    const res = await send(t.endpoint, 'PUT', `/${bucket}/kept`, undefined, { ...p.headers, 'content-length': String(body.length) }, body);
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('BadDigest');
    expect(await readKept()).toBe('original');
  });

  it('decodes STREAMING-UNSIGNED-PAYLOAD-TRAILER and refuses a wrong unsigned trailing checksum', async () => {
    const { crc32 } = await import('node:zlib');
    const data = randomBytes(40_000);
    const frame = (trailerValue: string) => Buffer.concat([
      Buffer.from(`${(30_000).toString(16)}\r\n`), data.subarray(0, 30_000), Buffer.from('\r\n'),
      Buffer.from(`${(10_000).toString(16)}\r\n`), data.subarray(30_000), Buffer.from('\r\n'),
      Buffer.from(`0\r\nx-amz-checksum-crc32:${trailerValue}\r\n\r\n`),
    ]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data));
    const put = async (key: string, trailerValue: string) => {
      const body = frame(trailerValue);
      const url = new URL(t.endpoint);
      const headers = {
        host: url.host, 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': String(data.length), 'x-amz-trailer': 'x-amz-checksum-crc32',
      };
      const signed = await signer().sign({ method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: `/${bucket}/${key}`, query: {}, headers });
      return send(t.endpoint, 'PUT', `/${bucket}/${key}`, undefined, { ...(signed.headers as Record<string, string>), 'content-length': String(body.length) }, body);
    };
    const good = await put('unsigned-trailer', crc.toString('base64'));
    expect(good.status).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'unsigned-trailer' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
    const bad = await put('kept', 'AAAAAA==');
    expect(bad.status).toBe(400);
    expect(errorCode(bad.body)).toBe('BadDigest');
    expect(await readKept()).toBe('original');
  });

  it('refuses a tampered chunk signature with SignatureDoesNotMatch and stores nothing', async () => {
    const data = randomBytes(150_000);
    const p = await streamingPut('kept', data, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    const body = signedChunkedBody({ data, chunkSize: 65536, seedSignature: p.seedSignature, amzDate: p.amzDate, tamperChunk: 1 });
    const res = await send(t.endpoint, 'PUT', `/${bucket}/kept`, undefined, { ...p.headers, 'content-length': String(body.length) }, body);
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('SignatureDoesNotMatch');
    expect(await readKept()).toBe('original');
  });
});

describe('presigned URLs', () => {
  it('serves a presigned GET and accepts a presigned PUT', async () => {
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'kept' }), { expiresIn: 60 });
    const res = await request(getUrl);
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('original');

    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'presigned-put' }), { expiresIn: 60 });
    const put = await request(putUrl, { method: 'PUT', body: 'via presigned url' });
    await put.body.dump();
    expect(put.statusCode).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'presigned-put' }));
    expect(await got.Body!.transformToString()).toBe('via presigned url');
  });

  it('refuses an expired presigned URL with AccessDenied "Request has expired"', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'kept' }), {
      expiresIn: 1,
      signingDate: new Date(Date.now() - 10 * 60_000),
    });
    const res = await request(url);
    const text = await res.body.text();
    expect(res.statusCode).toBe(403);
    expect(errorCode(text)).toBe('AccessDenied');
    expect(text).toContain('Request has expired');
  });

  it('refuses a presigned URL whose signature was altered', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'kept' }), { expiresIn: 60 });
    const res = await request(url.replace(/X-Amz-Signature=([0-9a-f])/, (_, c: string) => `X-Amz-Signature=${c === 'a' ? 'b' : 'a'}`));
    expect(res.statusCode).toBe(403);
    expect(errorCode(await res.body.text())).toBe('SignatureDoesNotMatch');
  });
});
