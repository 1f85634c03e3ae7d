// Hostile request headers: Range, conditional headers, checksums and Content-MD5, x-amz-content-sha256, x-amz-date,
// x-amz-decoded-content-length, Content-Length that disagrees with the body, very long values and very many headers.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildRequest, checkReply, exchange, familySeed, leftoverTempFiles, listAll, md5base64, md5hex, objectPath,
  putObject, runs, send, signedSend, storeDifferences, knownObjects, type KnownObject,
} from '../support/hostile-http.js';
import { useSeededServer } from '../support/seeded-server.js';

const BUCKET = 'hostile-headers';
const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + seed) % 256));
const known: KnownObject[] = knownObjects([
  { bucket: BUCKET, key: 'h/empty', data: Buffer.alloc(0) },
  { bucket: BUCKET, key: 'h/small', data: bytes(10, 1) },
  { bucket: BUCKET, key: 'h/mid', data: bytes(5000, 2) },
  { bucket: BUCKET, key: 'h/big', data: bytes(200_000, 3) },
]);
const etags = new Map<string, string>();
const lastModified = new Map<string, number>();

const server = useSeededServer(known, {
  async seed(port) {
    for (const o of known) {
      etags.set(o.key, md5hex(o.data));
      const head = await signedSend(port, { method: 'HEAD', path: objectPath(o.bucket, o.key) });
      lastModified.set(o.key, Date.parse(head.reply!.headers['last-modified']!));
    }
  },
});

/** The known object's bytes are still exactly what was stored. */
async function unchanged(o: KnownObject): Promise<void> {
  const got = await signedSend(server.port, { method: 'GET', path: objectPath(o.bucket, o.key) });
  expect(got.reply?.status, `${o.key} is still readable`).toBe(200);
  expect(got.reply!.body.equals(o.data), `${o.key} still has its bytes`).toBe(true);
  expect(got.reply!.headers.etag).toBe(`"${etags.get(o.key)}"`);
}

const REPLACEMENT = Buffer.from('replacement bytes that must never be stored');

// ---------------------------------------------------------------------------------------------------------------
// Range

const digits = fc.oneof(
  fc.nat({ max: 250_000 }).map(String),
  fc.constantFrom('0', '00', '007', '4999', '5000', '5001', '199999', '200000', '9007199254740991', '9007199254740993', '99999999999999999999999'),
);

type RangeCase = { header: string; model?: { first?: string; last?: string } };

const rangeCase: fc.Arbitrary<RangeCase> = fc.oneof(
  fc.tuple(digits, digits).map(([a, b]) => ({ header: `bytes=${a}-${b}`, model: { first: a, last: b } })),
  digits.map((a) => ({ header: `bytes=${a}-`, model: { first: a } })),
  digits.map((n) => ({ header: `bytes=-${n}`, model: { last: n } })),
  fc.array(fc.tuple(digits, digits), { minLength: 2, maxLength: 5 }).map((rs) => ({ header: `bytes=${rs.map(([a, b]) => `${a}-${b}`).join(',')}` })),
  fc.constantFrom(
    'bytes=', 'bytes=-', 'bytes=--1', 'bytes=-1-2', 'bytes=1--2', 'bytes=a-b', 'bytes=0x10-0x20', 'bytes=1e3-2e3', 'bytes=1.5-2',
    'bytes=0-1,', 'bytes=,0-1', 'bytes = 0-1', 'bytes=0 - 1', 'Bytes=0-1', 'BYTES=0-1', 'items=0-1', 'bytes 0-1', '0-1', '-1',
    'bytes=0-1;2-3', 'bytes=\t0-1', 'bytes=0-1 ', ' bytes=0-1', 'bytes=٠-١', 'bytes=0-1\u00a0', 'bytes=-0', 'bytes=0-0', 'bytes=-1',
    'bytes=18446744073709551616-', 'bytes=-18446744073709551616', `bytes=${'9'.repeat(400)}-`, `bytes=0-${'9'.repeat(400)}`, 'bytes=1-0',
  ).map((header) => ({ header })),
  fc.string({ maxLength: 30 }).map((s) => ({ header: s })),
  fc.string({ unit: fc.constantFrom('b', 'y', 't', 'e', 's', '=', '-', ',', ' ', '0', '1', '9'), maxLength: 20 }).map((s) => ({ header: s })),
);

/** The status and span RFC 9110 §14 and the GetObject reference give for a single well-formed range. */
function expectedRange(m: { first?: string; last?: string }, size: number): { status: 200 | 206 | 416; start?: number; end?: number } | 'either' {
  if (m.first !== undefined) {
    const first = Number(m.first);
    const last = m.last === undefined ? Infinity : Number(m.last);
    // an invalid range-spec may be ignored (200) or refused (416): RFC 9110 §14.2 allows both
    if (last < first) return 'either';
    if (first >= size) return { status: 416 };
    return { status: 206, start: first, end: Math.min(last, size - 1) };
  }
  const suffix = Number(m.last);
  if (suffix === 0) return { status: 416 };
  if (size === 0) return 'either';
  return { status: 206, start: Math.max(0, size - suffix), end: size - 1 };
}

