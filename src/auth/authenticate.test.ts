import { describe, expect, it } from 'vitest';
import { S3Error, type S3ErrorCode } from '../errors/s3-error.js';
import { authenticate, type AuthOptions, type AuthResult, type RequestView } from './authenticate.js';
import { StaticCredentials } from './credentials.js';

// The AWS SigV4 examples (sig-v4-header-based-auth, sigv4-query-string-auth, sigv4-streaming): fixed credentials,
// bucket "examplebucket" in us-east-1, signed at 2013-05-24T00:00:00Z.
const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SIGNED_AT = new Date('2013-05-24T00:00:00Z');
const HOST = 'examplebucket.s3.amazonaws.com';

const credentials = new StaticCredentials([{ accessKeyId: AKID, secretKey: SECRET, userId: 'example-user', isRoot: false }]);
const opts: AuthOptions = { region: 'us-east-1', credentials };

function auth(credential: string, signedHeaders: string, signature: string): string {
  return `AWS4-HMAC-SHA256 Credential=${credential},SignedHeaders=${signedHeaders},Signature=${signature}`;
}

function request(method: string, rawTarget: string, headers: Record<string, string>, now = SIGNED_AT): RequestView {
  return { method, rawTarget, headers: new Map(Object.entries(headers)), now };
}

async function rejection(promise: Promise<AuthResult>): Promise<S3Error> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!(error instanceof S3Error)) throw error;
  return error;
}

async function expectCode(promise: Promise<AuthResult>, code: S3ErrorCode): Promise<S3Error> {
  const error = await rejection(promise);
  expect(error.code).toBe(code);
  return error;
}

