import { describe, expect, it } from 'vitest';
import { StaticCredentials } from './credentials.js';

describe('StaticCredentials', () => {
  const store = new StaticCredentials([
    { accessKeyId: 'ROOTKEY', secretKey: 'root-secret', userId: 'root', isRoot: true },
    { accessKeyId: 'USERKEY', secretKey: 'user-secret', userId: 'alice', isRoot: false },
  ]);

  it('finds a key with its secret and principal', async () => {
    expect(await store.lookup('USERKEY')).toEqual({ secretKey: 'user-secret', principal: { accessKeyId: 'USERKEY', userId: 'alice', isRoot: false } });
    expect((await store.lookup('ROOTKEY'))?.principal.isRoot).toBe(true);
  });

  it('knows nothing else, case included', async () => {
    expect(await store.lookup('userkey')).toBeUndefined();
    expect(await store.lookup('')).toBeUndefined();
  });

  it('refuses a key listed twice', () => {
    expect(() => new StaticCredentials([
      { accessKeyId: 'K', secretKey: 'a', userId: 'u', isRoot: false },
      { accessKeyId: 'K', secretKey: 'b', userId: 'v', isRoot: false },
    ])).toThrow(/duplicate/);
  });
});
