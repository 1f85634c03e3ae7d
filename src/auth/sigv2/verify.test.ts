import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { S3Error, type S3ErrorCode } from '../../errors/s3-error.js';
import { authenticate } from '../authenticate.js';
import { StaticCredentials } from '../credentials.js';
import type { AuthOptions, AuthResult, RequestView } from '../request.js';

// AWS "Signing and authenticating REST requests" (Signature Version 2), "Authentication examples". The page now
// names the bucket awsexamplebucket1 but its signatures were computed for the original bucket "johnsmith", which
// is what reproduces them.
const credentials = new StaticCredentials([
  { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', userId: 'john', isRoot: true },
]);
const opts = (virtualHostBucket?: string): AuthOptions => ({ region: 'us-east-1', credentials, virtualHostBucket });

function request(method: string, rawTarget: string, headers: Record<string, string>, now?: Date): RequestView {
  const date = headers['x-amz-date'] ?? headers.date;
  return { method, rawTarget, headers: new Map(Object.entries(headers)), now: now ?? new Date(date ?? 0) };
}

async function expectCode(promise: Promise<AuthResult>, code: S3ErrorCode): Promise<S3Error> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!(error instanceof S3Error)) throw error;
  expect(error.code).toBe(code);
  return error;
}

const sig = (signature: string): string => `AWS AKIAIOSFODNN7EXAMPLE:${signature}`;

describe('AWS SigV2 examples verify', () => {
  it.each<[string, RequestView, string | undefined]>([
    ['Object GET (virtual-hosted)', request('GET', '/photos/puppy.jpg', {
      host: 'johnsmith.s3.amazonaws.com', date: 'Tue, 27 Mar 2007 19:36:42 +0000', authorization: sig('bWq2s1WEIj+Ydj0vQ697zp+IXMU='),
    }), 'johnsmith'],
    ['Object PUT', request('PUT', '/photos/puppy.jpg', {
      host: 'johnsmith.s3.amazonaws.com', 'content-type': 'image/jpeg', 'content-length': '94328',
      date: 'Tue, 27 Mar 2007 21:15:45 +0000', authorization: sig('MyyxeRY7whkBe+bq8fHCL/2kKUg='),
    }), 'johnsmith'],
    ['List (query parameters that are not subresources are not signed)', request('GET', '/?prefix=photos&max-keys=50&marker=puppy', {
      host: 'johnsmith.s3.amazonaws.com', 'user-agent': 'Mozilla/5.0', date: 'Tue, 27 Mar 2007 19:42:41 +0000',
      authorization: sig('htDYFYduRNen8P9ZfE/s9SuKy0U='),
    }), 'johnsmith'],
    ['Fetch ?acl', request('GET', '/?acl', {
      host: 'johnsmith.s3.amazonaws.com', date: 'Tue, 27 Mar 2007 19:44:46 +0000', authorization: sig('c2WLPFtWHVgbEmeEG93a4cG37dM='),
    }), 'johnsmith'],
    ['Delete (path-style, x-amz-date)', request('DELETE', '/johnsmith/photos/puppy.jpg', {
      host: 's3.amazonaws.com', date: 'Tue, 27 Mar 2007 21:20:27 +0000', 'x-amz-date': 'Tue, 27 Mar 2007 21:20:26 +0000',
      authorization: sig('lx3byBScXR6KzyMaifNkardMwNk='),
    }), undefined],
    ['Upload (CNAME bucket, x-amz-* headers)', request('PUT', '/db-backup.dat.gz', {
      host: 'static.johnsmith.net:8080', date: 'Tue, 27 Mar 2007 21:06:08 +0000', 'x-amz-acl': 'public-read',
      'content-type': 'application/x-download', 'content-md5': '4gJE4saaMU4BqNR0kLY+lw==',
      'x-amz-meta-reviewedby': 'joe@johnsmith.net,jane@johnsmith.net', 'x-amz-meta-filechecksum': '0x02661779',
      'x-amz-meta-checksumalgorithm': 'crc32', 'content-disposition': 'attachment; filename=database.dat',
      'content-encoding': 'gzip', 'content-length': '5913339', authorization: sig('ilyl83RwaSoYIEdixDQcA4OnAnc='),
    }), 'static.johnsmith.net'],
    ['List all my buckets', request('GET', '/', {
      host: 's3.amazonaws.com', date: 'Wed, 28 Mar 2007 01:29:59 +0000', authorization: sig('qGdzdERIC03wnaRNKh6OqZehG9s='),
    }), undefined],
    ['Unicode keys (signed as sent, escapes and case kept)', request('GET', '/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re', {
      host: 's3.amazonaws.com', date: 'Wed, 28 Mar 2007 01:49:49 +0000', authorization: sig('DNEZGsoieTZ92F3bUfSPQcbGmlM='),
    }), undefined],
  ])('%s', async (_name, req, bucket) => {
    const result = await authenticate(req, opts(bucket));
    expect(result).toEqual({ principal: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userId: 'john', isRoot: true }, payload: { kind: 'unsigned' } });
  });

  it('Object GET fails without the virtual-host bucket in the resource', async () => {
    const req = request('GET', '/photos/puppy.jpg', { host: 'johnsmith.s3.amazonaws.com', date: 'Tue, 27 Mar 2007 19:36:42 +0000', authorization: sig('bWq2s1WEIj+Ydj0vQ697zp+IXMU=') });
    const error = await expectCode(authenticate(req, opts()), 'SignatureDoesNotMatch');
    expect(error.fields).toMatchObject({
      AWSAccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      StringToSign: 'GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/photos/puppy.jpg',
      SignatureProvided: 'bWq2s1WEIj+Ydj0vQ697zp+IXMU=',
      StringToSignBytes: '47 45 54 0a 0a 0a 54 75 65 2c 20 32 37 20 4d 61 72 20 32 30 30 37 20 31 39 3a 33 36 3a 34 32 20 2b 30 30 30 30 0a 2f 70 68 6f 74 6f 73 2f 70 75 70 70 79 2e 6a 70 67',
    });
  });

  it('a changed subresource or header breaks the signature', async () => {
    const acl = request('GET', '/?acl', { host: 'johnsmith.s3.amazonaws.com', date: 'Tue, 27 Mar 2007 19:44:46 +0000', authorization: sig('c2WLPFtWHVgbEmeEG93a4cG37dM=') });
    await expectCode(authenticate({ ...acl, rawTarget: '/?policy' }, opts('johnsmith')), 'SignatureDoesNotMatch');
    acl.headers.set('x-amz-acl', 'public-read');
    await expectCode(authenticate(acl, opts('johnsmith')), 'SignatureDoesNotMatch');
  });
});

