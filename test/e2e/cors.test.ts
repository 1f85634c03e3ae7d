// CORS against the real server: the configuration through the S3 API with S3's validation, preflights matched
// rule by rule without a signature, and Access-Control-* headers on actual answers, errors included.
import {
  CreateBucketCommand, DeleteBucketCorsCommand, GetBucketCorsCommand, PutBucketCorsCommand, PutObjectCommand, type CORSRule, type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xmlErrorCode } from '../support/external-clients.js';
import { expectS3Error } from '../support/s3-error.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let s3: S3Client;

const RULES: CORSRule[] = [
  { ID: 'app', AllowedOrigins: ['https://app.example.com'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['content-type', 'x-amz-*'], ExposeHeaders: ['ETag', 'x-amz-request-id'], MaxAgeSeconds: 600 },
  { AllowedOrigins: ['https://*.example.org'], AllowedMethods: ['GET'] },
  { AllowedOrigins: ['*'], AllowedMethods: ['HEAD'] },
];

beforeAll(async () => {
  server = await startTestServer();
  s3 = server.client();
  await s3.send(new CreateBucketCommand({ Bucket: 'cors' }));
  await s3.send(new PutBucketCorsCommand({ Bucket: 'cors', CORSConfiguration: { CORSRules: RULES } }));
  await s3.send(new PutObjectCommand({ Bucket: 'cors', Key: 'k', Body: 'v' }));
});

afterAll(async () => {
  await server?.cleanup();
});

function preflight(path: string, headers: Record<string, string>): Promise<Response> {
  return fetch(server.endpoint + path, { method: 'OPTIONS', headers });
}

describe('Put/Get/DeleteBucketCors', () => {
  it('round-trips the rules in order and deletes them', async () => {
    const got = await s3.send(new GetBucketCorsCommand({ Bucket: 'cors' }));
    expect(got.CORSRules).toEqual(RULES);
    await s3.send(new CreateBucketCommand({ Bucket: 'cors-tmp' }));
    await expectS3Error(s3.send(new GetBucketCorsCommand({ Bucket: 'cors-tmp' })), 'NoSuchCORSConfiguration', 404);
    await s3.send(new PutBucketCorsCommand({ Bucket: 'cors-tmp', CORSConfiguration: { CORSRules: [RULES[2]!] } }));
    expect((await s3.send(new GetBucketCorsCommand({ Bucket: 'cors-tmp' }))).CORSRules).toEqual([RULES[2]]);
    await s3.send(new DeleteBucketCorsCommand({ Bucket: 'cors-tmp' }));
    await expectS3Error(s3.send(new GetBucketCorsCommand({ Bucket: 'cors-tmp' })), 'NoSuchCORSConfiguration', 404);
  });

  it('refuses what S3 refuses', async () => {
    const refused = (rules: CORSRule[], code: string) =>
      expectS3Error(s3.send(new PutBucketCorsCommand({ Bucket: 'cors-tmp', CORSConfiguration: { CORSRules: rules } })), code, 400);
    await refused([{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }], 'InvalidRequest');
    await refused([{ AllowedOrigins: ['https://*.*.example.com'], AllowedMethods: ['GET'] }], 'InvalidRequest');
    await refused([{ AllowedOrigins: ['*'], AllowedMethods: ['GET'], AllowedHeaders: ['x-*-*'] }], 'InvalidRequest');
    await refused([{ AllowedOrigins: [], AllowedMethods: ['GET'] }], 'MalformedXML');
    await refused([], 'MalformedXML');
    await refused(Array.from({ length: 101 }, () => ({ AllowedOrigins: ['*'], AllowedMethods: ['GET'] })), 'MalformedXML');
    await s3.send(new PutBucketCorsCommand({ Bucket: 'cors-tmp', CORSConfiguration: { CORSRules: Array.from({ length: 100 }, () => ({ AllowedOrigins: ['*'], AllowedMethods: ['GET'] })) } }));
  });
});

describe('preflight OPTIONS', () => {
  it('answers a matching preflight with the rule, without any signature', async () => {
    const res = await preflight('/cors/some/key', {
      origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'Content-Type, X-Amz-Date',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, PUT');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type, x-amz-date');
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag, x-amz-request-id');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('vary')).toBe('Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
  });

  it('matches rules in order, with one wildcard in origins and headers', async () => {
    let res = await preflight('/cors', { origin: 'https://docs.example.org', 'access-control-request-method': 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET');
    res = await preflight('/cors/k', { origin: 'https://anyone.test', 'access-control-request-method': 'HEAD' });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refuses with 403 CORSResponse when no rule matches: origin, method or a header', async () => {
    const cases: Record<string, string>[] = [
      { origin: 'https://evil.example.net', 'access-control-request-method': 'GET' },
      { origin: 'https://app.example.com', 'access-control-request-method': 'DELETE' },
      { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization' },
      { origin: 'https://docs.example.org', 'access-control-request-method': 'PUT' },
    ];
    for (const headers of cases) {
      const res = await preflight('/cors/k', headers);
      const body = await res.text();
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(xmlErrorCode(body)).toBe('AccessForbidden');
      expect(body).toContain('CORSResponse: This CORS request is not allowed');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('answers a bucket without CORS, a missing bucket and an incomplete preflight as S3 does', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'no-cors' }));
    let res = await preflight('/no-cors/k', { origin: 'https://app.example.com', 'access-control-request-method': 'GET' });
    expect([res.status, await res.text()]).toEqual([403, expect.stringContaining('CORSResponse: CORS is not enabled for this bucket.')]);
    res = await preflight('/missing-bucket/k', { origin: 'https://app.example.com', 'access-control-request-method': 'GET' });
    expect(res.status).toBe(403);
    res = await preflight('/cors/k', { 'access-control-request-method': 'GET' });
    expect([res.status, xmlErrorCode(await res.text())]).toEqual([400, 'BadRequest']);
    res = await preflight('/cors/k', { origin: 'https://app.example.com' });
    expect([res.status, xmlErrorCode(await res.text())]).toEqual([400, 'BadRequest']);
  });
});

describe('actual requests', () => {
  it('carry the matched rule on answers and on error answers, never granting access', async () => {
    // Anonymous GET on a private bucket: the browser may read the AccessDenied body, but gets no object.
    let res = await fetch(`${server.endpoint}/cors/k`, { headers: { origin: 'https://app.example.com' } });
    expect(res.status).toBe(403);
    expect(xmlErrorCode(await res.text())).toBe('AccessDenied');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag, x-amz-request-id');
    res = await fetch(`${server.endpoint}/cors/missing`, { headers: { origin: 'https://app.example.com' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    // No rule for this origin and method: no Access-Control headers, but Vary still says they depend on Origin.
    res = await fetch(`${server.endpoint}/cors/k`, { method: 'DELETE', headers: { origin: 'https://app.example.com' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('vary')).toContain('Origin');
    // Without Origin, nothing CORS at all.
    res = await fetch(`${server.endpoint}/cors/k`);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
