// Authentication and request-edge attacks against the real server: replayed SigV2 signatures, presigned URLs
// that live too long or were created expired, doubled credentials, odd framing and expectations, non-ASCII
// signed headers, the region a client signs with, and what the request log records as received.
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetBucketLocationCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { request } from 'undici';
import { ACCESS_KEY, SECRET_KEY, startTestServer, type TestServer } from '../support/server.js';
import { buildRequest, exchange, objectPath, send, signedSend, type HttpReply } from '../support/hostile-http.js';
import { boto3Python, run } from '../support/external-clients.js';
import { signedRequest } from '../support/raw-client.js';
import { s3Error } from '../support/s3-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer } from '../../src/server.js';

const BUCKET = 'hostile-auth';
let t: TestServer;
let port: number;

beforeAll(async () => {
  t = await startTestServer();
  port = t.server.port;
  const s3 = t.client();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept', Body: 'original' }));
});
afterAll(() => t.cleanup());

function reply(o: { reply?: HttpReply; error?: string; timedOut: boolean }): HttpReply {
  if (!o.reply) throw new Error(`no reply: ${o.error ?? (o.timedOut ? 'timed out' : 'closed')}`);
  return o.reply;
}
const code = (r: HttpReply): string | undefined => /<Code>([^<]*)<\/Code>/.exec(r.body.toString('utf8'))?.[1];
const sigV2 = (toSign: string): string => createHmac('sha1', SECRET_KEY).update(toSign, 'utf8').digest('base64');

/** A SigV2 header-signed request, sent byte for byte. */
function sendV2(method: string, target: string, authorization: string, date: string): Promise<HttpReply> {
  const head = `${method} ${target} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ndate: ${date}\r\nauthorization: ${authorization}\r\ncontent-length: 0\r\n\r\n`;
  return send(port, { head: Buffer.from(head, 'latin1') }).then(reply);
}

async function readKept(): Promise<string> {
  const res = await t.client().send(new GetObjectCommand({ Bucket: BUCKET, Key: 'kept' }));
  return res.Body!.transformToString();
}

