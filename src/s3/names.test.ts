import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors/s3-error.js';
import { isValidBucketName, validateBucketName, validateObjectKey } from './names.js';

function s3Error(fn: () => void): S3Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected an S3Error');
}

describe('validateBucketName', () => {
  // Examples from the AWS naming-rules page plus edge lengths.
  it.each(['docexamplebucket1', 'log-delivery-march-2020', 'my-hosted-content', 'docexamplewebsite.com', 'www.docexamplewebsite.com',
    'my.example.s3.bucket', 'abc', 'a'.repeat(63), '1.2.3', '1-2-3-4', '1.2.3.4.5', 'xn-a', 'sthree', 'my-s3alias-bucket', '3x'.repeat(2)])(
    'accepts %j', (name) => {
      expect(isValidBucketName(name)).toBe(true);
      expect(() => validateBucketName(name)).not.toThrow();
    });

  it.each(['doc_example_bucket', 'DocExampleBucket', 'doc-example-bucket-', '-bucket', '.bucket', 'bucket.', 'ab', 'a'.repeat(64), '',
    'my..bucket', '192.168.5.4', '1.2.3.4', 'xn--bucket', 'sthree-bucket', 'sthree-configurator-x', 'amzn-s3-demo-bucket',
    'bucket-s3alias', 'bucket--ol-s3', 'bucket.mrap', 'bucket--x-s3', 'bucket--table-s3', 'bück', 'bucket name', 'bucket/x',
    'my.-bucket', 'my-.bucket', 'a-.b', 'a.-b', 'x.-.y'])(
    'refuses %j with InvalidBucketName', (name) => {
      const e = s3Error(() => validateBucketName(name));
      expect(e.code).toBe('InvalidBucketName');
      expect(e.status).toBe(400);
      expect(e.fields).toEqual({ BucketName: name });
    });
});

describe('validateObjectKey', () => {
  it.each(['a', 'photos/2024/cat.jpg', ' leading space', 'a//b/../c/./d', '日本語/ключ', '😀', 'x'.repeat(1024), 'é'.repeat(512), '\u0001ctl'])(
    'accepts %j', (key) => {
      expect(() => validateObjectKey(key)).not.toThrow();
    });

  it('refuses keys longer than 1024 UTF-8 bytes with the sizes AWS reports', () => {
    const e = s3Error(() => validateObjectKey('x'.repeat(1025)));
    expect(e.code).toBe('KeyTooLongError');
    expect(e.fields).toEqual({ Size: 1025, MaxSizeAllowed: 1024 });
    // 513 two-byte characters: 513 UTF-16 units but 1026 bytes.
    expect(s3Error(() => validateObjectKey('é'.repeat(513))).fields).toEqual({ Size: 1026, MaxSizeAllowed: 1024 });
  });

  it('refuses an empty key', () => {
    expect(s3Error(() => validateObjectKey('')).code).toBe('InvalidArgument');
  });

  it.each(['\uD800', 'a\uDC00b', 'x\uD83D'])('refuses %j, which has no UTF-8 form, as InvalidURI', (key) => {
    expect(s3Error(() => validateObjectKey(key)).code).toBe('InvalidURI');
  });
});