const printable = (s: string): boolean => /^[\t\x20-\x7e\x80-\xff]*$/.test(s);

// ---------------------------------------------------------------------------------------------------------------
// Conditional headers

function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

const dateValue = (key: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.integer({ min: -3 * 86_400, max: 3 * 86_400 }).map((s) => httpDate(lastModified.get(key)! + s * 1000)),
    fc.constantFrom(0, -1000, 1000, 60_000, -60_000).map((d) => httpDate(lastModified.get(key)! + d)),
    fc.constantFrom('Thu, 01 Jan 1970 00:00:00 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT', 'Mon, 32 Jan 2024 00:00:00 GMT', 'yesterday', '', '0', '-1',
      '2024-01-01T00:00:00Z', 'Sun, 06 Nov 1994 08:49:37 GMT', 'Sunday, 06-Nov-94 08:49:37 GMT', 'Sun Nov  6 08:49:37 1994',
      'Sat, 29 Feb 2025 00:00:00 GMT', 'Tue, 30 Feb 2024 00:00:00 GMT', '99999999999999', 'Thu, 01 Jan 1970 00:00:00 GMT, x'),
    fc.string({ maxLength: 30 }).filter(printable),
  );

const etagValue = (key: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(`"${etags.get(key)}"`, etags.get(key)!, `W/"${etags.get(key)}"`, '*', `"x", "${etags.get(key)}"`, `"${etags.get(key)}",`, ' * ', '"*"'),
    fc.stringMatching(/^[0-9a-f]{32}$/).map((h) => `"${h}"`),
    fc.constantFrom('', '"', '""', 'W/', 'W/""', ',', ',,,', '"a', 'a"', '"a"b"', `"${'x'.repeat(2000)}"`),
    fc.string({ maxLength: 40 }).filter(printable),
  );

interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

function headerList(c: Conditions): [string, string][] {
  const out: [string, string][] = [];
  if (c.ifMatch !== undefined) out.push(['if-match', c.ifMatch]);
  if (c.ifNoneMatch !== undefined) out.push(['if-none-match', c.ifNoneMatch]);
  if (c.ifModifiedSince !== undefined) out.push(['if-modified-since', c.ifModifiedSince]);
  if (c.ifUnmodifiedSince !== undefined) out.push(['if-unmodified-since', c.ifUnmodifiedSince]);
  return out;
}

/** Entity tags of an If-Match / If-None-Match list, when it is one. */
function entityTags(value: string): { star: boolean; tags: { weak: boolean; tag: string }[] } | undefined {
  const v = value.trim();
  if (v === '*') return { star: true, tags: [] };
  const tags: { weak: boolean; tag: string }[] = [];
  for (const part of v.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(W\/)?"([^"]*)"$/.exec(part);
    if (!m) return undefined;
    tags.push({ weak: m[1] !== undefined, tag: m[2]! });
  }
  return tags.length > 0 ? { star: false, tags } : undefined;
}

/** An IMF-fixdate, the form every generator above writes valid dates in; undefined for anything else. */
function imfDate(value: string): number | undefined {
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) || new Date(ms).toUTCString() !== value ? undefined : ms;
}

/**
 * RFC 9110 §13.2.2 evaluation (as the GetObject reference describes it), or undefined when a header is in a form
 * this model does not decide (bare or malformed entity tags, other date formats).
 */
function expectedConditional(c: Conditions, etag: string, modified: number, now: number): 200 | 304 | 412 | undefined {
  const lm = Math.floor(modified / 1000) * 1000;
  if (c.ifMatch !== undefined && c.ifMatch.trim() !== '') {
    const list = entityTags(c.ifMatch);
    if (!list) return undefined;
    if (!list.star && !list.tags.some((x) => !x.weak && x.tag === etag)) return 412;
  } else if (c.ifUnmodifiedSince !== undefined && c.ifUnmodifiedSince.trim() !== '') {
    const d = imfDate(c.ifUnmodifiedSince);
    if (d === undefined && !Number.isNaN(Date.parse(c.ifUnmodifiedSince))) return undefined;
    if (d !== undefined && lm > d) return 412;
  }
  if (c.ifNoneMatch !== undefined && c.ifNoneMatch.trim() !== '') {
    const list = entityTags(c.ifNoneMatch);
    if (!list) return undefined;
    if (list.star || list.tags.some((x) => x.tag === etag)) return 304;
  } else if (c.ifModifiedSince !== undefined && c.ifModifiedSince.trim() !== '') {
    const d = imfDate(c.ifModifiedSince);
    if (d === undefined && !Number.isNaN(Date.parse(c.ifModifiedSince))) return undefined;
    if (d !== undefined && d <= now && lm <= d) return 304;
  }
  return 200;
}

// ---------------------------------------------------------------------------------------------------------------