describe('SigV2 signatures cover the operation', () => {
  it('a captured listing signature cannot be replayed as another operation by adding a subresource', async () => {
    const date = new Date().toUTCString();
    const listing = `AWS ${ACCESS_KEY}:${sigV2(`GET\n\n\n${date}\n/${BUCKET}/`)}`;
    expect((await sendV2('GET', `/${BUCKET}/`, listing, date)).status).toBe(200);
    for (const sub of ['publicAccessBlock', 'policyStatus', 'encryption', 'ownershipControls', 'policy', 'acl', '%61cl', 'public%41ccessBlock']) {
      const r = await sendV2('GET', `/${BUCKET}/?${sub}`, listing, date);
      expect({ sub, status: r.status, code: code(r) }).toEqual({ sub, status: 403, code: 'SignatureDoesNotMatch' });
    }
    // a PUT of an object cannot become a PUT of its ACL
    const put = `AWS ${ACCESS_KEY}:${sigV2(`PUT\n\n\n${date}\n/${BUCKET}/kept`)}`;
    const r = await sendV2('PUT', `/${BUCKET}/kept?acl`, put, date);
    expect([r.status, code(r)]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(await readKept()).toBe('original');
  });

  it('a signature that covers the subresource still works', async () => {
    const date = new Date().toUTCString();
    const r = await sendV2('GET', `/${BUCKET}/?policyStatus`, `AWS ${ACCESS_KEY}:${sigV2(`GET\n\n\n${date}\n/${BUCKET}/?policyStatus`)}`, date);
    expect(code(r)).not.toBe('SignatureDoesNotMatch');
    expect(r.status).not.toBe(403);
  });
});

describe('presigned URL lifetimes', () => {
  const presignV2 = (expires: number): string => {
    const signature = sigV2(`GET\n\n\n${expires}\n/${BUCKET}/kept`);
    return `${t.endpoint}/${BUCKET}/kept?AWSAccessKeyId=${ACCESS_KEY}&Expires=${expires}&Signature=${encodeURIComponent(signature)}`;
  };
  const fetchStatus = async (url: string): Promise<{ status: number; code?: string; message?: string }> => {
    const res = await request(url);
    const body = await res.body.text();
    return { status: res.statusCode, code: /<Code>([^<]*)</.exec(body)?.[1], message: /<Message>([^<]*)</.exec(body)?.[1] };
  };
  const now = (): number => Math.floor(Date.now() / 1000);

  it('SigV2: valid within seven days, refused beyond', async () => {
    expect((await fetchStatus(presignV2(now() + 3600))).status).toBe(200);
    expect(await fetchStatus(presignV2(now() + 8 * 86_400))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await fetchStatus(presignV2(now() + 20 * 365 * 86_400))).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('SigV2: an expired URL is 403 AccessDenied "Request has expired"', async () => {
    expect(await fetchStatus(presignV2(now() - 60))).toEqual({ status: 403, code: 'AccessDenied', message: 'Request has expired' });
  });

  it('SigV4: a URL created already expired (negative lifetime) is 403 AccessDenied, not 400', async () => {
    for (const expiresIn of [-1, -3600]) {
      const url = await getSignedUrl(t.client(), new GetObjectCommand({ Bucket: BUCKET, Key: 'kept' }), { expiresIn });
      expect(url).toContain(`X-Amz-Expires=${expiresIn}`);
      expect(await fetchStatus(url)).toEqual({ status: 403, code: 'AccessDenied', message: 'Request has expired' });
    }
  });

  it('SigV4: a presigning parameter given twice is refused with 400', async () => {
    const url = await getSignedUrl(t.client(), new GetObjectCommand({ Bucket: BUCKET, Key: 'kept' }), { expiresIn: 300 });
    expect((await fetchStatus(url)).status).toBe(200);
    const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(url)![1]!;
    expect(await fetchStatus(`${url}&X-Amz-Signature=${signature}`)).toMatchObject({ status: 400, code: 'AuthorizationQueryParametersError' });
    expect(await fetchStatus(`${url}&X-Amz-Expires=604800`)).toMatchObject({ status: 400, code: 'AuthorizationQueryParametersError' });
    const v2 = presignV2(now() + 60);
    expect(await fetchStatus(`${v2}&Expires=${now() + 120}`)).toMatchObject({ status: 400, code: 'InvalidArgument' });
  });

  it('the bound is configurable (SKLAD_PRESIGN_MAX_SECONDS) and applies to both versions', async () => {
    const short = await startTestServer({ env: { SKLAD_PRESIGN_MAX_SECONDS: '600' } });
    try {
      const s3 = short.client();
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept', Body: 'x' }));
      const v4 = (expiresIn: number) => getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'kept' }), { expiresIn });
      expect((await fetchStatus(await v4(600))).status).toBe(200);
      expect(await fetchStatus(await v4(601))).toMatchObject({ status: 400, code: 'AuthorizationQueryParametersError' });
      const v2 = (expires: number) => presignV2(expires).replace(t.endpoint, short.endpoint);
      expect((await fetchStatus(v2(now() + 500))).status).toBe(200);
      expect(await fetchStatus(v2(now() + 700))).toMatchObject({ status: 403, code: 'AccessDenied' });
    } finally {
      await short.cleanup();
    }
  });
});

describe('doubled credentials', () => {
  it('two Authorization headers are refused with 400, even when both are the valid one', async () => {
    const built = buildRequest(port, { method: 'GET', path: objectPath(BUCKET, 'kept') });
    expect(reply(await send(port, built)).status).toBe(200);
    const head = built.head.toString('latin1');
    const line = /\r\nauthorization: [^\r]+/.exec(head)![0];
    const doubled = Buffer.from(head.replace(line, line + line), 'latin1');
    const r = reply(await send(port, { head: doubled }));
    expect([r.status, code(r)]).toEqual([400, 'InvalidArgument']);
  });
});

