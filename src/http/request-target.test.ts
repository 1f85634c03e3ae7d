import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors/s3-error.js';
import { parseRequestTarget } from './request-target.js';

describe('parseRequestTarget', () => {
  it('splits path-style bucket and key without normalising the key', () => {
    const t = parseRequestTarget('/bkt/a/../b//c/./d?list-type=2', 'localhost:9000', undefined);
    expect(t.bucket).toBe('bkt');
    expect(t.key).toBe('a/../b//c/./d');
    expect(t.query.get('list-type')).toBe('2');
  });

  it('decodes percent-encoding in keys but keeps + literal', () => {
    const t = parseRequestTarget('/bkt/a%20b+c%2Bd%E2%82%AC', undefined, undefined);
    expect(t.key).toBe('a b+c+d€');
  });

  it('treats /bucket and /bucket/ as bucket-level', () => {
    expect(parseRequestTarget('/bkt', undefined, undefined)).toMatchObject({ bucket: 'bkt', key: undefined });
    expect(parseRequestTarget('/bkt/', undefined, undefined)).toMatchObject({ bucket: 'bkt', key: undefined });
    expect(parseRequestTarget('/', undefined, undefined).bucket).toBeUndefined();
  });

  it('takes the bucket from the Host header for virtual-hosted style', () => {
    const t = parseRequestTarget('/photos/cat.jpg', 'my-bucket.s3.example.org:9000', 's3.example.org');
    expect(t).toMatchObject({ bucket: 'my-bucket', key: 'photos/cat.jpg', virtualHostBucket: 'my-bucket' });
    expect(parseRequestTarget('/b/k', 's3.example.org', 's3.example.org')).toMatchObject({ bucket: 'b', key: 'k' });
  });

  it('rejects malformed percent-encoding as InvalidURI', () => {
    expect(() => parseRequestTarget('/bkt/%E2%82', undefined, undefined)).toThrow(S3Error);
    try {
      parseRequestTarget('/bkt/%zz', undefined, undefined);
    } catch (e) {
      expect((e as S3Error).code).toBe('InvalidURI');
    }
  });

  it('accepts absolute-form targets', () => {
    expect(parseRequestTarget('http://host:1/b/k?x=1', undefined, undefined)).toMatchObject({ bucket: 'b', key: 'k' });
  });
});
