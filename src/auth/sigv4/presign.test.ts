import { describe, expect, it } from 'vitest';
import { authenticate } from '../authenticate.js';
import { StaticCredentials } from '../credentials.js';
import { presignGetUrl } from './presign.js';

const credentials = new StaticCredentials([{ accessKeyId: 'AKIDEXAMPLE', secretKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', userId: 'alice', isRoot: false }]);

async function verify(url: string, now: Date) {
  const u = new URL(url);
  return authenticate(
    { method: 'GET', rawTarget: u.pathname + u.search, headers: new Map([['host', u.host]]), now },
    { region: 'us-east-1', credentials },
  );
}

describe('presigned GET URLs', () => {
  const input = {
    origin: 'http://127.0.0.1:9000',
    bucket: 'photos',
    key: 'folder/a b+c/ü ~.txt',
    accessKeyId: 'AKIDEXAMPLE',
    secretKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    region: 'us-east-1',
    expiresSeconds: 604800,
    now: new Date('2026-01-02T03:04:05Z'),
  };

  it('pass the server’s own verification, for keys with spaces, plus signs and non-ASCII', async () => {
    const url = presignGetUrl(input);
    expect(url).toContain('/photos/folder/a%20b%2Bc/%C3%BC%20~.txt?');
    expect(url).toContain('X-Amz-Expires=604800');
    const result = await verify(url, new Date('2026-01-05T00:00:00Z'));
    expect(result.principal?.userId).toBe('alice');
  });

  it('stop working after they expire or when altered', async () => {
    const url = presignGetUrl({ ...input, expiresSeconds: 60 });
    await expect(verify(url, new Date('2026-01-02T03:05:06Z'))).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(verify(url.replace('/photos/', '/other/'), input.now)).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });
});
