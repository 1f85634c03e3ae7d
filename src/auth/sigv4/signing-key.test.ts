import { describe, expect, it } from 'vitest';
import { deriveSigningKey, SigningKeyCache } from './signing-key.js';

describe('deriveSigningKey', () => {
  // AWS General Reference, "Examples of how to derive a signing key for Signature Version 4".
  it('reproduces the documented kSigning', () => {
    const key = deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam');
    expect(key.toString('hex')).toBe('c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
  });
});

describe('SigningKeyCache', () => {
  it('returns the derived key and memoises it', () => {
    const cache = new SigningKeyCache(4);
    const first = cache.get('secret', '20240101', 'us-east-1', 's3');
    expect(first.equals(deriveSigningKey('secret', '20240101', 'us-east-1', 's3'))).toBe(true);
    expect(cache.get('secret', '20240101', 'us-east-1', 's3')).toBe(first);
  });

  it('keys on every input, so a rotated secret never reuses an old key', () => {
    const cache = new SigningKeyCache(8);
    const base = cache.get('secret', '20240101', 'us-east-1', 's3');
    for (const other of [
      cache.get('secret2', '20240101', 'us-east-1', 's3'),
      cache.get('secret', '20240102', 'us-east-1', 's3'),
      cache.get('secret', '20240101', 'eu-west-1', 's3'),
      cache.get('secret', '20240101', 'us-east-1', 'iam'),
    ]) {
      expect(other.equals(base)).toBe(false);
    }
  });

  it('stays within its capacity, evicting the oldest entry', () => {
    const cache = new SigningKeyCache(3);
    const oldest = cache.get('s0', '20240101', 'r', 's3');
    for (let i = 1; i <= 10; i++) cache.get(`s${i}`, '20240101', 'r', 's3');
    expect(cache.size).toBe(3);
    const again = cache.get('s0', '20240101', 'r', 's3');
    expect(again).not.toBe(oldest);
    expect(again.equals(oldest)).toBe(true);
  });
});