describe('request framing and expectations', () => {
  it('a Transfer-Encoding other than chunked is 501 NotImplemented and stores nothing', async () => {
    for (const coding of ['gzip, chunked', 'gzip', 'identity']) {
      const key = `te-${coding.replace(/\W/g, '')}`;
      const built = buildRequest(port, { method: 'PUT', path: objectPath(BUCKET, key), payloadHash: 'UNSIGNED-PAYLOAD', contentLength: null });
      const head = Buffer.from(built.head.toString('latin1').replace(/\r\n\r\n$/, `\r\ntransfer-encoding: ${coding}\r\n\r\n`), 'latin1');
      const body = coding.endsWith('chunked') ? Buffer.from('5\r\nhello\r\n0\r\n\r\n') : Buffer.from('hello');
      const o = await exchange(port, (socket) => {
        socket.write(Buffer.concat([head, body]));
        if (!coding.endsWith('chunked')) socket.end();
      });
      const r = reply(o);
      expect({ coding, status: r.status, code: code(r) }).toEqual({ coding, status: 501, code: 'NotImplemented' });
      expect(r.body.toString()).toContain('<Header>Transfer-Encoding</Header>');
      expect(reply(await signedSend(port, { method: 'HEAD', path: objectPath(BUCKET, key) })).status).toBe(404);
    }
  });

  it('an Expect header other than 100-continue is ignored, as S3 ignores it (no 417)', async () => {
    for (const expectation of ['something-else', '200-ok', '100-continue-please']) {
      const r = reply(await signedSend(port, { method: 'GET', path: objectPath(BUCKET, 'kept'), unsignedHeaders: [['expect', expectation]] }));
      expect({ expectation, status: r.status, body: r.body.toString() }).toEqual({ expectation, status: 200, body: 'original' });
    }
    const put = reply(await signedSend(port, { method: 'PUT', path: objectPath(BUCKET, 'expected'), body: 'abc', unsignedHeaders: [['expect', 'foo']] }));
    expect(put.status).toBe(200);
  });

  it('bucket names with a dot next to a hyphen are InvalidBucketName', async () => {
    for (const name of ['my.-bucket', 'my-.bucket']) {
      const r = reply(await signedSend(port, { method: 'PUT', path: `/${name}` }));
      expect({ name, status: r.status, code: code(r) }).toEqual({ name, status: 400, code: 'InvalidBucketName' });
    }
  });
});