describe('AWS SigV2 query-string example', () => {
  const target = '/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620';
  const expires = new Date(1_175_139_620_000);

  it('verifies until Expires', async () => {
    const result = await authenticate(request('GET', target, { host: 'johnsmith.s3.amazonaws.com' }, new Date(expires.getTime() - 86_400_000)), opts('johnsmith'));
    expect(result.principal?.userId).toBe('john');
    await expect(authenticate(request('GET', target, { host: 'johnsmith.s3.amazonaws.com' }, expires), opts('johnsmith'))).resolves.toBeTruthy();
  });

  it('tolerates a "+" in the signature that was not escaped', async () => {
    const raw = target.replace('%2B', '+');
    await expect(authenticate(request('GET', raw, { host: 'johnsmith.s3.amazonaws.com' }, expires), opts('johnsmith'))).resolves.toBeTruthy();
  });

  it('is refused after Expires', async () => {
    const error = await expectCode(authenticate(request('GET', target, { host: 'h' }, new Date(expires.getTime() + 1000)), opts('johnsmith')), 'AccessDenied');
    expect(error.message).toBe('Request has expired');
    expect(error.fields).toEqual({ Expires: '2007-03-29T03:40:20Z', ServerTime: '2007-03-29T03:40:21Z' });
  });

  it('needs all three parameters and a numeric Expires', async () => {
    await expectCode(authenticate(request('GET', '/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1', { host: 'h' }, expires), opts()), 'AccessDenied');
    await expectCode(authenticate(request('GET', target.replace('1175139620', 'tomorrow'), { host: 'h' }, expires), opts()), 'AccessDenied');
  });
});

describe('SigV2 signatures cover the operation', () => {
  const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const date = 'Tue, 27 Mar 2007 19:42:41 +0000';
  const sign = (toSign: string): string => createHmac('sha1', SECRET).update(toSign, 'utf8').digest('base64');
  const listing = sig(sign(`GET\n\n\n${date}\n/johnsmith/`));
  const send = (rawTarget: string, authorization = listing): Promise<AuthResult> =>
    authenticate(request('GET', rawTarget, { host: 's3.amazonaws.com', date, authorization }), opts());

  it('a captured listing signature verifies for the listing only', async () => {
    await expect(send('/johnsmith/?prefix=a&max-keys=5')).resolves.toBeTruthy();
    for (const sub of ['publicAccessBlock', 'encryption', 'policyStatus', 'ownershipControls', 'object-lock', 'acl', 'policy', 'tagging', 'versions', 'uploads']) {
      await expectCode(send(`/johnsmith/?${sub}`), 'SignatureDoesNotMatch');
      await expectCode(send(`/johnsmith/?prefix=a&${sub}=`), 'SignatureDoesNotMatch');
    }
  });

  it('a subresource spelled with percent escapes is signed as the name it is routed as', async () => {
    await expectCode(send('/johnsmith/?%61cl'), 'SignatureDoesNotMatch');
    await expectCode(send('/johnsmith/?public%41ccessBlock'), 'SignatureDoesNotMatch');
    const acl = sig(sign(`GET\n\n\n${date}\n/johnsmith/?acl`));
    await expect(send('/johnsmith/?%61cl', acl)).resolves.toBeTruthy();
  });

  it('a signature covering the subresource verifies', async () => {
    const pab = sig(sign(`GET\n\n\n${date}\n/johnsmith/?publicAccessBlock`));
    await expect(send('/johnsmith/?publicAccessBlock', pab)).resolves.toBeTruthy();
    const override = sig(sign(`GET\n\n\n${date}\n/johnsmith/k?response-content-type=text/html&versionId=3`));
    await expect(send('/johnsmith/k?versionId=3&response-content-type=text%2Fhtml', override)).resolves.toBeTruthy();
    await expectCode(send('/johnsmith/k?versionId=3&response-content-type=text%2Fplain', override), 'SignatureDoesNotMatch');
  });
});

