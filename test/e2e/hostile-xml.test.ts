// Hostile XML request bodies (CreateBucket, DeleteObjects, CompleteMultipartUpload, Put{Object,Bucket}Tagging):
// malformed, deeply nested, DOCTYPE / entity expansion, over 1 MiB, wrong root, wrong types, empty, binary garbage.
// Every reply must be a well-formed S3 answer, and a document that must be refused must change nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkReply, familySeed, listBuckets, md5base64, md5hex, objectPath, putObject, runs, signedSend, storeDifferences,
  knownObjects, type KnownObject, type QueryParam,
} from '../support/hostile-http.js';
import { useSeededServer } from '../support/seeded-server.js';

const KNOWN_BUCKET = 'xml-known';
const VICTIM_BUCKET = 'xml-victim';
const known: KnownObject[] = knownObjects([
  { bucket: KNOWN_BUCKET, key: 'keep/a', data: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256)) },
  { bucket: KNOWN_BUCKET, key: 'keep/b', data: Buffer.from('hello, world') },
  { bucket: KNOWN_BUCKET, key: 'keep/empty', data: Buffer.alloc(0) },
]);
const KNOWN_TAGGING = '<Tagging><TagSet><Tag><Key>k1</Key><Value>v1</Value></Tag></TagSet></Tagging>';
const KNOWN_BUCKET_TAGGING = '<Tagging><TagSet><Tag><Key>env</Key><Value>prod</Value></Tag></TagSet></Tagging>';
const MP_KEY = 'mp/target';
let uploadId = '';
let partEtag = '';

const ONE_MIB = 1024 * 1024;

async function tagKnown(port: number): Promise<void> {
  const tagged = await signedSend(port, { method: 'PUT', path: objectPath(KNOWN_BUCKET, 'keep/a'), query: [{ name: 'tagging', value: '' }], body: KNOWN_TAGGING });
  expect(tagged.reply?.status).toBe(200);
  const bucketTagged = await signedSend(port, { method: 'PUT', path: `/${KNOWN_BUCKET}`, query: [{ name: 'tagging', value: '' }], body: KNOWN_BUCKET_TAGGING });
  expect(bucketTagged.reply?.status).toBe(204);
}

async function openUpload(port: number): Promise<void> {
  const created = await signedSend(port, { method: 'POST', path: objectPath(KNOWN_BUCKET, MP_KEY), query: [{ name: 'uploads', value: '' }] });
  uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.reply!.body.toString())![1]!;
  const part = Buffer.from('part one bytes');
  const uploaded = await signedSend(port, {
    method: 'PUT', path: objectPath(KNOWN_BUCKET, MP_KEY),
    query: [{ name: 'partNumber', value: '1' }, { name: 'uploadId', value: uploadId }], body: part,
  });
  expect(uploaded.reply?.status).toBe(200);
  partEtag = md5hex(part);
}

const server = useSeededServer(known, {
  buckets: [VICTIM_BUCKET],
  async seed(port) {
    await putObject(port, VICTIM_BUCKET, 'tag-victim', Buffer.from('x'));
    await tagKnown(port);
    await openUpload(port);
  },
  // Tags and open uploads do not show in a listing: put them back whatever happened.
  async afterRestore(port) {
    const listed = await signedSend(port, { method: 'GET', path: objectPath(KNOWN_BUCKET, MP_KEY), query: [{ name: 'uploadId', value: uploadId }] });
    if (listed.reply?.status !== 200) {
      await signedSend(port, { method: 'DELETE', path: objectPath(KNOWN_BUCKET, MP_KEY) });
      await openUpload(port);
    }
    await tagKnown(port);
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Document generators

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** Text that XML 1.0 allows in a document (no C0 controls but tab/LF/CR, no surrogates, no U+FFFE/FFFF). */
const xmlText = fc
  .string({ unit: fc.oneof(fc.constantFrom('a', 'b', 'Z', '0', '-', '_', '/', ' ', 'é', '€', '😀', '&', '<', '"', '\''), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 20 })
  .map(escapeXml);
const tagName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,12}$/);
const etagText = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{32}$/).map((h) => `"${h}"`),
  fc.stringMatching(/^[0-9a-f]{32}$/),
  xmlText,
);

