// Keys with characters XML 1.0 cannot carry (NUL and the other C0 controls but tab, LF and CR): sklad refuses
// them when they would come to exist, listings that would echo or list one ask for encoding-type=url, and
// every error document stays valid XML. Keys with tab, LF and CR are ordinary keys and list exactly.
import path from 'node:path';
import {
  CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, ListMultipartUploadsCommand,
  ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteMetadataIndex } from '../../src/storage/sqlite/sqlite-metadata-index.js';
import { decodeXml, textOf } from '../../src/xml/decode.js';
import { errorCode, signedRequest } from '../support/raw-client.js';
import { expectS3Error } from '../support/s3-error.js';
import { startTestServer, type TestServer } from '../support/server.js';

const BUCKET = 'xml-keys';
let t: TestServer;
let s3: S3Client;

beforeAll(async () => {
  t = await startTestServer();
  s3 = t.client();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plain', Body: 'x' }));
});
afterAll(() => t.cleanup());

/** A GET signed by hand, so the query is exactly what the test says. */
const get = (pathname: string, query: Record<string, string>) => signedRequest(t.endpoint, { method: 'GET', path: pathname, query });

describe('keys XML 1.0 cannot carry', () => {
  it.each(['a\u0000b', 'a\u0001b', 'esc\u001b', 'x\u001f', 'y\uffff', 'z\ufffe'])('refuses %j at PutObject, CopyObject and CreateMultipartUpload', async (key) => {
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' })), 'InvalidArgument', 400);
    await expectS3Error(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: key, CopySource: `${BUCKET}/plain` })), 'InvalidArgument', 400);
    await expectS3Error(s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key })), 'InvalidArgument', 400);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['plain']);
  });

  it('stores keys with tab, LF and CR and lists them exactly without encoding-type', async () => {
    const keys = ['cr\rkey', 'lf\nkey', 'tab\tkey'];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    const v2 = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'cr' }));
    expect(v2.Contents?.map((o) => o.Key)).toEqual(['cr\rkey']);
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: BUCKET }));
    expect(v1.Contents?.map((o) => o.Key)).toEqual(['cr\rkey', 'lf\nkey', 'plain', 'tab\tkey']);
    for (const key of keys) await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  });

  it('answers a listing whose prefix, delimiter or marker holds one with InvalidArgument, and with encoding-type=url echoes it encoded', async () => {
    const bucketPath = `/${BUCKET}`;
    const queries: Record<string, string>[] = [
      { 'list-type': '2', prefix: 'a\u0001' },
      { 'list-type': '2', 'start-after': '\u0002' },
      { delimiter: '\u0003' },
      { marker: 'm\u0004' },
      { uploads: '', prefix: '\u0005' },
      { uploads: '', 'key-marker': '\u0006' },
    ];
    for (const query of queries) {
      const refused = await get(bucketPath, query);
      expect(refused.status, JSON.stringify(query)).toBe(400);
      expect(errorCode(refused.body)).toBe('InvalidArgument');
      const encoded = await get(bucketPath, { ...query, 'encoding-type': 'url' });
      expect(encoded.status, JSON.stringify(query)).toBe(200);
      expect(encoded.body).toMatch(/%0[1-6]/);
      expect(() => decodeXml(encoded.body, 'uploads' in query ? 'ListMultipartUploadsResult' : 'ListBucketResult')).not.toThrow();
    }
  });

  it('keeps error documents valid XML: a missing key with a control character comes back percent-encoded', async () => {
    const missing = await get(`/${BUCKET}/a%01b`, {});
    expect(missing.status).toBe(404);
    const doc = decodeXml(missing.body, 'Error');
    expect(textOf(doc.Code)).toBe('NoSuchKey');
    expect(textOf(doc.Key)).toBe('a%01b');
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a\u0001b' })), 'NoSuchKey', 404);
  });

  it('DeleteObjects cannot name one: a character reference to it is MalformedXML', async () => {
    const body = `<Delete><Object><Key>a&#1;b</Key></Object></Delete>`;
    const md5 = (await import('node:crypto')).createHash('md5').update(body).digest('base64');
    const refused = await signedRequest(t.endpoint, { method: 'POST', path: `/${BUCKET}`, query: { delete: '' }, body, headers: { 'content-md5': md5 } });
    expect(refused.status).toBe(400);
    expect(errorCode(refused.body)).toBe('MalformedXML');
  });
});

describe('such keys stored before they were refused', () => {
  beforeAll(async () => {
    await t.stop();
    const index = SqliteMetadataIndex.open(path.join(t.dataDir, 'index.sqlite'));
    const at = new Date();
    await index.putObject({
      bucket: BUCKET, key: 'old\u0001key', versionId: 'null', size: 0, etag: 'd41d8cd98f00b204e9800998ecf8427e', lastModified: at, owner: 'root',
      storageClass: 'STANDARD', contentHeaders: {}, userMetadata: {}, tags: [], acl: 'private', blobs: [], deleteMarker: false,
    });
    await index.createUpload({
      uploadId: 'legacy-upload', bucket: BUCKET, key: 'old\u0002upload', initiated: at, owner: 'root', storageClass: 'STANDARD',
      contentHeaders: {}, userMetadata: {}, tags: [], acl: 'private',
    });
    await index.close();
    await t.restart();
    s3 = t.client();
  });

  it('lists them only with encoding-type=url; ListParts and DeleteObject still answer valid XML', async () => {
    await expectS3Error(s3.send(new ListObjectsV2Command({ Bucket: BUCKET })), 'InvalidArgument', 400);
    await expectS3Error(s3.send(new ListObjectsCommand({ Bucket: BUCKET })), 'InvalidArgument', 400);
    await expectS3Error(s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET })), 'InvalidArgument', 400);
    const v2 = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, EncodingType: 'url' }));
    expect(v2.Contents?.map((o) => decodeURIComponent(o.Key!))).toEqual(['old\u0001key', 'plain']);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, EncodingType: 'url' }));
    expect(uploads.Uploads?.map((u) => decodeURIComponent(u.Key!))).toEqual(['old\u0002upload']);
    const parts = await get(`/${BUCKET}/old%02upload`, { uploadId: 'legacy-upload' });
    expect(parts.status).toBe(200);
    expect(textOf(decodeXml(parts.body, 'ListPartsResult').Key)).toBe('old%02upload');
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'old\u0001key' }));
    expect((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents?.map((o) => o.Key)).toEqual(['plain']);
  });
});