describe('SigV2 with non-ASCII header values', () => {
  it('verifies metadata signed as UTF-8 text and sent as its UTF-8 bytes (read by Node as latin1)', async () => {
    const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const date = 'Tue, 27 Mar 2007 19:42:41 +0000';
    const signature = createHmac('sha1', SECRET).update(`PUT\n\n\n${date}\nx-amz-meta-greeting:Hello World\u00e9\n/johnsmith/k`, 'utf8').digest('base64');
    const onTheWire = Buffer.from('Hello World\u00e9', 'utf8').toString('latin1');
    const req = request('PUT', '/johnsmith/k', { host: 's3.amazonaws.com', date, 'x-amz-meta-greeting': onTheWire, authorization: sig(signature) });
    await expect(authenticate(req, opts())).resolves.toBeTruthy();
  });
});

describe('SigV2 query authentication limits', () => {
  const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const now = new Date('2024-01-01T00:00:00Z');
  const presign = (expires: number, extra = ''): string => {
    const signature = createHmac('sha1', SECRET).update(`GET\n\n\n${expires}\n/johnsmith/k`, 'utf8').digest('base64');
    return `/johnsmith/k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=${expires}&Signature=${encodeURIComponent(signature)}${extra}`;
  };
  const at = (target: string, options: AuthOptions = opts()): Promise<AuthResult> => authenticate(request('GET', target, { host: 's3.amazonaws.com' }, now), options);
  const epoch = now.getTime() / 1000;

  it('accepts up to seven days ahead, refuses further (the SigV4 bound)', async () => {
    await expect(at(presign(epoch + 604_800))).resolves.toBeTruthy();
    const error = await expectCode(at(presign(epoch + 604_801)), 'AccessDenied');
    expect(error.message).toContain('604800');
    await expectCode(at(presign(epoch + 10 * 365 * 86_400)), 'AccessDenied');
  });

  it('follows the configured bound', async () => {
    await expectCode(at(presign(epoch + 3601), { ...opts(), maxPresignSeconds: 3600 }), 'AccessDenied');
    await expect(at(presign(epoch + 3600), { ...opts(), maxPresignSeconds: 3600 })).resolves.toBeTruthy();
  });

  it('a URL created already expired is AccessDenied "Request has expired"', async () => {
    const error = await expectCode(at(presign(epoch - 60)), 'AccessDenied');
    expect(error.message).toBe('Request has expired');
  });

  it('refuses a repeated query-authentication parameter', async () => {
    const good = presign(epoch + 60);
    await expect(at(good)).resolves.toBeTruthy();
    const signature = /Signature=([^&]+)/.exec(good)![1]!;
    for (const extra of [`&Signature=${signature}`, '&Signature=AAAA', `&Expires=${epoch + 60}`, '&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE']) {
      const error = await expectCode(at(good + extra), 'InvalidArgument');
      expect(error.status).toBe(400);
    }
  });
});

describe('SigV2 header failures', () => {
  const get = (authorization: string, now?: Date): RequestView =>
    request('GET', '/photos/puppy.jpg', { host: 'johnsmith.s3.amazonaws.com', date: 'Tue, 27 Mar 2007 19:36:42 +0000', authorization }, now);

  it('a malformed header is InvalidArgument', async () => {
    const error = await expectCode(authenticate(get('AWS AKIAIOSFODNN7EXAMPLE'), opts('johnsmith')), 'InvalidArgument');
    expect(error.fields).toEqual({ ArgumentName: 'Authorization', ArgumentValue: 'AWS AKIAIOSFODNN7EXAMPLE' });
  });

  it('an unknown key is InvalidAccessKeyId', async () => {
    await expectCode(authenticate(get('AWS AKIDUNKNOWN:bWq2s1WEIj+Ydj0vQ697zp+IXMU='), opts('johnsmith')), 'InvalidAccessKeyId');
  });

  it('a date outside 15 minutes is RequestTimeTooSkewed', async () => {
    const error = await expectCode(
      authenticate(get(sig('bWq2s1WEIj+Ydj0vQ697zp+IXMU='), new Date('2007-03-27T19:52:43Z')), opts('johnsmith')),
      'RequestTimeTooSkewed',
    );
    expect(error.fields.RequestTime).toBe('Tue, 27 Mar 2007 19:36:42 +0000');
  });

  it('a missing date is AccessDenied', async () => {
    const req = get(sig('bWq2s1WEIj+Ydj0vQ697zp+IXMU='), new Date('2007-03-27T19:36:42Z'));
    req.headers.delete('date');
    await expectCode(authenticate(req, opts('johnsmith')), 'AccessDenied');
  });
});