/** Numeric values that are not a part number 1…10000 written plainly. */
const wrongNumber = fc.constantFrom(
  'abc', '', '-1', '0', '-0', '10001', '99999999999999999999', '1.5', 'NaN', 'Infinity', '-Infinity', '1e400', '١', '½',
  '2147483648', '-2147483649', '9007199254740993', ' ', '1 2', '0.0000001',
);

/** Character references that are not allowed in XML 1.0 (not a Char, out of Unicode, or not a reference). */
const badCharRef = fc.constantFrom(
  '&#x110000;', '&#1114112;', '&#99999999999999999999;', '&#xFFFFFFFFFFFF;', '&#0;', '&#x0;', '&#x1;', '&#xD800;', '&#xDFFF;',
  '&#xFFFE;', '&#xFFFF;', '&#;', '&#x;', '&#xG1;', '&#-1;', '&undefined;', '&lt', '&', '&#x41',
);

type Op = 'CreateBucket' | 'DeleteObjects' | 'CompleteMultipartUpload' | 'PutObjectTagging' | 'PutBucketTagging';
const ROOTS: Record<Op, string> = {
  CreateBucket: 'CreateBucketConfiguration',
  DeleteObjects: 'Delete',
  CompleteMultipartUpload: 'CompleteMultipartUpload',
  PutObjectTagging: 'Tagging',
  PutBucketTagging: 'Tagging',
};

/** A plausible document for `op` whose contents are random (it may or may not be acceptable). */
function plausibleDocument(op: Op): fc.Arbitrary<string> {
  switch (op) {
    case 'CreateBucket':
      return fc
        .tuple(fc.constantFrom('', 'us-east-1', 'eu-west-1', 'EU', 'us-east-2'), fc.boolean(), xmlText)
        .map(([loc, ns, junk]) =>
          `<CreateBucketConfiguration${ns ? ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"' : ''}><LocationConstraint>${loc || junk}</LocationConstraint></CreateBucketConfiguration>`);
    case 'DeleteObjects':
      return fc
        .tuple(
          fc.option(fc.constantFrom('true', 'false', 'TRUE', 'maybe', ''), { nil: undefined }),
          fc.array(fc.tuple(xmlText, fc.option(xmlText, { nil: undefined })), { minLength: 1, maxLength: 8 }),
        )
        .map(([quiet, objects]) =>
          `<Delete>${quiet === undefined ? '' : `<Quiet>${quiet}</Quiet>`}${objects
            .map(([k, v]) => `<Object><Key>gone/${k}</Key>${v === undefined ? '' : `<VersionId>${v}</VersionId>`}</Object>`)
            .join('')}</Delete>`);
    case 'CompleteMultipartUpload':
      return fc
        .array(fc.tuple(fc.oneof(fc.integer({ min: 1, max: 10_000 }).map(String), wrongNumber), etagText, fc.option(xmlText, { nil: undefined })), { minLength: 1, maxLength: 6 })
        .map((parts) =>
          `<CompleteMultipartUpload>${parts
            .map(([n, e, c]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag>${c === undefined ? '' : `<ChecksumCRC32>${c}</ChecksumCRC32>`}</Part>`)
            .join('')}</CompleteMultipartUpload>`);
    case 'PutObjectTagging':
    case 'PutBucketTagging':
      return fc
        .array(fc.tuple(xmlText, xmlText), { maxLength: 12 })
        .map((tags) => `<Tagging><TagSet>${tags.map(([k, v]) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`).join('')}</TagSet></Tagging>`);
  }
}

