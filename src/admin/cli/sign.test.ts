// The CLI's signer against the server's own verifier: what the client signs is what the server accepts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authenticate } from '../../auth/authenticate.js';
import { StaticCredentials } from '../../auth/credentials.js';
import { signRequest } from './sign.js';

const credentials = new StaticCredentials([{ accessKeyId: 'AKADMIN', secretKey: 'admin-secret-123', userId: 'root', isRoot: true }]);

function verify(method: string, url: URL, headers: Record<string, string>, now: Date) {
  return authenticate(
    { method, rawTarget: url.pathname + url.search, headers: new Map(Object.entries(headers)), now },
    { region: 'eu-west-1', credentials },
  );
}

describe('admin request signing', () => {
  const now = new Date('2025-03-01T12:00:00Z');

  it('produces requests the server authenticates, with the body hash bound in', async () => {
    const url = new URL('http://127.0.0.1:9000/_sklad/admin/v1/users/a%2Bb%40c/keys?x=1&a=%20');
    const body = Buffer.from('{"status":"Inactive"}');
    const headers = signRequest({ method: 'PATCH', url, body, headers: { 'content-type': 'application/json' }, accessKey: 'AKADMIN', secretKey: 'admin-secret-123', region: 'eu-west-1', now });
    expect(headers['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
    const auth = await verify('PATCH', url, headers, now);
    expect(auth.principal?.userId).toBe('root');
    expect(auth.payload).toEqual({ kind: 'sha256', expectedHex: headers['x-amz-content-sha256'] });
  });

  it('is refused when anything signed changes', async () => {
    const url = new URL('http://127.0.0.1:9000/_sklad/admin/v1/info');
    const headers = signRequest({ method: 'GET', url, body: Buffer.alloc(0), accessKey: 'AKADMIN', secretKey: 'admin-secret-123', region: 'eu-west-1', now });
    await expect(verify('DELETE', url, headers, now)).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
    await expect(verify('GET', new URL('http://127.0.0.1:9000/_sklad/admin/v1/users'), headers, now)).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
    const wrongSecret = signRequest({ method: 'GET', url, body: Buffer.alloc(0), accessKey: 'AKADMIN', secretKey: 'not-it', region: 'eu-west-1', now });
    await expect(verify('GET', url, wrongSecret, now)).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });
});
