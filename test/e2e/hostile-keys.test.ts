// Hostile object keys and bucket names: control characters, invalid UTF-8 escapes, lone surrogates, keys at and past
// 1,024 bytes, '.', '..' and '//' segments, NUL, very long paths, random bucket names, and hostile copy sources.
// Accepted keys must round-trip exactly (GET, HEAD, listing, an equivalent spelling of the same path, DELETE).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkReply, familySeed, listAll, listBuckets, objectPath, runs, signedSend, storeDifferences, uriEncode,
  knownObjects, type KnownObject,
} from '../support/hostile-http.js';
import { useSeededServer } from '../support/seeded-server.js';

const BUCKET = 'hostile-keys';
const known: KnownObject[] = knownObjects([
  { bucket: BUCKET, key: 'k', data: Buffer.from('single letter') },
  { bucket: BUCKET, key: 'dir/file', data: Buffer.from('in a folder') },
  { bucket: BUCKET, key: 'a/../b', data: Buffer.from('dot-dot segment') },
  { bucket: BUCKET, key: 'ünï/çødé', data: Buffer.from('unicode') },
]);

const server = useSeededServer(known);

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');
const bytewise = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

// ---------------------------------------------------------------------------------------------------------------
// Key generators

const specialPiece = fc.constantFrom(
  '.', '..', '/', '//', '/./', '/../', './', '../', ' ', '  ', '+', '%', '%25', '%2F', '?', '#', '&', '=', ';', ':', '@', '!', '$', "'",
  '(', ')', '*', ',', '[', ']', '{', '}', '|', '\\', '^', '`', '"', '<', '>', '~', '\u0000', '\u0001', '\u0007', '\t', '\n', '\r', '\u001b',
  '\u001f', '\u007f', '\u0080', '\u009f', '\u00a0', 'é', 'e\u0301', '\u200b', '\u200d', '\u202e', '\u2028', '\ufeff', '\ufffd', '\uffff',
  '\ufffe', '日本', '😀', '👩‍👩‍👧', '\u{10ffff}', '\u{1d11e}', 'soap', 'null', 'CON', 'nul', 'aux.txt',
);
const keyString = fc
  .array(fc.oneof({ arbitrary: specialPiece, weight: 3 }, { arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }), weight: 2 }, { arbitrary: fc.string({ unit: 'binary', maxLength: 4 }), weight: 1 }), { minLength: 1, maxLength: 10 })
  .map((parts) => parts.join(''))
  // lone surrogates have no UTF-8 form; they are sent as raw escapes by another property
  .filter((k) => k !== '' && !/\p{Cs}/u.test(k) && utf8Length(k) <= 1024);

/** A key of exactly `n` UTF-8 bytes built from 1-, 2-, 3- and 4-byte characters. */
const keyOfLength = (n: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom('a', 'é', '€', '😀', '/', '.', ' '), { minLength: 1, maxLength: 40 }).map((alphabet) => {
    let s = '';
    let i = 0;
    while (utf8Length(s) < n) {
      const c = alphabet[i++ % alphabet.length]!;
      s += utf8Length(s) + utf8Length(c) <= n ? c : 'a';
    }
    return s;
  });

const boundaryKey = fc.oneof(
  fc.constantFrom(1, 2, 1000, 1022, 1023, 1024).chain(keyOfLength),
  fc.constantFrom(1025, 1026, 1027, 1028, 2048, 4096, 8000).chain(keyOfLength),
);

/** Raw path escapes that are not UTF-8 (or not escapes at all), with what S3 answers for them. */
const badEscape = fc.constantFrom(
  '%C3%28', '%ED%A0%80', '%ED%BF%BF', '%ED%A0%80%ED%B0%80', '%F4%90%80%80', '%C0%AF', '%C0%80', '%E0%80%AF', '%F0%80%80%AF', '%FF', '%FE',
  '%80', '%BF', '%C3', '%E2%82', '%F0%9F%98', '%F8%88%80%80%80', '%c3%28', '%ed%a0%80',
);
const brokenPercent = fc.constantFrom('%', '%G1', '%2', '%%', '%%41', '%-1', '%zz', '% 1');

// ---------------------------------------------------------------------------------------------------------------