/** A valid-looking document naming the known resources, to be corrupted (refusal then matters). */
function targetDocument(op: Op): string {
  switch (op) {
    case 'CreateBucket':
      return '<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>';
    case 'DeleteObjects':
      return `<Delete>${known.map((o) => `<Object><Key>${escapeXml(o.key)}</Key></Object>`).join('')}</Delete>`;
    case 'CompleteMultipartUpload':
      return `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"${partEtag}"</ETag></Part></CompleteMultipartUpload>`;
    case 'PutObjectTagging':
    case 'PutBucketTagging':
      return '<Tagging><TagSet><Tag><Key>pwned</Key><Value>yes</Value></Tag></TagSet></Tagging>';
  }
}

const BILLION_LAUGHS = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE lolz [',
  '<!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
  ']>',
].join('\n');

const doctypePrefix = fc.constantFrom(
  BILLION_LAUGHS,
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
  '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]>',
  '<!DOCTYPE x SYSTEM "http://127.0.0.1:1/x.dtd">',
  '<!doctype x>',
  '<?xml version="1.0"?><!DOCTYPE x [<!ELEMENT x ANY>]>',
  '<!DOCTYPE x [<!ENTITY a "&#38;#60;Key&#62;">]>',
);

/** Transformations whose result no S3 server may accept. */
type Reject = { kind: string; body: Buffer; codes: readonly string[] };

