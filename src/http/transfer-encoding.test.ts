import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors/s3-error.js';
import { assertSupportedTransferEncoding } from './transfer-encoding.js';

const check = (value?: string): void => assertSupportedTransferEncoding(new Map(value === undefined ? [] : [['transfer-encoding', value]]));

describe('Transfer-Encoding', () => {
  it('accepts none, and chunked alone in any case', () => {
    for (const v of [undefined, 'chunked', 'Chunked', ' CHUNKED ']) expect(() => check(v)).not.toThrow();
  });

  it('refuses every other coding with 501 NotImplemented naming the header', () => {
    for (const v of ['gzip', 'gzip, chunked', 'chunked, gzip', 'identity', 'compress', 'deflate', 'chunked, chunked', '', 'x']) {
      let error: unknown;
      try {
        check(v);
      } catch (e) {
        error = e;
      }
      expect(error, v).toBeInstanceOf(S3Error);
      expect((error as S3Error).status).toBe(501);
      expect((error as S3Error).code).toBe('NotImplemented');
      expect((error as S3Error).fields).toEqual({ Header: 'Transfer-Encoding' });
    }
  });
});
