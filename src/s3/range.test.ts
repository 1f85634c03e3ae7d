import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors/s3-error.js';
import { parseRange } from './range.js';

function invalidRange(header: string, size: number): S3Error {
  try {
    parseRange(header, size);
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected InvalidRange');
}

describe('parseRange', () => {
  it('returns undefined without a header', () => {
    expect(parseRange(undefined, 10)).toBeUndefined();
  });

  it.each([
    ['bytes=0-0', { start: 0, end: 0 }],
    ['bytes=2-5', { start: 2, end: 5 }],
    ['bytes=4-', { start: 4, end: 10 }],
    ['bytes=0-', { start: 0, end: 10 }],
    ['bytes=3-1000', { start: 3, end: 10 }],
    ['bytes=-7', { start: 4, end: 10 }],
    ['bytes=-11', { start: 0, end: 10 }],
    ['bytes=-500', { start: 0, end: 10 }],
    ['bytes=10-10', { start: 10, end: 10 }],
    ['Bytes=1-2', { start: 1, end: 2 }],
    [' bytes=1-2 ', { start: 1, end: 2 }],
    ['bytes=0-99999999999999999999', { start: 0, end: 10 }],
  ])('%s of 11 bytes → %j', (header, expected) => {
    expect(parseRange(header, 11)).toEqual(expected);
  });

  // Malformed or multi-range headers are ignored and the whole object is served.
  it.each(['', 'bytes=', 'bytes=-', 'bytes=abc', 'bytes=1', 'bytes=1-2-3', 'bytes=-1-4', 'bytes=0-1,3-4', 'items=0-1',
    'bytes 0-1', 'bytes=3-1', 'bytes=1-0', 'bytes=+1-2', 'bytes= 1-2', 'bytes=1.5-2'])('ignores %j', (header) => {
    expect(parseRange(header, 11)).toBeUndefined();
  });

  it.each([
    ['bytes=11-', 11],
    ['bytes=40-50', 11],
    ['bytes=11-3', 11],
    ['bytes=-0', 11],
    ['bytes=0-', 0],
    ['bytes=0-0', 0],
    ['bytes=-0', 0],
  ])('%s of %i bytes is InvalidRange with the sizes AWS reports', (header, size) => {
    const e = invalidRange(header, size);
    expect(e.code).toBe('InvalidRange');
    expect(e.status).toBe(416);
    expect(e.fields).toEqual({ RangeRequested: header, ActualObjectSize: size });
  });

  it('serves an empty object whole for a non-zero suffix range (RFC 9110 §14.1.1)', () => {
    expect(parseRange('bytes=-5', 0)).toBeUndefined();
  });
});