describe('hostile headers', () => {
  it('Range: random, multi-range, huge and negative ranges on GET and HEAD', async () => {
    const seed = familySeed('headers/range', 4_001);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...known), fc.constantFrom('GET', 'HEAD'), rangeCase, async (obj, method, rc) => {
        const o = await signedSend(server.port, { method, path: objectPath(obj.bucket, obj.key), headers: printable(rc.header) ? [['range', rc.header]] : [] });
        if (!printable(rc.header)) return;
        const reply = checkReply(o, { method, success: [200, 206], codes: ['InvalidRange', 'InvalidArgument', 'InvalidRequest'] });
        if (!reply) return;
        const size = obj.data.length;
        if (reply.status === 200) {
          expect(reply.headers['content-length']).toBe(String(size));
          if (method === 'GET') expect(reply.body.equals(obj.data)).toBe(true);
          expect(reply.headers['content-range']).toBeUndefined();
        } else if (reply.status === 206) {
          const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(reply.headers['content-range'] ?? '');
          expect(m, 'Content-Range on a 206').not.toBeNull();
          const [start, end, total] = [Number(m![1]), Number(m![2]), Number(m![3])];
          expect(total).toBe(size);
          expect(start).toBeLessThanOrEqual(end);
          expect(end).toBeLessThan(size);
          expect(reply.headers['content-length']).toBe(String(end - start + 1));
          if (method === 'GET') expect(reply.body.equals(obj.data.subarray(start, end + 1))).toBe(true);
        } else if (reply.status === 416) {
          expect(reply.code ?? 'InvalidRange').toBe('InvalidRange');
        }
        if (rc.model) {
          const want = expectedRange(rc.model, size);
          if (want !== 'either') {
            expect(reply.status, `${rc.header} on ${size} bytes`).toBe(want.status);
            if (want.status === 206) expect(reply.headers['content-range']).toBe(`bytes ${want.start}-${want.end}/${size}`);
          }
        }
      }),
      { seed, numRuns: runs(600) },
    );
  }, 60_000);

  it('conditional GET and HEAD: If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since', async () => {
    const seed = familySeed('headers/conditional-read', 4_002);
    const conditions = (key: string): fc.Arbitrary<Conditions> =>
      fc.record({
        ifMatch: fc.option(etagValue(key), { nil: undefined }),
        ifNoneMatch: fc.option(etagValue(key), { nil: undefined }),
        ifModifiedSince: fc.option(dateValue(key), { nil: undefined }),
        ifUnmodifiedSince: fc.option(dateValue(key), { nil: undefined }),
      });
    const perObject = known.map((obj) => fc.tuple(fc.constant(obj), fc.constantFrom('GET', 'HEAD'), conditions(obj.key)));
    const arb = fc.oneof(...perObject);
    await fc.assert(
      fc.asyncProperty(arb, async ([obj, method, c]) => {
        const o = await signedSend(server.port, { method, path: objectPath(obj.bucket, obj.key), headers: headerList(c) });
        const reply = checkReply(o, { method, success: [200, 304], codes: ['PreconditionFailed'] });
        if (!reply) return;
        if (reply.status === 200 && method === 'GET') expect(reply.body.equals(obj.data)).toBe(true);
        if (reply.status === 304) {
          expect(reply.body.length).toBe(0);
          expect(reply.headers.etag).toBe(`"${etags.get(obj.key)}"`);
        }
        const want = expectedConditional(c, etags.get(obj.key)!, lastModified.get(obj.key)!, Date.now());
        if (want !== undefined) expect(reply.status, JSON.stringify(c)).toBe(want);
      }),
      { seed, numRuns: runs(800) },
    );
  }, 60_000);

  it('conditional PUT with a failing If-Match / If-None-Match never overwrites', async () => {
    // (An If-None-Match naming another ETag holds: such a write succeeds and the object is put back.)
    const seed = familySeed('headers/conditional-write', 4_003);
    const failing = fc.oneof(
      fc.record({ ifMatch: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/).map((h) => `"${h}"`), fc.constantFrom('', '"', 'W/"x"', '""', ',', `"${'0'.repeat(32)}"`), fc.string({ maxLength: 20 }).filter((s) => printable(s) && s.trim() !== '*' && s.trim() !== '')) }),
      fc.record({ ifNoneMatch: fc.oneof(fc.constantFrom('*', ' *', '* ', '"*"', 'W/*', '**', ''), fc.string({ maxLength: 20 }).filter(printable)) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...known), failing, fc.boolean(), async (obj, cond, withMatch) => {
        const headers: [string, string][] = Object.entries(cond).map(([k, v]) => [k === 'ifMatch' ? 'if-match' : 'if-none-match', v as string]);
        // an If-Match that would hold cannot rescue a failing If-None-Match
        if (withMatch && 'ifNoneMatch' in cond) headers.push(['if-match', `"${etags.get(obj.key)}"`]);
        const o = await signedSend(server.port, { method: 'PUT', path: objectPath(obj.bucket, obj.key), headers, body: REPLACEMENT });
        // If-None-Match holds unless it is `*` (quoted or not) or the object's own ETag: then the write goes ahead.
        const bare = 'ifNoneMatch' in cond ? cond.ifNoneMatch.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1') : undefined;
        const holds = bare !== undefined && bare !== '*' && bare !== etags.get(obj.key);
        const reply = checkReply(o, { method: 'PUT', success: holds ? [200] : [] });
        if (reply?.status === 200) {
          await putObject(server.port, obj.bucket, obj.key, obj.data);
          return;
        }
        await unchanged(obj);
      }),
      { seed, numRuns: runs(300) },
    );
  }, 60_000);

  it('checksum headers, Content-MD5 and x-amz-sdk-checksum-algorithm that do not match the body never store it', async () => {
    const seed = familySeed('headers/checksums', 4_004);
    const algo = fc.constantFrom('crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256');
    const sizes: Record<string, number> = { crc32: 4, crc32c: 4, crc64nvme: 8, sha1: 20, sha256: 32 };
    const wrongValue = (a: string): fc.Arbitrary<string> =>
      fc.oneof(
        fc.uint8Array({ minLength: sizes[a], maxLength: sizes[a] }).map((b) => Buffer.from(b).toString('base64')),
        fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')),
        fc.constantFrom('', '=', 'AAAAAA', 'AAAAAA===', '****', 'AAAA AA==', 'not base64', '\t', 'AAAAAA==,AAAAAA=='),
        fc.string({ maxLength: 30 }).filter(printable),
      );
    const wrong: fc.Arbitrary<[string, string][]> = fc.oneof(
      algo.chain((a) => wrongValue(a).map((v): [string, string][] => [[`x-amz-checksum-${a}`, v]])),
      fc.oneof(
        fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64')),
        fc.constantFrom('', 'AAAA', md5base64('other'), createHash('md5').update(REPLACEMENT).digest('hex'), `${md5base64(REPLACEMENT)}x`),
        fc.string({ maxLength: 30 }).filter(printable),
      ).map((v): [string, string][] => [['content-md5', v]]),
      fc.tuple(fc.string({ unit: fc.constantFrom('a', 'b', 'c', '1', '-', '_'), minLength: 1, maxLength: 10 }), fc.string({ maxLength: 10 }).filter(printable))
        .filter(([n]) => !['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256', 'algorithm', 'type', 'mode'].includes(n))
        .map(([n, v]): [string, string][] => [[`x-amz-checksum-${n}`, v]]),
      fc.tuple(algo, algo).filter(([a, b]) => a !== b).map(([a, b]): [string, string][] => [[`x-amz-checksum-${a}`, 'AAAAAA=='], [`x-amz-checksum-${b}`, 'AAAAAA==']]),
      fc.oneof(algo, fc.string({ maxLength: 12 }).filter(printable)).map((v): [string, string][] => [['x-amz-sdk-checksum-algorithm', v]]),
      fc.oneof(algo.map((a) => `x-amz-checksum-${a}`), fc.string({ maxLength: 20 }).filter((s) => printable(s) && s.trim() !== '')).map((v): [string, string][] => [['x-amz-trailer', v]]),
    );
    const extras: fc.Arbitrary<[string, string][]> = fc.array(
      fc.oneof(
        fc.tuple(fc.constant('x-amz-sdk-checksum-algorithm'), fc.oneof(algo, algo.map((a) => a.toUpperCase()))),
        fc.tuple(fc.constantFrom('x-amz-checksum-algorithm', 'x-amz-checksum-type', 'x-amz-checksum-mode'), fc.string({ maxLength: 10 }).filter(printable)),
      ),
      { maxLength: 2 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...known), wrong, extras, async (obj, bad, extra) => {
        const seen = new Set(bad.map(([n]) => n));
        const headers = [...bad, ...extra.filter(([n]) => !seen.has(n))];
        const o = await signedSend(server.port, { method: 'PUT', path: objectPath(obj.bucket, obj.key), headers, body: REPLACEMENT });
        checkReply(o, { method: 'PUT', codes: ['BadDigest', 'InvalidDigest', 'InvalidRequest', 'InvalidArgument', 'MalformedTrailerError'] });
        await unchanged(obj);
      }),
      { seed, numRuns: runs(400) },
    );
  }, 60_000);

  it('x-amz-content-sha256 that is not the body hash, and x-amz-date that is not the signed date, never store the body', async () => {
    const seed = familySeed('headers/sha256-date', 4_005);
    const sha = fc.oneof(
      fc.stringMatching(/^[0-9a-f]{64}$/),
      fc.stringMatching(/^[0-9A-F]{64}$/),
      fc.constantFrom(
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD', 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER', 'unsigned-payload', 'UNSIGNED-PAYLOAD ',
        ' UNSIGNED-PAYLOAD', 'UNSIGNED_PAYLOAD', '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        createHash('sha256').update(REPLACEMENT).digest('hex').slice(1), `${createHash('sha256').update(REPLACEMENT).digest('hex')}0`,
        createHash('sha256').update(REPLACEMENT).digest('base64'),
      ),
      fc.string({ maxLength: 70 }).filter((s) => printable(s) && s.trim() !== 'UNSIGNED-PAYLOAD'),
    );
    const amzDate = fc.oneof(
      fc.constantFrom('', '0', '20240101T000000Z', '19700101T000000Z', '99991231T235959Z', '20241301T000000Z', '20240230T000000Z',
        '20240101T250000Z', '20240101T000000', '2024-01-01T00:00:00Z', 'Mon, 01 Jan 2024 00:00:00 GMT', '20240101t000000z', ' 20240101T000000Z'),
      fc.integer({ min: -100_000, max: 100_000 }).filter((s) => s !== 0).map((s) => ({ offset: s })),
      fc.string({ maxLength: 20 }).filter(printable),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...known), fc.oneof(sha.map((s) => ({ sha: s })), amzDate.map((d) => ({ date: d }))), async (obj, c) => {
        // signed now, sent with another x-amz-date (a fixed string or the signing time moved by whole seconds)
        const now = new Date(Math.floor(Date.now() / 1000) * 1000);
        const spec = 'sha' in c
          ? { payloadHash: c.sha }
          : {
            date: now,
            sentAmzDate: typeof c.date === 'string' ? c.date : new Date(now.getTime() + c.date.offset * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''),
          };
        const o = await signedSend(server.port, { method: 'PUT', path: objectPath(obj.bucket, obj.key), body: REPLACEMENT, ...spec });
        checkReply(o, {
          method: 'PUT',
          codes: ['XAmzContentSHA256Mismatch', 'InvalidArgument', 'InvalidRequest', 'IncompleteBody', 'SignatureDoesNotMatch', 'AccessDenied',
            'RequestTimeTooSkewed', 'AuthorizationHeaderMalformed', 'NotImplemented', 'MalformedTrailerError', 'InvalidDigest', 'BadDigest'],
        });
        await unchanged(obj);
      }),
      { seed, numRuns: runs(400) },
    );
  }, 60_000);

  it('x-amz-decoded-content-length that disagrees with a plain body: refused, or the body stored exactly', async () => {
    const seed = familySeed('headers/decoded-length', 4_006);
    const value = fc.oneof(
      fc.nat({ max: 100 }).map(String),
      fc.constantFrom('', '-1', '+5', '1e2', '0x10', ' 5', '5 ', '99999999999999999999', '5368709121', '18446744073709551616', 'abc', '5,5'),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 60 }), value, fc.constantFrom(...known), async (body, decoded, obj) => {
        const data = Buffer.from(body);
        const victim = `decoded/${n++}`;
        const o = await signedSend(server.port, { method: 'PUT', path: objectPath(BUCKET, victim), body: data, headers: [['x-amz-decoded-content-length', decoded]] });
        const reply = checkReply(o, { method: 'PUT', success: [200] });
        const got = await signedSend(server.port, { method: 'GET', path: objectPath(BUCKET, victim) });
        if (reply?.status === 200) {
          expect(got.reply?.body.equals(data)).toBe(true);
          await signedSend(server.port, { method: 'DELETE', path: objectPath(BUCKET, victim) });
        } else {
          expect(got.reply?.status).toBe(404);
        }
        // the same header on a known object: a refusal must leave it alone
        const again = await signedSend(server.port, { method: 'PUT', path: objectPath(obj.bucket, obj.key), body: REPLACEMENT, headers: [['x-amz-decoded-content-length', decoded]] });
        const r2 = checkReply(again, { method: 'PUT', success: [200] });
        if (r2?.status === 200) await putObject(server.port, obj.bucket, obj.key, obj.data);
        else await unchanged(obj);
      }),
      { seed, numRuns: runs(150) },
    );
  }, 60_000);

  it('Content-Length smaller than the body: the announced bytes are the request, the rest is not', async () => {
    const seed = familySeed('headers/short-content-length', 4_007);
    const expected = new Map<string, Buffer>();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 3000 }), fc.nat(), async (body, cut) => {
        const data = Buffer.from(body);
        const announced = cut % data.length;
        const key = `short/${expected.size}`;
        expected.set(key, data.subarray(0, announced));
        const req = buildRequest(server.port, { method: 'PUT', path: objectPath(BUCKET, key), body: data, payloadHash: 'UNSIGNED-PAYLOAD', contentLength: announced });
        const o = await send(server.port, req);
        // the leftover bytes are a malformed next request: Node may answer that with 400 and close first
        const reply = checkReply(o, { method: 'PUT', success: [200], httpLayer: true });
        if (reply?.status === 200) {
          const got = await signedSend(server.port, { method: 'GET', path: objectPath(BUCKET, key) });
          expect(got.reply?.body.equals(data.subarray(0, announced))).toBe(true);
        }
      }),
      { seed, numRuns: runs(120) },
    );
    // a PUT whose reply was pre-empted may still complete: let in-flight writes land, then whatever was stored
    // must be exactly the announced bytes
    await leftoverTempFiles(server.t.dataDir, 5000);
    await new Promise((r) => setTimeout(r, 300));
    for (const entry of await listAll(server.port, BUCKET, 'short/')) {
      const got = await signedSend(server.port, { method: 'GET', path: objectPath(BUCKET, entry.key) });
      expect(got.reply?.body.equals(expected.get(entry.key)!), entry.key).toBe(true);
      await signedSend(server.port, { method: 'DELETE', path: objectPath(BUCKET, entry.key) });
    }
    expect(await storeDifferences(server.port, server.before, known)).toEqual([]);
  }, 60_000);

  it('Content-Length larger than the body, then the client stops sending: no object, no temp file', async () => {
    const seed = familySeed('headers/long-content-length', 4_008);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 100_000 }), fc.boolean(), fc.constantFrom(...known, null), async (body, extra, signedHash, obj) => {
        const data = Buffer.from(body);
        const key = obj?.key ?? `long/${n++}`;
        const req = buildRequest(server.port, {
          method: 'PUT', path: objectPath(BUCKET, key), body: data, contentLength: data.length + extra,
          payloadHash: signedHash ? createHash('sha256').update(data).digest('hex') : 'UNSIGNED-PAYLOAD',
        });
        const o = await exchange(server.port, (socket) => {
          socket.write(Buffer.concat([req.head, req.body]));
          socket.end(); // half-close: the announced length can never arrive
        });
        checkReply(o, { method: 'PUT', mayClose: true, httpLayer: true, codes: ['IncompleteBody', 'RequestTimeout'] });
        expect(await leftoverTempFiles(server.t.dataDir)).toEqual([]);
        if (obj) await unchanged(obj);
        else expect((await signedSend(server.port, { method: 'HEAD', path: objectPath(BUCKET, key) })).reply?.status).toBe(404);
      }),
      { seed, numRuns: runs(100) },
    );
  }, 60_000);

  it('hostile Authorization headers and presigning parameters never read or write an object', async () => {
    const seed = familySeed('headers/auth', 4_010);
    const hex = (n: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
    const component = fc.oneof(
      fc.record({ part: fc.constant('access'), value: fc.constantFrom('', 'nobody', 'testaccesskey ', 'TESTACCESSKEY', '\u00e9', 'a'.repeat(200)) }),
      fc.record({ part: fc.constant('date'), value: fc.constantFrom('', '2024', '20240230', '99999999', 'abcdefgh', '2024-01-01') }),
      fc.record({ part: fc.constant('region'), value: fc.constantFrom('', 'us-west-2', 'US-EAST-1', '*', ' us-east-1') }),
      fc.record({ part: fc.constant('service'), value: fc.constantFrom('', 's3 ', 'S3', 'ec2', 's3/extra') }),
      fc.record({ part: fc.constant('terminal'), value: fc.constantFrom('', 'aws4_requests', 'AWS4_REQUEST', 'aws4_request/x') }),
      fc.record({ part: fc.constant('signed-headers'), value: fc.constantFrom('', 'host', 'x-amz-date', 'HOST;X-AMZ-DATE;X-AMZ-CONTENT-SHA256', 'host;;x-amz-date', ';', 'host;x-amz-content-sha256;x-amz-date;missing', 'x-amz-date;host;x-amz-content-sha256') }),
      fc.record({ part: fc.constant('signature'), value: fc.oneof(hex(64), hex(63), hex(65), fc.constantFrom('', 'Z'.repeat(64), 'x', '0'.repeat(64).toUpperCase())) }),
      fc.record({ part: fc.constant('separators'), value: fc.constantFrom(';', ' ', '=', '==') }),
    );
    const authorization = fc.oneof(
      fc.string({ maxLength: 60 }).filter(printable),
      fc.constantFrom('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA256 ', 'AWS4-HMAC-SHA256Credential=x', 'AWS ', 'AWS :', 'AWS testaccesskey:', 'AWS :sig',
        'AWS testaccesskey:c2lnbmF0dXJl', 'AWS4-ECDSA-P256-SHA256 Credential=x', 'Bearer token', 'Basic dGVzdDp0ZXN0', 'aws4-hmac-sha256 Credential=x',
        'AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=', 'AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=host, Signature=00'),
      fc.array(component, { minLength: 1, maxLength: 3 }).map((parts) => ({ parts })),
    );
    const presign = fc.array(
      fc.tuple(
        fc.constantFrom('X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'AWSAccessKeyId', 'Signature', 'Expires', 'x-amz-security-token', 'X-Amz-Content-Sha256'),
        fc.oneof(fc.constantFrom('', 'AWS4-HMAC-SHA256', 'testaccesskey/20240101/us-east-1/s3/aws4_request', '20240101T000000Z', '604801', '99999999999', '-1', 'host', 'testaccesskey', '0', '4102444800', '999999999999', '9999999999999'), fc.string({ maxLength: 20 })),
      ),
      { minLength: 1, maxLength: 6 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...known), fc.constantFrom('GET', 'PUT', 'HEAD'), fc.oneof(authorization.map((a) => ({ a })), presign.map((q) => ({ q }))), async (obj, method, c) => {
        const body = method === 'PUT' ? REPLACEMENT : undefined;
        let spec;
        if ('q' in c) {
          spec = { method, path: objectPath(obj.bucket, obj.key), body, anonymous: true, query: c.q.map(([name, value]) => ({ name, value })) };
        } else if (typeof c.a === 'string') {
          spec = { method, path: objectPath(obj.bucket, obj.key), body, anonymous: true, unsignedHeaders: [['authorization', c.a]] as [string, string][] };
        } else {
          // a valid header with some of its components replaced
          const valid = /authorization: ([^\r]+)/.exec(buildRequest(server.port, { method, path: objectPath(obj.bucket, obj.key), body }).head.toString('latin1'))![1]!;
          let header = valid;
          for (const { part, value } of c.a.parts) {
            const m = /^AWS4-HMAC-SHA256 Credential=([^/]*)\/([^/]*)\/([^/]*)\/([^/]*)\/([^,]*), SignedHeaders=([^,]*), Signature=(.*)$/.exec(header);
            if (!m) break;
            const [, access, date, region, service, terminal, signed, signature] = m;
            const parts = { access, date, region, service, terminal, 'signed-headers': signed, signature, separators: undefined } as Record<string, string | undefined>;
            if (part === 'separators') header = header.replace(', ', value);
            else {
              parts[part] = value;
              header = `AWS4-HMAC-SHA256 Credential=${parts.access}/${parts.date}/${parts.region}/${parts.service}/${parts.terminal}, SignedHeaders=${parts['signed-headers']}, Signature=${parts.signature}`;
            }
          }
          if (header === valid) return;
          spec = { method, path: objectPath(obj.bucket, obj.key), body, anonymous: true, unsignedHeaders: [['authorization', header]] as [string, string][] };
        }
        // the same x-amz-date and x-amz-content-sha256 a signed request carries
        const o = await signedSend(server.port, spec);
        const reply = checkReply(o, {
          method,
          codes: ['AccessDenied', 'SignatureDoesNotMatch', 'InvalidAccessKeyId', 'AuthorizationHeaderMalformed', 'AuthorizationQueryParametersError',
            'InvalidArgument', 'InvalidRequest', 'NotImplemented', 'RequestTimeTooSkewed', 'ExpiredToken', 'InvalidToken', 'XAmzContentSHA256Mismatch'],
        });
        if (method !== 'HEAD') expect(reply?.code).toBeDefined();
        if (method === 'PUT') await unchanged(obj);
      }),
      { seed, numRuns: runs(400) },
    );
  }, 60_000);

  it('a signed request whose Authorization header is sent twice is refused; other repeated headers are not', async () => {
    const o = known.find((k) => k.key === 'h/small')!;
    const path = objectPath(o.bucket, o.key);
    const valid = /authorization: ([^\r]+)/.exec(buildRequest(server.port, { method: 'GET', path }).head.toString('latin1'))![1]!;
    for (const method of ['GET', 'HEAD'] as const) {
      const twice = checkReply(await signedSend(server.port, { method, path, unsignedHeaders: [['authorization', valid]] }), { method, codes: ['InvalidArgument'] });
      expect(twice?.status, `${method} with two Authorization headers`).toBe(400);
      if (method === 'GET') expect(twice?.body.toString()).toContain('Only one Authorization header may be specified');
      const repeated = await signedSend(server.port, { method, path, unsignedHeaders: [['accept', '*/*'], ['accept', 'text/plain']] });
      expect(repeated.reply?.status, `${method} with a repeated Accept header`).toBe(200);
    }
  });

  it('metadata, tagging, storage class, ACL and encryption headers on PutObject: refused, or stored and served intact', async () => {
    const seed = familySeed('headers/object-metadata', 4_011);
    const key32 = Buffer.alloc(32, 9).toString('base64');
    const md5Of = (b64: string): string => createHash('md5').update(Buffer.from(b64, 'base64')).digest('base64');
    const value = fc.oneof(
      fc.string({ maxLength: 30 }).filter(printable),
      fc.constantFrom('', ' ', '\t', 'é', '\u00ff', 'a=b&c=d', '%', '%ZZ', '=', '&', 'k=v'.repeat(20), 'x'.repeat(2100)),
    );
    const header = fc.oneof(
      fc.tuple(fc.stringMatching(/^x-amz-meta-[a-z0-9-]{0,12}$/), value),
      fc.tuple(fc.constantFrom('x-amz-tagging'), fc.oneof(value, fc.array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), { maxLength: 12 }).map((kv) => new URLSearchParams(kv).toString()))),
      fc.tuple(fc.constantFrom('x-amz-storage-class'), fc.oneof(fc.constantFrom('STANDARD', 'REDUCED_REDUNDANCY', 'GLACIER', 'STANDARD_IA', 'EXPRESS_ONEZONE', 'standard', ''), value)),
      fc.tuple(fc.constantFrom('x-amz-acl'), fc.oneof(fc.constantFrom('private', 'public-read', 'public-read-write', 'authenticated-read', 'bucket-owner-full-control', 'log-delivery-write', 'PRIVATE'), value)),
      fc.tuple(fc.constantFrom('x-amz-grant-read', 'x-amz-grant-full-control', 'x-amz-website-redirect-location', 'x-amz-object-lock-mode', 'x-amz-object-lock-retain-until-date', 'x-amz-object-lock-legal-hold', 'x-amz-request-payer', 'x-amz-expected-bucket-owner'), value),
      fc.tuple(fc.constantFrom('content-type', 'content-encoding', 'content-disposition', 'content-language', 'cache-control', 'expires'), value),
      fc.tuple(fc.constantFrom('x-amz-server-side-encryption'), fc.oneof(fc.constantFrom('AES256', 'aws:kms', 'aws:kms:dsse', 'aes256', ''), value)),
      fc.tuple(fc.constantFrom('x-amz-server-side-encryption-aws-kms-key-id', 'x-amz-server-side-encryption-context', 'x-amz-server-side-encryption-bucket-key-enabled'), value),
      fc.tuple(fc.constantFrom('x-amz-server-side-encryption-customer-algorithm'), fc.oneof(fc.constantFrom('AES256', 'aes256', 'AES128', ''), value)),
      fc.tuple(fc.constantFrom('x-amz-server-side-encryption-customer-key'), fc.oneof(fc.constantFrom(key32, Buffer.alloc(16, 1).toString('base64'), '', '****'), value)),
      fc.tuple(fc.constantFrom('x-amz-server-side-encryption-customer-key-md5'), fc.oneof(fc.constantFrom(md5Of(key32), md5Of(''), '', 'AAAA'), value)),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(header, { selector: ([name]) => name, minLength: 1, maxLength: 5 }), fc.uint8Array({ maxLength: 100 }), async (headers, body) => {
        const key = `meta/${n++}`;
        const data = Buffer.from(body);
        const o = await signedSend(server.port, { method: 'PUT', path: objectPath(BUCKET, key), headers, body: data });
        const reply = checkReply(o, { method: 'PUT', success: [200] });
        const sseC = headers.filter(([name]) => name.startsWith('x-amz-server-side-encryption-customer-'));
        const got = await signedSend(server.port, { method: 'GET', path: objectPath(BUCKET, key), headers: sseC });
        if (reply?.status !== 200) {
          expect(got.reply?.status, 'a refused PUT stores nothing').toBe(404);
          return;
        }
        const read = checkReply(got, { method: 'GET', success: [200] });
        expect(read?.status).toBe(200);
        expect(read!.body.equals(data), 'stored bytes').toBe(true);
        const headReply = checkReply(await signedSend(server.port, { method: 'HEAD', path: objectPath(BUCKET, key), headers: sseC }), { method: 'HEAD', success: [200] });
        expect(headReply?.headers['content-length']).toBe(String(data.length));
        for (const [name, v] of headers) {
          if (name.startsWith('x-amz-meta-') && name.length > 'x-amz-meta-'.length && /^[\t\x20-\x7e]*$/.test(v)) {
            expect(headReply?.headers[name], `${name} is served back`).toBe(v.trim());
          }
        }
        await signedSend(server.port, { method: 'DELETE', path: objectPath(BUCKET, key) });
      }),
      { seed, numRuns: runs(250) },
    );
    expect(await storeDifferences(server.port, server.before, known)).toEqual([]);
  }, 60_000);

  it('very long header values and very many headers', async () => {
    const seed = familySeed('headers/size', 4_009);
    const longValue = fc.constantFrom(100, 1000, 2047, 2048, 2049, 4000, 8000, 12_000, 15_000, 17_000, 65_536, 100_000).chain((len) =>
      fc.constantFrom('a', '0', 'é', ' ', ',').map((c) => c.repeat(c === 'é' ? Math.ceil(len / 2) : len)));
    const target = fc.constantFrom(...known);
    const shape = fc.oneof(
      fc.tuple(fc.constantFrom('x-custom', 'x-amz-meta-big', 'range', 'if-match', 'if-none-match', 'content-type', 'content-md5', 'x-amz-checksum-crc32', 'x-amz-tagging', 'cache-control', 'authorization-extra'), longValue)
        .map(([name, value]) => ({ headers: [[name, value]] as [string, string][], signedToo: name.startsWith('x-amz-') })),
      fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('x-h-', 'x-amz-meta-m', 'range', 'if-match', 'content-md5'), fc.nat({ max: 40 })).map(([count, prefix, len]) => ({
        headers: Array.from({ length: count }, (_, i): [string, string] => [prefix.endsWith('-') || prefix.endsWith('m') ? `${prefix}${i}` : prefix, 'v'.repeat(len)]),
        signedToo: prefix.startsWith('x-amz-'),
      })),
    );
    await fc.assert(
      fc.asyncProperty(target, fc.constantFrom('GET', 'HEAD', 'PUT'), shape, async (obj, method, s) => {
        const spec = {
          method, path: objectPath(obj.bucket, obj.key), body: method === 'PUT' ? REPLACEMENT : undefined,
          ...(s.signedToo ? { headers: s.headers } : { unsignedHeaders: s.headers }),
        };
        const o = await signedSend(server.port, spec);
        const reply = checkReply(o, { method, success: method === 'PUT' ? [200] : [200, 206, 304], httpLayer: true });
        if (method === 'PUT' && reply?.status === 200) {
          await putObject(server.port, obj.bucket, obj.key, obj.data);
          return;
        }
        if (method === 'PUT') await unchanged(obj);
      }),
      { seed, numRuns: runs(150) },
    );
  }, 60_000);
});
