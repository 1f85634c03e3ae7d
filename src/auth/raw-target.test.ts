import { describe, expect, it } from 'vitest';
import { parseRawTarget, queryValue, queryValueIgnoreCase } from './raw-target.js';

describe('parseRawTarget', () => {
  it('keeps the path and every parameter exactly as sent', () => {
    expect(parseRawTarget('/b/a%20b/./..//c?acl&x=1%2B2&&y=&z=a=b')).toEqual({
      rawPath: '/b/a%20b/./..//c',
      params: [
        { rawName: 'acl', rawValue: undefined },
        { rawName: 'x', rawValue: '1%2B2' },
        { rawName: 'y', rawValue: '' },
        { rawName: 'z', rawValue: 'a=b' },
      ],
    });
  });

  it('accepts the absolute form and an empty path', () => {
    expect(parseRawTarget('http://bucket.example:9000/k?v=1')).toEqual({ rawPath: '/k', params: [{ rawName: 'v', rawValue: '1' }] });
    expect(parseRawTarget('http://example.com?list-type=2').rawPath).toBe('/');
  });
});

describe('queryValue', () => {
  const { params } = parseRawTarget('/?X-Amz-Credential=AK%2F2013&Signature=ab+c%3D&Case=1');

  it('decodes, reading "+" as a space unless told not to', () => {
    expect(queryValue(params, 'X-Amz-Credential')).toBe('AK/2013');
    expect(queryValue(params, 'Signature')).toBe('ab c=');
    expect(queryValue(params, 'Signature', false)).toBe('ab+c=');
    expect(queryValue(params, 'case')).toBeUndefined();
    expect(queryValueIgnoreCase(params, 'case')).toBe('1');
  });
});

describe('parseRawTarget and a stray "#"', () => {
  it('keeps it, so bytes the server acts on are never left out of the signature', () => {
    expect(parseRawTarget('/b/k#x?a=1#2')).toEqual({ rawPath: '/b/k#x', params: [{ rawName: 'a', rawValue: '1#2' }] });
  });
});
