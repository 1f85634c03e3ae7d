import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors/s3-error.js';
import type { ObjectRecord } from '../storage/metadata-index.js';
import { contentHeadersFrom, objectResponseHeaders, userMetadataFrom } from './object-headers.js';

function h(entries: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(entries));
}

function record(overrides: Partial<ObjectRecord> = {}): ObjectRecord {
  return {
    bucket: 'b',
    key: 'k',
    versionId: 'null',
    size: 3,
    etag: '900150983cd24fb0d6963f7d28e17f72',
    lastModified: new Date('2025-06-01T10:00:00.750Z'),
    owner: 'o',
    storageClass: 'STANDARD',
    contentHeaders: { 'content-type': 'text/plain' },
    userMetadata: {},
    tags: [],
    acl: 'private',
    blobs: [{ id: 'blob', size: 3 }],
    deleteMarker: false,
    ...overrides,
  };
}

describe('contentHeadersFrom', () => {
  it('keeps the six system headers verbatim and ignores others', () => {
    const headers = h({
      'content-type': 'image/png',
      'cache-control': 'max-age=60',
      'content-disposition': 'attachment; filename="a b.png"',
      'content-encoding': 'gzip',
      'content-language': 'de-CH',
      expires: 'Thu, 01 Dec 1994 16:00:00 GMT',
      'content-length': '5',
      'x-amz-meta-a': 'b',
    });
    expect(contentHeadersFrom(headers)).toEqual({
      'content-type': 'image/png',
      'cache-control': 'max-age=60',
      'content-disposition': 'attachment; filename="a b.png"',
      'content-encoding': 'gzip',
      'content-language': 'de-CH',
      expires: 'Thu, 01 Dec 1994 16:00:00 GMT',
    });
  });

  it('labels an object without Content-Type binary/octet-stream, as S3 does', () => {
    expect(contentHeadersFrom(h({}))).toEqual({ 'content-type': 'binary/octet-stream' });
    expect(contentHeadersFrom(h({ 'content-type': '' }))).toEqual({ 'content-type': 'binary/octet-stream' });
  });

  it.each([
    ['aws-chunked', undefined],
    ['AWS-Chunked', undefined],
    ['aws-chunked,gzip', 'gzip'],
    ['gzip, aws-chunked', 'gzip'],
    ['aws-chunked, gzip, br', 'gzip, br'],
    ['deflate, gzip', 'deflate, gzip'],
    ['deflate,  aws-chunked ,gzip', 'deflate ,gzip'],
    ['gzip , aws-chunked', 'gzip'],
    ['identity', 'identity'],
  ])('stores Content-Encoding %j as %j', (sent, stored) => {
    expect(contentHeadersFrom(h({ 'content-encoding': sent }))['content-encoding']).toBe(stored);
  });
});

describe('userMetadataFrom', () => {
  it('strips the prefix and lower-cases names', () => {
    expect(userMetadataFrom(h({ 'X-Amz-Meta-Color': 'Blue', 'x-amz-meta-two-words': 'v w', 'x-amz-metadata-directive': 'COPY', 'x-amz-meta-': 'x' })))
      .toEqual({ color: 'Blue', 'two-words': 'v w' });
  });

  it('allows exactly 2 KB of names and values', () => {
    expect(() => userMetadataFrom(h({ 'x-amz-meta-k': 'v'.repeat(2047) }))).not.toThrow();
  });

  it('refuses more than 2 KB with the sizes AWS reports', () => {
    let error: unknown;
    try {
      userMetadataFrom(h({ 'x-amz-meta-k': 'v'.repeat(2000), 'x-amz-meta-kk': 'v'.repeat(47) }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(S3Error);
    expect((error as S3Error).code).toBe('MetadataTooLarge');
    expect((error as S3Error).fields).toEqual({ Size: 2050, MaxSizeAllowed: 2048 });
  });

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    expect(() => userMetadataFrom(h({ 'x-amz-meta-k': 'é'.repeat(1024) }))).toThrow(S3Error);
  });
});

describe('objectResponseHeaders', () => {
  it('describes a plain object', () => {
    expect(objectResponseHeaders(record(), new URLSearchParams())).toEqual({
      'Content-Type': 'text/plain',
      ETag: '"900150983cd24fb0d6963f7d28e17f72"',
      'Last-Modified': 'Sun, 01 Jun 2025 10:00:00 GMT',
    });
  });

  it('adds stored headers, metadata, tags, storage class, version and parts count', () => {
    const rec = record({
      contentHeaders: { 'content-type': 'a/b', 'cache-control': 'no-cache', 'content-disposition': 'inline', 'content-encoding': 'gzip', 'content-language': 'en', expires: 'soon' },
      userMetadata: { color: 'blue' },
      tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }],
      storageClass: 'GLACIER',
      versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
      etag: 'abc-2',
      parts: [{ partNumber: 1, size: 2, etag: 'x' }, { partNumber: 2, size: 1, etag: 'y' }],
    });
    expect(objectResponseHeaders(rec, new URLSearchParams('partNumber=1'))).toEqual({
      'Content-Type': 'a/b',
      'Cache-Control': 'no-cache',
      'Content-Disposition': 'inline',
      'Content-Encoding': 'gzip',
      'Content-Language': 'en',
      Expires: 'soon',
      'x-amz-meta-color': 'blue',
      ETag: '"abc-2"',
      'Last-Modified': 'Sun, 01 Jun 2025 10:00:00 GMT',
      'x-amz-tagging-count': '2',
      'x-amz-storage-class': 'GLACIER',
      'x-amz-version-id': '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
      'x-amz-mp-parts-count': '2',
    });
  });

  it('reports the parts count only when a part was asked for', () => {
    const rec = record({ parts: [{ partNumber: 1, size: 3, etag: 'x' }] });
    expect(objectResponseHeaders(rec, new URLSearchParams())['x-amz-mp-parts-count']).toBeUndefined();
  });

  it('applies the six response-* overrides and no others', () => {
    const query = new URLSearchParams({
      'response-content-type': 'application/json',
      'response-content-language': 'fr',
      'response-expires': 'Thu, 01 Dec 2044 16:00:00 GMT',
      'response-cache-control': 'no-store',
      'response-content-disposition': 'attachment; filename="x.json"',
      'response-content-encoding': 'identity',
      'response-etag': 'nope',
    });
    const out = objectResponseHeaders(record(), query);
    expect(out).toMatchObject({
      'Content-Type': 'application/json',
      'Content-Language': 'fr',
      Expires: 'Thu, 01 Dec 2044 16:00:00 GMT',
      'Cache-Control': 'no-store',
      'Content-Disposition': 'attachment; filename="x.json"',
      'Content-Encoding': 'identity',
      ETag: '"900150983cd24fb0d6963f7d28e17f72"',
    });
    expect(Object.values(out)).not.toContain('nope');
  });

  it('leaves out metadata that cannot be a header value and counts it', () => {
    const rec = record({ userMetadata: { ok: 'fine', ctl: 'a\u0001b', wide: 'ж' } });
    const out = objectResponseHeaders(rec, new URLSearchParams());
    expect(out['x-amz-meta-ok']).toBe('fine');
    expect(out['x-amz-meta-ctl']).toBeUndefined();
    expect(out['x-amz-meta-wide']).toBeUndefined();
    expect(out['x-amz-missing-meta']).toBe('2');
    // Whatever is kept must be acceptable to the fetch Headers class that builds the Response.
    expect(() => new Headers(out)).not.toThrow();
  });
});