/** Everything S3 must do with a key it accepts: the exact bytes back, in the listing, under another spelling, gone after DELETE. */
async function roundTrip(key: string, data: Buffer): Promise<void> {
  const path = objectPath(BUCKET, key);
  const got = await signedSend(server.port, { method: 'GET', path });
  expect(got.reply?.status, 'GET').toBe(200);
  expect(got.reply!.body.equals(data), 'GET bytes').toBe(true);
  const head = await signedSend(server.port, { method: 'HEAD', path });
  expect(head.reply?.status, 'HEAD').toBe(200);
  expect(head.reply!.headers['content-length']).toBe(String(data.length));
  // the same key spelled with lower-case escapes and unescaped sub-delimiters
  const alt = `/${BUCKET}/${[...Buffer.from(key, 'utf8')].map((b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/.test(c) && b < 0x80 ? c : `%${b.toString(16).padStart(2, '0')}`;
  }).join('')}`;
  const viaAlt = await signedSend(server.port, { method: 'GET', path: alt });
  expect(viaAlt.reply?.status, `GET ${alt}`).toBe(200);
  expect(viaAlt.reply!.body.equals(data)).toBe(true);
  // listing under the key as a prefix: the key itself, plus any known keys that start with it
  const listed = (await listAll(server.port, BUCKET, key)).map((e) => e.key);
  const expected = [key, ...known.map((o) => o.key).filter((k) => k.startsWith(key) && k !== key)].sort(bytewise);
  expect(listed, 'listing with the key as prefix').toEqual(expected);
  const del = await signedSend(server.port, { method: 'DELETE', path });
  expect(del.reply?.status, 'DELETE').toBe(204);
  const gone = await signedSend(server.port, { method: 'HEAD', path });
  expect(gone.reply?.status, 'HEAD after DELETE').toBe(404);
}

/** The AWS general purpose bucket naming rules. */
function validBucketName(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)
    && !name.includes('..')
    && !name.includes('.-')
    && !name.includes('-.')
    && !/^\d{1,3}(\.\d{1,3}){3}$/.test(name)
    && !['xn--', 'sthree-', 'amzn-s3-demo-'].some((p) => name.startsWith(p))
    && !['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].some((s) => name.endsWith(s));
}