/** Counterexamples print as the document's text (cut short), not as an array of bytes. */
function shown<T extends { kind: string; body: Buffer }>(doc: T): T {
  const text = doc.body.toString('utf8');
  Object.defineProperty(doc, fc.toStringMethod, {
    configurable: true,
    value: () => `${doc.kind} (${doc.body.length} bytes): ${JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…` : text)}`,
  });
  return doc;
}

const MALFORMED = ['MalformedXML'] as const;

function refusedDocument(op: Op): fc.Arbitrary<Reject> {
  const root = ROOTS[op];
  const base = targetDocument(op);
  const text = (kind: string, body: string, codes: readonly string[] = MALFORMED): Reject => ({ kind, body: Buffer.from(body, 'utf8'), codes });
  const inner = base.slice(base.indexOf('>') + 1, base.lastIndexOf('<'));
  const variants: fc.Arbitrary<Reject>[] = [
    // A strict, non-empty prefix of a document leaves its root open.
    fc.integer({ min: 1, max: base.length - 1 }).map((n) => text('truncated', base.slice(0, n))),
    fc.tuple(doctypePrefix, fc.constantFrom('&lol9;', '&e;', '&a;', 'x')).map(([dt, ref]) =>
      text('doctype', `${dt}<${root}>${inner.replace('</Key>', `${ref}</Key>`).replace('</Value>', `${ref}</Value>`).replace('</LocationConstraint>', `${ref}</LocationConstraint>`).replace('</ETag>', `${ref}</ETag>`)}</${root}>`)),
    fc.tuple(fc.integer({ min: 40, max: 20_000 }), tagName).map(([depth, name]) =>
      text('deep', `<${root}>${`<${name}>`.repeat(depth)}x${`</${name}>`.repeat(depth)}${inner}</${root}>`)),
    fc.integer({ min: 33, max: 50_000 }).map((depth) => text('deep-unclosed', `<${root}>${'<a>'.repeat(depth)}`)),
    fc.tuple(fc.integer({ min: ONE_MIB + 1 - base.length, max: ONE_MIB + 100_000 }), fc.constantFrom('space', 'comment', 'text', 'elements')).map(([pad, how]) => {
      const filler = how === 'space' ? ' '.repeat(pad)
        : how === 'comment' ? `<!--${'c'.repeat(pad)}-->`
          : how === 'text' ? `<Pad>${'t'.repeat(pad)}</Pad>`
            : '<e/>'.repeat(Math.ceil(pad / 4));
      return text('huge', `<${root}>${filler}${inner}</${root}>`, ['MalformedXML', 'MaxMessageLengthExceeded', 'EntityTooLarge', 'InvalidRequest']);
    }),
    tagName.filter((n) => n !== root).map((other) => text('wrong-root', `<${other}>${inner}</${other}>`)),
    fc.constantFrom(root.toLowerCase(), root.toUpperCase(), `x:${root}`, `${root}s`).filter((n) => n !== root).map((other) => text('wrong-root', `<${other}>${inner}</${other}>`)),
    fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((bytes) => ({ kind: 'garbage', body: Buffer.from(bytes), codes: MALFORMED })),
    fc.tuple(badCharRef, fc.nat()).map(([ref, at]) => {
      const closes = [...base.matchAll(/<\/(Key|Value|LocationConstraint|ETag|PartNumber)>/g)];
      const close = closes[at % closes.length]!;
      return text('bad-char-ref', base.slice(0, close.index) + ref + base.slice(close.index));
    }),
    fc.constantFrom('<', '<>', '</x>', `<${root}>`, `<${root}></${root}><${root}></${root}>`, `<${root}/><x/>`, `${base}${base}`, `text${base}`, `${base}<`, '<?xml version="1.0"?>', '<!-- only a comment -->')
      .map((b) => text('not-a-document', b)),
  ];
  if (op !== 'CreateBucket') variants.push(fc.constant(text('empty', '', ['MalformedXML', 'MissingRequestBodyError'])));
  switch (op) {
    case 'DeleteObjects':
      variants.push(
        fc.constantFrom(
          text('wrong-type', '<Delete></Delete>'),
          text('wrong-type', '<Delete/>'),
          text('wrong-type', '<Delete><Object></Object></Delete>'),
          text('wrong-type', '<Delete><Object><VersionId>x</VersionId></Object></Delete>'),
          text('wrong-type', '<Delete><Object><Key><Key>keep/a</Key></Key></Object></Delete>'),
          text('wrong-type', '<Delete><Object>keep/a</Object></Delete>'),
          text('wrong-type', '<Delete><Object><Key>keep/a</Key><Key>keep/b</Key></Object></Delete>'),
        ),
        fc.integer({ min: 1001, max: 3000 }).map((n) =>
          text('too-many-keys', `<Delete>${known.map((o) => `<Object><Key>${o.key}</Key></Object>`).join('')}${'<Object><Key>gone</Key></Object>'.repeat(n)}</Delete>`)),
      );
      break;
    case 'CompleteMultipartUpload':
      variants.push(
        wrongNumber.map((n) =>
          text('wrong-type', `<CompleteMultipartUpload><Part><PartNumber>${n}</PartNumber><ETag>"${'0'.repeat(32)}"</ETag></Part></CompleteMultipartUpload>`,
            ['MalformedXML', 'InvalidArgument', 'InvalidPart', 'InvalidPartOrder'])),
        fc.constantFrom(
          '<CompleteMultipartUpload></CompleteMultipartUpload>',
          '<CompleteMultipartUpload><Part></Part></CompleteMultipartUpload>',
          `<CompleteMultipartUpload><Part><ETag>"${partEtag}"</ETag></Part></CompleteMultipartUpload>`,
          '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>',
          `<CompleteMultipartUpload><Part><PartNumber><n>1</n></PartNumber><ETag>"${partEtag}"</ETag></Part></CompleteMultipartUpload>`,
          `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><PartNumber>1</PartNumber><ETag>"${partEtag}"</ETag></Part></CompleteMultipartUpload>`,
          `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"${partEtag}"</ETag></Part><Part><PartNumber>1</PartNumber><ETag>"${partEtag}"</ETag></Part></CompleteMultipartUpload>`,
          `<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>"${partEtag}"</ETag></Part><Part><PartNumber>1</PartNumber><ETag>"${partEtag}"</ETag></Part></CompleteMultipartUpload>`,
          `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"${partEtag}"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part></CompleteMultipartUpload>`,
        ).map((b) => text('wrong-type', b, ['MalformedXML', 'InvalidArgument', 'InvalidPart', 'InvalidPartOrder', 'InvalidRequest'])),
      );
      break;
    case 'PutObjectTagging':
    case 'PutBucketTagging':
      variants.push(
        fc.constantFrom(
          '<Tagging><TagSet><Tag><Key>pwned</Key></Tag></TagSet></Tagging>',
          '<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>',
          '<Tagging><TagSet><Tag><Key><b>pwned</b></Key><Value>v</Value></Tag></TagSet></Tagging>',
          '<Tagging><TagSet><Tag><Key>pwned</Key><Key>again</Key><Value>v</Value></Tag></TagSet></Tagging>',
          '<Tagging><TagSet><Tag>pwned</Tag></TagSet></Tagging>',
        ).map((b) => text('wrong-type', b)),
        fc.constantFrom(
          `<Tagging><TagSet>${Array.from({ length: 51 }, (_, i) => `<Tag><Key>k${i}</Key><Value>v</Value></Tag>`).join('')}</TagSet></Tagging>`,
          '<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>',
          '<Tagging><TagSet><Tag><Key>aws:reserved</Key><Value>v</Value></Tag></TagSet></Tagging>',
          '<Tagging><TagSet><Tag><Key></Key><Value>v</Value></Tag></TagSet></Tagging>',
          `<Tagging><TagSet><Tag><Key>${'k'.repeat(129)}</Key><Value>v</Value></Tag></TagSet></Tagging>`,
          `<Tagging><TagSet><Tag><Key>k</Key><Value>${'v'.repeat(257)}</Value></Tag></TagSet></Tagging>`,
        ).map((b) => text('invalid-tag', b, ['InvalidTag', 'MalformedXML'])),
      );
      break;
    case 'CreateBucket':
      variants.push(
        fc.constantFrom(
          '<CreateBucketConfiguration><LocationConstraint><Region>us-east-1</Region></LocationConstraint></CreateBucketConfiguration>',
          '<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>',
        ).map((b) => text('wrong-type', b, ['MalformedXML', 'InvalidLocationConstraint'])),
        fc.constantFrom('mars-north-1', 'eu-west-1', 'EU', ' ', 'us-east-1 ; drop').map((loc) =>
          text('wrong-region', `<CreateBucketConfiguration><LocationConstraint>${loc}</LocationConstraint></CreateBucketConfiguration>`,
            ['InvalidLocationConstraint', 'IllegalLocationConstraintException', 'MalformedXML'])),
      );
      break;
  }
  return fc.oneof(...variants).map(shown);
}

/** Legal-but-unusual spellings and random edits of a plausible document: may be accepted or refused. */
function uncertainDocument(op: Op): fc.Arbitrary<{ kind: string; body: Buffer }> {
  const root = ROOTS[op];
  return plausibleDocument(op).chain((doc) => {
    const inner = doc.slice(doc.indexOf('>') + 1, doc.lastIndexOf('<'));
    return fc.oneof(
      fc.constant({ kind: 'plausible', body: Buffer.from(doc) }),
      fc.constantFrom(
        `<?xml version="1.0" encoding="UTF-8"?>\n${doc}`,
        `\uFEFF${doc}`,
        `<?xml version="1.1"?>${doc}`,
        `<?xml version="1.0" encoding="ISO-8859-1"?>${doc}`,
        `<!-- c -->${doc}<!-- c -->`,
        `<?pi data?>${doc}`,
        `<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/" xmlns:x="urn:x" x:attr="1">${inner}</${root}>`,
        `<s3:${root} xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</s3:${root}>`,
        `<${root}>${inner}<Unknown><Deeper>1</Deeper></Unknown></${root}>`,
        `<${root}>\n\t ${inner.replace(/></g, '>\n  <')}\n</${root}>`,
        doc.replace(/<(Key|Value|ETag|LocationConstraint)>([^<]*)</g, '<$1><![CDATA[$2]]><'),
        `<${root}>${'<a>'.repeat(20)}${'</a>'.repeat(20)}${inner}</${root}>`,
      ).map((b) => ({ kind: 'decorated', body: Buffer.from(b) })),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 4 }), fc.string({ unit: 'binary', maxLength: 3 })), { minLength: 1, maxLength: 4 }).map((edits) => {
        let s = doc;
        for (const [at, del, ins] of edits) {
          const i = at % (s.length + 1);
          s = s.slice(0, i) + ins + s.slice(i + del);
        }
        return { kind: 'edited', body: Buffer.from(s) };
      }),
      fc.constantFrom('utf16le', 'latin1').map((enc) => ({ kind: `encoded-${enc}`, body: Buffer.from(doc, enc as BufferEncoding) })),
    ).map(shown);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Requests