const getObject = (overrides: Record<string, string> = {}, now = SIGNED_AT): RequestView =>
  request(
    'GET',
    '/test.txt',
    {
      host: HOST,
      range: 'bytes=0-9',
      'x-amz-content-sha256': EMPTY,
      'x-amz-date': '20130524T000000Z',
      authorization: auth(
        `${AKID}/20130524/us-east-1/s3/aws4_request`,
        'host;range;x-amz-content-sha256;x-amz-date',
        'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      ),
      ...overrides,
    },
    now,
  );

const PRESIGNED =
  '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
  '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
  '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';

describe('AWS SigV4 header examples verify', () => {
  it('GET Object', async () => {
    const result = await authenticate(getObject(), opts);
    expect(result.principal).toEqual({ accessKeyId: AKID, userId: 'example-user', isRoot: false });
    expect(result.payload).toEqual({ kind: 'sha256', expectedHex: EMPTY });
  });

  it('PUT Object (Date and x-amz-date both sent, "$" in the key)', async () => {
    const body = '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072';
    const result = await authenticate(
      request('PUT', '/test$file.text', {
        host: HOST,
        date: 'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': body,
        authorization: auth(
          `${AKID}/20130524/us-east-1/s3/aws4_request`,
          'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
          '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
        ),
      }),
      opts,
    );
    expect(result.payload).toEqual({ kind: 'sha256', expectedHex: body });
  });

  it('GET Bucket lifecycle', async () => {
    const result = await authenticate(
      request('GET', '/?lifecycle', {
        host: HOST,
        'x-amz-date': '20130524T000000Z',
        'x-amz-content-sha256': EMPTY,
        authorization: auth(`${AKID}/20130524/us-east-1/s3/aws4_request`, 'host;x-amz-content-sha256;x-amz-date',
          'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543'),
      }),
      opts,
    );
    expect(result.principal?.accessKeyId).toBe(AKID);
  });

  it('GET Bucket (List Objects)', async () => {
    const result = await authenticate(
      request('GET', '/?max-keys=2&prefix=J', {
        host: HOST,
        'x-amz-date': '20130524T000000Z',
        'x-amz-content-sha256': EMPTY,
        authorization: auth(`${AKID}/20130524/us-east-1/s3/aws4_request`, 'host;x-amz-content-sha256;x-amz-date',
          '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7'),
      }),
      opts,
    );
    expect(result.principal?.accessKeyId).toBe(AKID);
  });

  it('PUT Object in chunks: the seed signature verifies and seeds the chunk chain', async () => {
    const seed = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
    const result = await authenticate(
      request('PUT', '/examplebucket/chunkObject.txt', {
        host: 's3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '66560',
        'content-length': '66824',
        authorization: auth(`${AKID}/20130524/us-east-1/s3/aws4_request`,
          'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class', seed),
      }),
      opts,
    );
    expect(result.payload).toMatchObject({ kind: 'chunked', signed: true, trailer: false });
    expect(result.payload.kind === 'chunked' && result.payload.seed).toMatchObject({
      seedSignature: seed,
      amzDate: '20130524T000000Z',
      scope: '20130524/us-east-1/s3/aws4_request',
    });
  });

  it('PUT Object in chunks with a trailing checksum: the seed signature verifies', async () => {
    const result = await authenticate(
      request('PUT', '/examplebucket/chunkObject.txt', {
        host: 's3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '66560',
        'x-amz-trailer': 'x-amz-checksum-crc32c',
        authorization: auth(`${AKID}/20130524/us-east-1/s3/aws4_request`,
          'content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer',
          '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e'),
      }),
      opts,
    );
    expect(result.payload).toMatchObject({ kind: 'chunked', signed: true, trailer: true });
  });
});

describe('AWS SigV4 presigned example', () => {
  it('verifies within its lifetime, payload unsigned', async () => {
    const result = await authenticate(request('GET', PRESIGNED, { host: HOST }, new Date('2013-05-24T12:00:00Z')), opts);
    expect(result).toEqual({ principal: { accessKeyId: AKID, userId: 'example-user', isRoot: false }, payload: { kind: 'unsigned' }, signedRegion: 'us-east-1' });
  });

  it('is expired (403), not malformed, when created with a zero or negative lifetime', async () => {
    for (const expires of ['0', '-1', '-3600']) {
      const created = PRESIGNED.replace('X-Amz-Expires=86400', `X-Amz-Expires=${expires}`);
      const error = await expectCode(authenticate(request('GET', created, { host: HOST }, new Date('2013-05-24T00:00:01Z')), opts), 'AccessDenied');
      expect(error.message).toBe('Request has expired');
    }
  });

  it('refuses a presigning parameter given twice, whichever copy is valid', async () => {
    const now = new Date('2013-05-24T01:00:00Z');
    const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(PRESIGNED)![1]!;
    for (const extra of [`X-Amz-Signature=${'0'.repeat(64)}`, `X-Amz-Signature=${signature}`, 'X-Amz-Expires=604800', 'X-Amz-Date=20130524T000000Z']) {
      const error = await expectCode(authenticate(request('GET', `${PRESIGNED}&${extra}`, { host: HOST }, now), opts), 'AuthorizationQueryParametersError');
      expect(error.message).toContain('only once');
    }
  });

  it('accepts the region it was signed with when the server names none', async () => {
    const result = await authenticate(request('GET', PRESIGNED, { host: HOST }, new Date('2013-05-24T01:00:00Z')), { ...opts, region: undefined });
    expect(result.signedRegion).toBe('us-east-1');
  });

  it('is refused once expired, with the times S3 reports', async () => {
    const error = await expectCode(authenticate(request('GET', PRESIGNED, { host: HOST }, new Date('2013-05-25T00:00:01Z')), opts), 'AccessDenied');
    expect(error.message).toBe('Request has expired');
    expect(error.fields).toMatchObject({ 'X-Amz-Expires': 86400, Expires: '2013-05-25T00:00:00Z', ServerTime: '2013-05-25T00:00:01Z' });
  });

  it('still verifies at the last second of its lifetime', async () => {
    await expect(authenticate(request('GET', PRESIGNED, { host: HOST }, new Date('2013-05-25T00:00:00Z')), opts)).resolves.toBeTruthy();
  });

  it('is refused when signed further ahead than the allowed skew', async () => {
    const error = await expectCode(authenticate(request('GET', PRESIGNED, { host: HOST }, new Date('2013-05-23T23:44:59Z')), opts), 'AccessDenied');
    expect(error.message).toBe('Request is not yet valid');
    await expect(authenticate(request('GET', PRESIGNED, { host: HOST }, new Date('2013-05-23T23:45:00Z')), opts)).resolves.toBeTruthy();
  });

  it('fails when the URL is tampered with', async () => {
    const tampered = PRESIGNED.replace('/test.txt', '/test2.txt');
    const error = await expectCode(authenticate(request('GET', tampered, { host: HOST }, new Date('2013-05-24T01:00:00Z')), opts), 'SignatureDoesNotMatch');
    expect(error.fields.CanonicalRequest).toBe(
      'GET\n/test2.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
        '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD',
    );
  });

  it('uses x-amz-content-sha256 when the client sends it', async () => {
    const error = await expectCode(
      authenticate(request('GET', PRESIGNED, { host: HOST, 'x-amz-content-sha256': EMPTY }, new Date('2013-05-24T01:00:00Z')), opts),
      'SignatureDoesNotMatch',
    );
    expect(String(error.fields.CanonicalRequest).endsWith(`\n${EMPTY}`)).toBe(true);
  });

  it('refuses X-Amz-Expires beyond seven days, and malformed parameters', async () => {
    const longer = PRESIGNED.replace('X-Amz-Expires=86400', 'X-Amz-Expires=604801');
    const error = await expectCode(authenticate(request('GET', longer, { host: HOST }), opts), 'AuthorizationQueryParametersError');
    expect(error.message).toContain('604800');
    await expectCode(authenticate(request('GET', PRESIGNED.replace('86400', 'abc'), { host: HOST }), opts), 'AuthorizationQueryParametersError');
    await expectCode(authenticate(request('GET', PRESIGNED.replace('&X-Amz-SignedHeaders=host', ''), { host: HOST }), opts), 'AuthorizationQueryParametersError');
    await expectCode(authenticate(request('GET', PRESIGNED.replace('20130524T000000Z', '2013-05-24'), { host: HOST }), opts), 'AuthorizationQueryParametersError');
    await expectCode(authenticate(request('GET', PRESIGNED.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1'), { host: HOST }), opts), 'AuthorizationQueryParametersError');
  });

  it('refuses an unsigned x-amz-* header added by whoever holds the URL', async () => {
    const error = await expectCode(
      authenticate(request('GET', PRESIGNED, { host: HOST, 'x-amz-acl': 'public-read' }, new Date('2013-05-24T01:00:00Z')), opts),
      'AccessDenied',
    );
    expect(error.fields).toEqual({ HeadersNotSigned: 'x-amz-acl' });
  });

  it('names the wrong region', async () => {
    const error = await expectCode(authenticate(request('GET', PRESIGNED, { host: HOST }), { ...opts, region: 'eu-west-1' }), 'AuthorizationQueryParametersError');
    expect(error.message).toBe("Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'");
    expect(error.fields).toEqual({ Region: 'eu-west-1' });
  });
});

describe('SigV4 header failures', () => {
  it('a wrong secret gives SignatureDoesNotMatch with the diagnostic fields AWS returns', async () => {
    const wrong = new StaticCredentials([{ accessKeyId: AKID, secretKey: 'not-the-secret', userId: 'u', isRoot: false }]);
    const error = await expectCode(authenticate(getObject(), { ...opts, credentials: wrong }), 'SignatureDoesNotMatch');
    expect(error.status).toBe(403);
    expect(error.fields.AWSAccessKeyId).toBe(AKID);
    expect(error.fields.SignatureProvided).toBe('f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
    expect(error.fields.StringToSign).toBe(
      'AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972',
    );
    expect(String(error.fields.StringToSignBytes).startsWith('41 57 53 34 2d 48 4d 41 43')).toBe(true);
    expect(error.fields.CanonicalRequest).toMatch(/^GET\n\/test\.txt\n\nhost:examplebucket\.s3\.amazonaws\.com\n/);
    expect(error.fields.CanonicalRequestBytes).toMatch(/^47 45 54 0a /);
  });

  it('a tampered signed header or signature fails', async () => {
    await expectCode(authenticate(getObject({ range: 'bytes=0-10' }), opts), 'SignatureDoesNotMatch');
    const flipped = getObject();
    flipped.headers.set('authorization', String(flipped.headers.get('authorization')).replace(/f0e8b/, 'f0e8c'));
    await expectCode(authenticate(flipped, opts), 'SignatureDoesNotMatch');
    await expectCode(authenticate({ ...getObject(), method: 'HEAD' }, opts), 'SignatureDoesNotMatch');
  });

  it('an unknown key is InvalidAccessKeyId', async () => {
    const error = await expectCode(authenticate(getObject(), { ...opts, credentials: new StaticCredentials([]) }), 'InvalidAccessKeyId');
    expect(error.fields).toEqual({ AWSAccessKeyId: AKID });
  });

  it('a credential scoped to another region is AuthorizationHeaderMalformed naming both', async () => {
    const error = await expectCode(authenticate(getObject(), { ...opts, region: 'eu-central-1' }), 'AuthorizationHeaderMalformed');
    expect(error.message).toBe("The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-central-1'");
    expect(error.fields).toEqual({ Region: 'eu-central-1' });
  });

  it('enforces the 15 minute skew both ways', async () => {
    await expect(authenticate(getObject({}, new Date('2013-05-24T00:15:00Z')), opts)).resolves.toBeTruthy();
    await expect(authenticate(getObject({}, new Date('2013-05-23T23:45:00Z')), opts)).resolves.toBeTruthy();
    const late = await expectCode(authenticate(getObject({}, new Date('2013-05-24T00:15:01Z')), opts), 'RequestTimeTooSkewed');
    expect(late.fields).toEqual({ RequestTime: '20130524T000000Z', ServerTime: '2013-05-24T00:15:01Z', MaxAllowedSkewMilliseconds: 900000 });
    await expectCode(authenticate(getObject({}, new Date('2013-05-23T23:44:59Z')), opts), 'RequestTimeTooSkewed');
    await expect(authenticate(getObject({}, new Date('2013-05-24T00:30:00Z')), { ...opts, maxSkewSeconds: 3600 })).resolves.toBeTruthy();
  });

  it('requires a date', async () => {
    const missing = getObject();
    missing.headers.delete('x-amz-date');
    const error = await expectCode(authenticate(missing, opts), 'AccessDenied');
    expect(error.message).toBe('AWS authentication requires a valid Date or x-amz-date header');
    await expectCode(authenticate(getObject({ 'x-amz-date': '2013-05-24T00:00:00Z' }), opts), 'AccessDenied');
  });

  it('requires x-amz-content-sha256 and a valid value for it', async () => {
    const missing = getObject();
    missing.headers.delete('x-amz-content-sha256');
    const error = await expectCode(authenticate(missing, opts), 'InvalidRequest');
    expect(error.message).toBe('Missing required header for this request: x-amz-content-sha256');
    const invalid = await expectCode(authenticate(getObject({ 'x-amz-content-sha256': 'SHA256-PLEASE' }), opts), 'InvalidArgument');
    expect(invalid.fields).toEqual({ ArgumentName: 'x-amz-content-sha256', ArgumentValue: 'SHA256-PLEASE' });
  });

  it('refuses SigV4a clearly', async () => {
    const v4a = getObject({ authorization: `AWS4-ECDSA-P256-SHA256 Credential=${AKID}/20130524/s3/aws4_request, SignedHeaders=host, Signature=3045` });
    const error = await expectCode(authenticate(v4a, opts), 'NotImplemented');
    expect(error.message).toContain('SigV4a');
    await expectCode(authenticate(getObject({ 'x-amz-content-sha256': 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER' }), opts), 'NotImplemented');
    await expectCode(authenticate(request('GET', PRESIGNED.replace('X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256'), { host: HOST }), opts), 'NotImplemented');
  });

  it('reports malformed Authorization headers as S3 does', async () => {
    const malformed = async (authorization: string): Promise<S3Error> => rejection(authenticate(getObject({ authorization }), opts));
    expect((await malformed(`AWS4-HMAC-SHA256 Credential=${AKID}/20130524/us-east-1/s3/aws4_request, Signature=abc`)).code).toBe('AuthorizationHeaderMalformed');
    expect((await malformed('AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=abc')).message).toContain('Credential is mal-formed');
    expect((await malformed(auth(`${AKID}/20130524/us-east-1/iam/aws4_request`, 'host', 'ab'))).message).toContain('incorrect service "iam"');
    expect((await malformed(auth(`${AKID}/20130524/us-east-1/s3/aws5_request`, 'host', 'ab'))).message).toContain('incorrect terminal');
    expect((await malformed(auth(`${AKID}/20130525/us-east-1/s3/aws4_request`, 'host', 'ab'))).message).toContain('Invalid credential date');
    const unsupported = await malformed('Bearer abc');
    expect(unsupported.code).toBe('InvalidArgument');
    expect(unsupported.message).toBe('Unsupported Authorization Type');
  });

  it('refuses unsigned x-amz-* headers and an unsigned host', async () => {
    const error = await expectCode(authenticate(getObject({ 'x-amz-meta-evil': '1', 'x-amz-acl': 'public-read' }), opts), 'AccessDenied');
    expect(error.fields).toEqual({ HeadersNotSigned: 'x-amz-meta-evil, x-amz-acl' });
    const noHost = getObject({
      authorization: auth(`${AKID}/20130524/us-east-1/s3/aws4_request`, 'range;x-amz-content-sha256;x-amz-date', 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41'),
    });
    expect((await expectCode(authenticate(noHost, opts), 'AccessDenied')).fields).toEqual({ HeadersNotSigned: 'host' });
  });

  it('refuses two Authorization headers, even two identical ones', async () => {
    const twice = getObject();
    twice.headers.set('authorization', `${twice.headers.get('authorization')!},${twice.headers.get('authorization')!}`);
    const error = await expectCode(authenticate({ ...twice, repeatedHeaders: new Set(['authorization']) }, opts), 'InvalidArgument');
    expect(error.status).toBe(400);
  });

  it('refuses two mechanisms at once', async () => {
    await expectCode(authenticate({ ...getObject(), rawTarget: PRESIGNED }, opts), 'InvalidArgument');
  });
});

describe('anonymous requests', () => {
  it('have no principal and an unsigned payload', async () => {
    expect(await authenticate(request('GET', '/bucket/key', { host: 'localhost' }), opts)).toEqual({ principal: null, payload: { kind: 'unsigned' } });
  });

  it('still honour a declared body hash or aws-chunked framing', async () => {
    const sha = await authenticate(request('PUT', '/b/k', { host: 'h', 'x-amz-content-sha256': EMPTY }), opts);
    expect(sha.payload).toEqual({ kind: 'sha256', expectedHex: EMPTY });
    const chunked = await authenticate(request('PUT', '/b/k', { host: 'h', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' }), opts);
    expect(chunked.payload).toEqual({ kind: 'chunked', signed: false, trailer: true });
  });
});