describe('hostile keys and bucket names', () => {
  it('keys made of control characters, dot segments, slashes, unicode: accepted keys round-trip exactly', async () => {
    const seed = familySeed('keys/round-trip', 5_001);
    await fc.assert(
      fc.asyncProperty(keyString, fc.uint8Array({ maxLength: 64 }), async (key, body) => {
        if (known.some((o) => o.key === key)) return;
        const data = Buffer.from(body);
        const o = await signedSend(server.port, { method: 'PUT', path: objectPath(BUCKET, key), body: data });
        const reply = checkReply(o, { method: 'PUT', success: [200], codes: ['InvalidURI', 'InvalidArgument'] });
        if (reply?.status === 200) await roundTrip(key, data);
        // A key holding U+0000 is refused by every operation (no stored key can hold it); others are simply absent.
        else expect((await signedSend(server.port, { method: 'HEAD', path: objectPath(BUCKET, key) })).reply?.status).toBe(key.includes('\0') ? 400 : 404);
      }),
      { seed, numRuns: runs(200) },
    );
    expect(await storeDifferences(server.port, server.before, known)).toEqual([]);
  }, 60_000);

  it('keys of 1,024 bytes are accepted and keys of 1,025 bytes and more are KeyTooLongError', async () => {
    const seed = familySeed('keys/length', 5_002);
    await fc.assert(
      fc.asyncProperty(boundaryKey, async (key) => {
        const size = utf8Length(key);
        const data = Buffer.from(`${size} bytes`);
        // Node refuses request heads over 16 KiB itself (431)
        const httpLayer = objectPath(BUCKET, key).length > 8000;
        const o = await signedSend(server.port, { method: 'PUT', path: objectPath(BUCKET, key), body: data });
        if (size <= 1024) {
          checkReply(o, { method: 'PUT', success: [200] });
          expect(o.reply?.status).toBe(200);
          await roundTrip(key, data);
        } else {
          const reply = checkReply(o, { method: 'PUT', codes: ['KeyTooLongError'], httpLayer });
          if (!reply?.httpLayer) expect(reply?.code).toBe('KeyTooLongError');
          for (const method of ['GET', 'HEAD', 'DELETE']) {
            const r = await signedSend(server.port, { method, path: objectPath(BUCKET, key) });
            checkReply(r, { method, codes: ['KeyTooLongError', 'NoSuchKey'], success: method === 'DELETE' ? [204] : [], httpLayer });
          }
          const mp = await signedSend(server.port, { method: 'POST', path: objectPath(BUCKET, key), query: [{ name: 'uploads', value: null }] });
          checkReply(mp, { method: 'POST', codes: ['KeyTooLongError'], httpLayer });
        }
      }),
      { seed, numRuns: runs(100) },
    );
    expect(await storeDifferences(server.port, server.before, known)).toEqual([]);
  }, 60_000);

  it('invalid UTF-8 escapes and lone surrogates in the key are InvalidURI for every method, and store nothing', async () => {
    const seed = familySeed('keys/bad-escapes', 5_003);
    const rawKey = fc.tuple(fc.string({ unit: fc.constantFrom('a', 'b', '/', '.'), maxLength: 5 }), badEscape, fc.string({ unit: fc.constantFrom('a', '/', 'é'), maxLength: 5 }))
      .map(([a, bad, b]) => `${uriEncode(a, true)}${bad}${uriEncode(b, true)}`);
    await fc.assert(
      fc.asyncProperty(rawKey, fc.constantFrom('PUT', 'GET', 'HEAD', 'DELETE', 'POST'), async (raw, method) => {
        const path = `/${BUCKET}/${raw}`;
        const o = await signedSend(server.port, {
          method, path, body: method === 'PUT' ? 'x' : undefined,
          query: method === 'POST' ? [{ name: 'uploads', value: null }] : undefined,
        });
        checkReply(o, { method, codes: ['InvalidURI'] });
      }),
      { seed, numRuns: runs(300) },
    );
    expect(await storeDifferences(server.port, server.before, known)).toEqual([]);
  }, 60_000);

  it('malformed percent signs and raw bytes in the request target', async () => {
    const seed = familySeed('keys/raw-target', 5_004);
    const target = fc.oneof(
      fc.tuple(fc.string({ unit: fc.constantFrom('a', '/', '.'), maxLength: 4 }), brokenPercent).map(([a, p]) => `/${BUCKET}/${a}${p}`),
      fc.constantFrom(
        `/${BUCKET}/a b`, `/${BUCKET}/a\tb`, `/${BUCKET}/\u0000`, `/${BUCKET}/é`, `/${BUCKET}/日本`, `/${BUCKET}/a\u007fb`, `/${BUCKET}/a"b`,
        `/${BUCKET}/a<b>`, `/${BUCKET}/a\\b`, `/${BUCKET}/a{b}`, `/${BUCKET}/a|b`, `/${BUCKET}/a^b`, `/${BUCKET}/a\`b`, '*', 'bucket/key',
        `//${BUCKET}/k`, `///`, `/${BUCKET}//`, `/${BUCKET}/..`, `/${BUCKET}/.`, `/${BUCKET}/../${BUCKET}/k`, `/./${BUCKET}/k`, `/../${BUCKET}/k`,
        `/${BUCKET}%2Fk`, `/${BUCKET}%2fk`, `/%2F${BUCKET}/k`, `/${BUCKET}/k%00`, `http://127.0.0.1/${BUCKET}/k`, `https://x/${BUCKET}/k`,
        `HTTP://evil.example:99/${BUCKET}/k`, `/${'a'.repeat(20_000)}`, `/${BUCKET}/${'a/'.repeat(3000)}`, `/${BUCKET}/${'%2F'.repeat(3000)}`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(target, fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE'), async (path, method) => {
        const o = await signedSend(server.port, { method, path, body: method === 'PUT' ? 'raw target' : undefined });
        const reply = checkReply(o, { method, success: [200, 204], httpLayer: true });
        if (reply && !reply.httpLayer && reply.status < 300 && (method === 'PUT' || method === 'DELETE')) {
          // the request addressed some key in some bucket: whatever was written is readable the same way
          if (method === 'PUT') {
            const got = await signedSend(server.port, { method: 'GET', path });
            expect(got.reply?.status).toBe(200);
            expect(got.reply?.body.toString()).toBe('raw target');
            await signedSend(server.port, { method: 'DELETE', path });
          }
        }
      }),
      { seed, numRuns: runs(250) },
    );
    // the one deliberate '..' key must not have been reached through '/../' in another request
    expect(await storeDifferences(server.port, server.before, known)).toEqual([]);
  }, 60_000);

  it('random bucket names: InvalidBucketName for names S3 refuses, and creation or NoSuchBucket otherwise', async () => {
    const seed = familySeed('keys/bucket-names', 5_005);
    const bucketName = fc.oneof(
      fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,20}[a-z0-9]$/),
      fc.string({ unit: fc.constantFrom('a', 'b', 'z', '0', '9', '.', '-', '_', 'A', ' ', 'é'), minLength: 0, maxLength: 70 }),
      fc.string({ unit: 'grapheme', maxLength: 10 }),
      fc.constantFrom(
        'a', 'ab', 'abc', 'a'.repeat(63), 'a'.repeat(64), '192.168.1.1', '256.256.256.256', '1.2.3', 'xn--abc', 'sthree-x', 'amzn-s3-demo-x',
        'x-s3alias', 'x--ol-s3', 'x.mrap', 'x--x-s3', 'x--table-s3', 'a..b', 'a.-b', 'a-.b', '-ab', 'ab-', '.ab', 'ab.', 'AB', 'a_b', 'a b',
        'a/b', 'hostile-keys', 'con', 'aux', '.', '..', '', '%', 'a%00b', 'a\u0000b', '日本語', 'ab\n',
      ),
    );
    await fc.assert(
      fc.asyncProperty(bucketName, fc.constantFrom('PUT', 'GET', 'HEAD', 'DELETE', 'PUT-object', 'GET-object'), async (name, kind) => {
        if (name === BUCKET || name === '' || name.includes('/')) return;
        const method = kind.split('-')[0]!;
        const path = kind.endsWith('object') ? `/${uriEncode(name)}/key` : `/${uriEncode(name)}`;
        const o = await signedSend(server.port, { method, path, body: method === 'PUT' ? (kind === 'PUT' ? '' : 'data') : undefined });
        const valid = validBucketName(name);
        if (kind === 'PUT') {
          const reply = checkReply(o, { method, success: [200], codes: valid ? [] : ['InvalidBucketName'] });
          expect(reply?.status, `CreateBucket ${JSON.stringify(name)}`).toBe(valid ? 200 : 400);
          if (valid) {
            expect(await listBuckets(server.port)).toContain(name);
            const del = await signedSend(server.port, { method: 'DELETE', path });
            expect(del.reply?.status).toBe(204);
          }
        } else {
          checkReply(o, { method, codes: ['NoSuchBucket', 'InvalidBucketName'] });
        }
      }),
      { seed, numRuns: runs(400) },
    );
    expect(await listBuckets(server.port)).toEqual(server.before.buckets);
  }, 60_000);

  it('hostile x-amz-copy-source values: refused, or a copy of exactly the source bytes', async () => {
    const seed = familySeed('keys/copy-source', 5_006);
    const source = fc.oneof(
      fc.constantFrom(...known).map((o) => `${BUCKET}/${uriEncode(o.key, true)}`),
      fc.constantFrom(...known).map((o) => `/${BUCKET}/${uriEncode(o.key, true)}`),
      fc.constantFrom(...known).map((o) => `${BUCKET}/${uriEncode(o.key, true)}?versionId=null`),
      fc.constantFrom(...known).map((o) => `${BUCKET}/${uriEncode(o.key, true)}?versionId=x`),
      fc.tuple(fc.constantFrom('', '/', `${BUCKET}`, `${BUCKET}/`, `/${BUCKET}/`, 'nosuchbucket/', `${BUCKET}//`), fc.oneof(badEscape, brokenPercent, keyString.map((k) => uriEncode(k, true))))
        .map(([a, b]) => a + b),
      fc.constantFrom('', '/', '//', '?', '?versionId=null', `${BUCKET}`, `${BUCKET}/`, `/${BUCKET}`, `${BUCKET}/${'a'.repeat(1100)}`, `${BUCKET}/k?`,
        `${BUCKET}/%6B`, `${BUCKET}%2Fk`, `arn:aws:s3:::${BUCKET}/object/k`, `${BUCKET}/k#frag`),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(source, fc.constantFrom('COPY', 'REPLACE', 'copy', 'bogus', undefined), async (src, directive) => {
        const dest = `copy/${n++}`;
        const headers: [string, string][] = [['x-amz-copy-source', src]];
        if (directive !== undefined) headers.push(['x-amz-metadata-directive', directive]);
        const o = await signedSend(server.port, { method: 'PUT', path: objectPath(BUCKET, dest), headers });
        const reply = checkReply(o, { method: 'PUT', success: [200] });
        const got = await signedSend(server.port, { method: 'GET', path: objectPath(BUCKET, dest) });
        if (reply?.status === 200) {
          expect(known.some((k) => got.reply?.body.equals(k.data)), `copy of ${src}`).toBe(true);
          await signedSend(server.port, { method: 'DELETE', path: objectPath(BUCKET, dest) });
        } else {
          expect(got.reply?.status).toBe(404);
        }
      }),
      { seed, numRuns: runs(300) },
    );
    expect(await storeDifferences(server.port, server.before, known)).toEqual([]);
  }, 60_000);
});