let bucketCounter = 0;

function requestFor(op: Op, body: Buffer, target: 'known' | 'victim'): { method: string; path: string; query: QueryParam[]; headers: [string, string][] } {
  const withMd5: [string, string][] = [['content-md5', md5base64(body)]];
  switch (op) {
    case 'CreateBucket': {
      const name = target === 'known' ? KNOWN_BUCKET : `xml-new-${process.pid}-${bucketCounter++}`;
      return { method: 'PUT', path: `/${name}`, query: [], headers: [] };
    }
    case 'DeleteObjects':
      return { method: 'POST', path: `/${target === 'known' ? KNOWN_BUCKET : VICTIM_BUCKET}`, query: [{ name: 'delete', value: null }], headers: withMd5 };
    case 'CompleteMultipartUpload':
      return { method: 'POST', path: objectPath(KNOWN_BUCKET, MP_KEY), query: [{ name: 'uploadId', value: target === 'known' ? uploadId : 'no-such-upload' }], headers: [] };
    case 'PutObjectTagging':
      return {
        method: 'PUT', path: target === 'known' ? objectPath(KNOWN_BUCKET, 'keep/a') : objectPath(VICTIM_BUCKET, 'tag-victim'),
        query: [{ name: 'tagging', value: null }], headers: [],
      };
    case 'PutBucketTagging':
      return { method: 'PUT', path: `/${target === 'known' ? KNOWN_BUCKET : VICTIM_BUCKET}`, query: [{ name: 'tagging', value: null }], headers: withMd5 };
  }
}