describe('the region a client signs with', () => {
  it('is accepted, whatever it is, when the operator named none', async () => {
    for (const region of ['eu-west-1', 'localhost']) {
      const s3 = t.client({ region });
      expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toContain(BUCKET);
    }
    // git-annex signs with the endpoint's host name as the region
    for (const region of ['sklad.example.org', '127.0.0.1']) {
      const r = await signedRequest(t.endpoint, { method: 'GET', path: `/${BUCKET}/kept`, region });
      expect({ region, status: r.status, body: r.body }).toEqual({ region, status: 200, body: 'original' });
    }
  });

  it('names the region a bucket may be created in; buckets without a constraint are in us-east-1', async () => {
    const west = t.client({ region: 'eu-west-1' });
    await west.send(new CreateBucketCommand({ Bucket: 'in-west', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    expect((await west.send(new GetBucketLocationCommand({ Bucket: 'in-west' }))).LocationConstraint).toBe('eu-west-1');
    const err = await s3Error(west.send(new CreateBucketCommand({ Bucket: 'elsewhere', CreateBucketConfiguration: { LocationConstraint: 'ap-south-1' } })));
    expect(err).toMatchObject({ name: 'InvalidLocationConstraint', status: 400 });
    expect((await signedRequest(t.endpoint, { method: 'PUT', path: '/annexed', region: 'sklad.example.org' })).status).toBe(200);
    expect((await t.client().send(new GetBucketLocationCommand({ Bucket: 'annexed' }))).LocationConstraint ?? '').toBe('');
  });

  it('must be the configured one when the operator named one', async () => {
    const fixed = await startTestServer({ env: { SKLAD_REGION: 'eu-central-1' } });
    try {
      const err = await s3Error(fixed.client({ region: 'us-east-1' }).send(new ListBucketsCommand({})));
      expect(err).toMatchObject({ name: 'AuthorizationHeaderMalformed', status: 400 });
      await fixed.client({ region: 'eu-central-1' }).send(new CreateBucketCommand({ Bucket: 'central' }));
      const loc = await fixed.client({ region: 'eu-central-1' }).send(new GetBucketLocationCommand({ Bucket: 'central' }));
      expect(loc.LocationConstraint).toBe('eu-central-1');
    } finally {
      await fixed.cleanup();
    }
  });
});

describe('the request log', () => {
  it('records the body bytes actually received, not the declared length', async () => {
    const lines: { msg?: string; op?: string; key?: string; bytesIn?: number }[] = [];
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sklad-bytes-in-'));
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    const server = await startServer(loadConfig({ data: dataDir, host: '127.0.0.1', port: '0' }, { SKLAD_ACCESS_KEY: ACCESS_KEY, SKLAD_SECRET_KEY: SECRET_KEY }), log);
    const logged = async (key: string) => {
      for (let i = 0; i < 200 && !lines.some((l) => l.msg === 'request' && l.key === key); i++) await new Promise((r) => setTimeout(r, 10));
      return lines.find((l) => l.msg === 'request' && l.key === key);
    };
    try {
      expect(reply(await signedSend(server.port, { method: 'PUT', path: `/${BUCKET}` })).status).toBe(200);
      expect(reply(await signedSend(server.port, { method: 'PUT', path: objectPath(BUCKET, 'whole'), body: 'hello' })).status).toBe(200);
      expect((await logged('whole'))?.bytesIn).toBe(5);
      // announces a gigabyte and sends ten bytes; refused (NoSuchBucket) before the body is read
      const built = buildRequest(server.port, { method: 'PUT', path: objectPath('no-such-bucket', 'cut'), payloadHash: 'UNSIGNED-PAYLOAD', contentLength: 1 << 30 });
      const refused = await exchange(server.port, (socket) => void socket.write(Buffer.concat([built.head, Buffer.from('0123456789')])));
      expect(reply(refused).status).toBe(404);
      const cut = await logged('cut');
      expect(cut?.bytesIn).toBeGreaterThanOrEqual(0);
      expect(cut?.bytesIn).toBeLessThanOrEqual(10);
      // announces a gigabyte, sends ten bytes of it and hangs up mid-upload
      const partial = buildRequest(server.port, { method: 'PUT', path: objectPath(BUCKET, 'hung-up'), payloadHash: 'UNSIGNED-PAYLOAD', contentLength: 1 << 30 });
      await exchange(server.port, (socket) => {
        socket.write(Buffer.concat([partial.head, Buffer.from('0123456789')]));
        setTimeout(() => socket.destroy(), 300);
      }, { timeoutMs: 1000 });
      expect((await logged('hung-up'))?.bytesIn).toBe(10);
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('non-ASCII signed header values (boto3)', () => {
  it('metadata botocore signs as UTF-8 verifies, and is stored and returned as the bytes sent', async () => {
    const script = `
import json, sys, boto3
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3],
                  region_name='us-east-1', config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))
def add_meta(params, **kwargs):
    params['headers']['x-amz-meta-greeting'] = 'Hello World\\xe9'
s3.meta.events.register('before-call.s3.PutObject', add_meta)
s3.put_object(Bucket=sys.argv[4], Key='unicode-meta', Body=b'x')
head = s3.head_object(Bucket=sys.argv[4], Key='unicode-meta')
# http.client reads header bytes as latin-1: re-reading them as UTF-8 gives back what was put
print(json.dumps({'greeting': head['Metadata']['greeting'].encode('latin-1').decode('utf-8')}))
`;
    const r = await run(boto3Python(), ['-c', script, t.endpoint, ACCESS_KEY, SECRET_KEY, BUCKET], { env: { PATH: process.env.PATH, HOME: process.env.HOME }, timeoutMs: 25_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ greeting: 'Hello World\u00e9' });
    const raw = reply(await signedSend(port, { method: 'HEAD', path: objectPath(BUCKET, 'unicode-meta') }, { head: true }));
    expect(Buffer.from(raw.headers['x-amz-meta-greeting']!, 'latin1')).toEqual(Buffer.from('Hello World\u00e9', 'utf8'));
  });
});
