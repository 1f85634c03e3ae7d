import { describe, expect, it } from 'vitest';
import { parseRawTarget } from '../raw-target.js';
import { canonicalHeaderValue, canonicalQuery, canonicalRequest, canonicalUri, stringToSign } from './canonical-request.js';
import { sha256Hex } from './signing-key.js';

// AWS "Examples: Signature Calculations in AWS Signature Version 4" (sig-v4-header-based-auth): the canonical
// requests below are printed on that page, with the SHA-256 of each.
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SCOPE = '20130524/us-east-1/s3/aws4_request';

function build(method: string, rawTarget: string, headers: Record<string, string>, payloadHash: string): string {
  const { rawPath, params } = parseRawTarget(rawTarget);
  return canonicalRequest({
    method,
    uri: canonicalUri(rawPath),
    query: canonicalQuery(params),
    headers: new Map(Object.entries(headers)),
    signedHeaders: Object.keys(headers).sort(),
    payloadHash,
  });
}

describe('AWS SigV4 example canonical requests', () => {
  it('GET Object with Range', () => {
    const canonical = build('GET', '/test.txt', {
      host: 'examplebucket.s3.amazonaws.com',
      range: 'bytes=0-9',
      'x-amz-content-sha256': EMPTY,
      'x-amz-date': '20130524T000000Z',
    }, EMPTY);
    expect(canonical).toBe(
      'GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n' +
        `x-amz-content-sha256:${EMPTY}\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n${EMPTY}`,
    );
    expect(stringToSign('20130524T000000Z', SCOPE, canonical)).toBe(
      `AWS4-HMAC-SHA256\n20130524T000000Z\n${SCOPE}\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972`,
    );
  });

  it('PUT Object: "$" in the key is encoded once', () => {
    const body = '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072';
    const canonical = build('PUT', '/test$file.text', {
      date: 'Fri, 24 May 2013 00:00:00 GMT',
      host: 'examplebucket.s3.amazonaws.com',
      'x-amz-content-sha256': body,
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    }, body);
    expect(canonical.split('\n')[1]).toBe('/test%24file.text');
    expect(sha256Hex(canonical)).toBe('9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d');
  });

  it('GET Bucket lifecycle: a parameter without a value signs as "lifecycle="', () => {
    const canonical = build('GET', '/?lifecycle', {
      host: 'examplebucket.s3.amazonaws.com',
      'x-amz-content-sha256': EMPTY,
      'x-amz-date': '20130524T000000Z',
    }, EMPTY);
    expect(canonical.split('\n')[2]).toBe('lifecycle=');
    expect(sha256Hex(canonical)).toBe('9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca');
  });

  it('GET Bucket (List Objects): parameters sorted by name', () => {
    const canonical = build('GET', '/?prefix=J&max-keys=2', {
      host: 'examplebucket.s3.amazonaws.com',
      'x-amz-content-sha256': EMPTY,
      'x-amz-date': '20130524T000000Z',
    }, EMPTY);
    expect(canonical.split('\n')[2]).toBe('max-keys=2&prefix=J');
    expect(sha256Hex(canonical)).toBe('df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7');
  });
});

describe('canonicalUri', () => {
  it.each([
    ['/bucket/a%20b', '/bucket/a%20b'],
    ['/bucket/a+b', '/bucket/a%2Bb'],
    ['/bucket/%2B', '/bucket/%2B'],
    ['/bucket/100%25', '/bucket/100%25'],
    ['/bucket/caf%c3%a9', '/bucket/caf%C3%A9'],
    ['/bucket/%7Etilde~', '/bucket/~tilde~'],
    ['/bucket/a%2Fb', '/bucket/a%2Fb'],
    ['/bucket//a/./b/../c/', '/bucket//a/./b/../c/'],
    ["/bucket/x!*'()", '/bucket/x%21%2A%27%28%29'],
    ['/bucket/bad%zz%', '/bucket/bad%25zz%25'],
    ['/bucket/%FF', '/bucket/%FF'],
  ])('%s → %s', (raw, expected) => {
    expect(canonicalUri(raw)).toBe(expected);
  });
});

describe('canonicalQuery', () => {
  const q = (target: string, exclude?: string): string => canonicalQuery(parseRawTarget(target).params, exclude);

  it('re-encodes values with RFC 3986 and reads "+" as a space', () => {
    expect(q('/?prefix=a+b%2Bc%2F%C3%A9&delimiter=/')).toBe('delimiter=%2F&prefix=a%20b%2Bc%2F%C3%A9');
  });

  it('sorts repeated names by value', () => {
    expect(q('/?b=2&a=z&b=1&a')).toBe('a=&a=z&b=1&b=2');
  });

  it('drops only the excluded parameter', () => {
    expect(q('/?X-Amz-Signature=abc&X-Amz-Date=1', 'X-Amz-Signature')).toBe('X-Amz-Date=1');
    expect(q('/?X-Amz-Signature=abc&X-Amz-Date=1')).toBe('X-Amz-Date=1&X-Amz-Signature=abc');
  });
});

describe('canonicalHeaderValue', () => {
  it('trims and collapses runs of spaces and tabs', () => {
    expect(canonicalHeaderValue('  a   b\t\tc  ')).toBe('a b c');
    expect(canonicalHeaderValue('"a b c"')).toBe('"a b c"');
  });
});