const SUCCESS: Record<Op, number[]> = {
  CreateBucket: [200],
  DeleteObjects: [200],
  CompleteMultipartUpload: [200],
  PutObjectTagging: [200],
  PutBucketTagging: [204],
};

async function taggingOf(path: string): Promise<string> {
  const o = await signedSend(server.port, { method: 'GET', path, query: [{ name: 'tagging', value: null }] });
  return o.reply ? `${o.reply.status} ${o.reply.body.toString().replace(/<\?xml[^>]*\?>\s*/, '').replace(/<RequestId>[^<]*<\/RequestId>/, '')}` : 'no reply';
}

/** What a refused request could have damaged, read back right after it. */
async function targetState(op: Op): Promise<string> {
  switch (op) {
    case 'CreateBucket':
      return JSON.stringify(await listBuckets(server.port));
    case 'DeleteObjects': {
      const heads = await Promise.all(known.map((o) => signedSend(server.port, { method: 'HEAD', path: objectPath(o.bucket, o.key) })));
      return heads.map((h) => h.reply?.status).join(',');
    }
    case 'CompleteMultipartUpload': {
      const parts = await signedSend(server.port, { method: 'GET', path: objectPath(KNOWN_BUCKET, MP_KEY), query: [{ name: 'uploadId', value: uploadId }] });
      const head = await signedSend(server.port, { method: 'HEAD', path: objectPath(KNOWN_BUCKET, MP_KEY) });
      return `${parts.reply?.status} ${head.reply?.status}`;
    }
    case 'PutObjectTagging':
      return taggingOf(objectPath(KNOWN_BUCKET, 'keep/a'));
    case 'PutBucketTagging':
      return taggingOf(`/${KNOWN_BUCKET}`);
  }
}

const OPS: Op[] = ['CreateBucket', 'DeleteObjects', 'CompleteMultipartUpload', 'PutObjectTagging', 'PutBucketTagging'];

describe('hostile XML bodies', () => {
  for (const [i, op] of OPS.entries()) {
    it(`${op}: documents that must be refused are refused with a well-formed error and change nothing`, async () => {
      const seed = familySeed(`xml/${op}/refused`, 1_000 + i);
      await fc.assert(
        fc.asyncProperty(refusedDocument(op), async (doc) => {
          const expected = await targetState(op);
          const req = requestFor(op, doc.body, 'known');
          const o = await signedSend(server.port, { ...req, body: doc.body }, { timeoutMs: 10_000 });
          const reply = checkReply(o, { method: req.method, codes: op === 'CreateBucket' ? [...doc.codes, 'BucketAlreadyOwnedByYou'] : doc.codes });
          expect(reply?.code, doc.kind).toBeDefined();
          expect(await targetState(op), `state after a refused ${doc.kind} document`).toBe(expected);
        }),
        { seed, numRuns: runs(op === 'CreateBucket' ? 100 : 160) },
      );
      expect(await storeDifferences(server.port, server.before, known)).toEqual([]);
    }, 60_000);

    it(`${op}: random and unusual documents get a well-formed answer`, async () => {
      const seed = familySeed(`xml/${op}/uncertain`, 2_000 + i);
      const baseline = op === 'PutObjectTagging' || op === 'PutBucketTagging' || op === 'DeleteObjects' ? await targetState(op) : undefined;
      await fc.assert(
        fc.asyncProperty(fc.oneof(uncertainDocument(op), refusedDocument(op)), async (doc) => {
          const req = requestFor(op, doc.body, 'victim');
          const o = await signedSend(server.port, { ...req, body: doc.body }, { timeoutMs: 10_000 });
          const reply = checkReply(o, { method: req.method, success: SUCCESS[op] });
          if (reply && reply.status < 300) {
            if (op === 'CreateBucket') {
              // a created bucket is listed; remove it again so the bucket list stays as it was
              const name = req.path.slice(1);
              expect(await listBuckets(server.port)).toContain(name);
              const removed = await signedSend(server.port, { method: 'DELETE', path: req.path });
              expect(removed.reply?.status).toBe(204);
            }
            if (op === 'DeleteObjects') expect(reply.body.toString()).toMatch(/^<\?xml[^>]*\?>\s*<DeleteResult[ >]/);
          }
          if (baseline !== undefined) expect(await targetState(op)).toBe(baseline);
        }),
        { seed, numRuns: runs(op === 'CreateBucket' ? 100 : 160) },
      );
      expect(await storeDifferences(server.port, server.before, known)).toEqual([]);
    }, 60_000);
  }

  // Each document below is not well-formed XML 1.0 (or not namespace-well-formed), so S3 answers MalformedXML.
  const notWellFormed: [string, string][] = [
    ['a character reference beyond U+10FFFF', '<Tagging><TagSet><Tag><Key>k&#x110000;</Key><Value>v</Value></Tag></TagSet></Tagging>'],
    ['a 20-digit decimal character reference', '<Tagging><TagSet><Tag><Key>k&#99999999999999999999;</Key><Value>v</Value></Tag></TagSet></Tagging>'],
    ['a reference to U+0000', '<Tagging><TagSet><Tag><Key>k&#0;</Key><Value>v</Value></Tag></TagSet></Tagging>'],
    ['a reference to U+0001', '<Tagging><TagSet><Tag><Key>k&#x1;</Key><Value>v</Value></Tag></TagSet></Tagging>'],
    ['a reference to a surrogate', '<Tagging><TagSet><Tag><Key>k&#xD800;</Key><Value>v</Value></Tag></TagSet></Tagging>'],
    ['a reference to U+FFFE', '<Tagging><TagSet><Tag><Key>k&#xFFFE;</Key><Value>v</Value></Tag></TagSet></Tagging>'],
    ['an empty character reference', '<Tagging><TagSet><Tag><Key>k&#;</Key><Value>v</Value></Tag></TagSet></Tagging>'],
    ['an undeclared entity', '<Tagging><TagSet><Tag><Key>k&undefined;</Key><Value>v</Value></Tag></TagSet></Tagging>'],
    ['a literal NUL character', '<Tagging><TagSet><Tag><Key>k\u0000</Key><Value>v</Value></Tag></TagSet></Tagging>'],
    ['a second element after the root', '<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging><x/>'],
    ['text after an empty root', '<Tagging/>text'],
    ['an undeclared namespace prefix on the root', '<x:Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></x:Tagging>'],
  ];
  it.each(notWellFormed)('PutBucketTagging refuses %s with MalformedXML and keeps the tag set', async (_what, doc) => {
    const body = Buffer.from(doc, 'utf8');
    const o = await signedSend(server.port, { method: 'PUT', path: `/${KNOWN_BUCKET}`, query: [{ name: 'tagging', value: null }], headers: [['content-md5', md5base64(body)]], body });
    checkReply(o, { method: 'PUT', codes: ['MalformedXML'] });
    expect(await taggingOf(`/${KNOWN_BUCKET}`)).toContain('<Key>env</Key><Value>prod</Value>');
  });

  // A character reference beyond U+10FFFF names no character: every XML-reading operation answers MalformedXML.
  const outOfRange = (op: Op): Buffer => {
    const base = op === 'CreateBucket'
      ? '<CreateBucketConfiguration><LocationConstraint>us-east-1&#x110000;</LocationConstraint></CreateBucketConfiguration>'
      : targetDocument(op).replace(/<\/(Key|ETag)>/, '&#x110000;</$1>');
    return Buffer.from(base);
  };
  it.each(OPS)('%s answers a character reference beyond U+10FFFF with MalformedXML, not InternalError', async (op) => {
    const body = outOfRange(op);
    const req = requestFor(op, body, 'known');
    const o = await signedSend(server.port, { ...req, body });
    checkReply(o, { method: req.method, codes: ['MalformedXML', ...(op === 'CreateBucket' ? ['BucketAlreadyOwnedByYou'] : [])] });
  });

  // A PartNumber is an integer written in decimal digits (xsd:int): "0x1", "1e0", "1.0", "0b1" and "0o1" are not
  // part numbers, and a document naming one must not complete the upload.
  it.each(['0x1', '1e0', '1.0', '0b1', '0o1'])('CompleteMultipartUpload refuses PartNumber %s', async (partNumber) => {
    const key = `mp/number-${partNumber}`;
    const created = await signedSend(server.port, { method: 'POST', path: objectPath(VICTIM_BUCKET, key), query: [{ name: 'uploads', value: null }] });
    const id = /<UploadId>([^<]+)<\/UploadId>/.exec(created.reply!.body.toString())![1]!;
    const part = Buffer.from('a part');
    await signedSend(server.port, { method: 'PUT', path: objectPath(VICTIM_BUCKET, key), query: [{ name: 'partNumber', value: '1' }, { name: 'uploadId', value: id }], body: part });
    const body = `<CompleteMultipartUpload><Part><PartNumber>${partNumber}</PartNumber><ETag>"${md5hex(part)}"</ETag></Part></CompleteMultipartUpload>`;
    const o = await signedSend(server.port, { method: 'POST', path: objectPath(VICTIM_BUCKET, key), query: [{ name: 'uploadId', value: id }], body });
    checkReply(o, { method: 'POST', codes: ['MalformedXML', 'InvalidArgument', 'InvalidPart'] });
    const head = await signedSend(server.port, { method: 'HEAD', path: objectPath(VICTIM_BUCKET, key) });
    expect(head.reply?.status).toBe(404);
  });
});
