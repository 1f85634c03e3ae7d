// Bucket versioning as S3 defines it, through the AWS SDK: version ids on every write, delete markers, reads
// and deletes by version, the suspended null version, ListObjectVersions paging, sub-resources by version,
// conditional deletes and If-None-Match with an ETag.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketCommand,
  DeleteObjectCommand, DeleteObjectsCommand, GetBucketVersioningCommand, GetObjectAclCommand, GetObjectCommand, GetObjectTaggingCommand,
  HeadObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand,
  PutObjectTaggingCommand, S3Client, S3ServiceException, UploadPartCommand, type ListObjectVersionsCommandOutput,
} from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { expectS3Error } from '../support/s3-error.js';

let t: TestServer;
let s3: S3Client;

beforeAll(async () => {
  t = await startTestServer();
  s3 = t.client();
});
afterAll(() => t.cleanup());

async function versionedBucket(name: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }));
}

async function put(bucket: string, key: string, body: string): Promise<string> {
  const res = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return res.VersionId!;
}

async function read(bucket: string, key: string, versionId?: string): Promise<string> {
  return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }))).Body!.transformToString();
}

/** The raw error of a call, with the response headers S3 sent along. */
async function failure(call: Promise<unknown>): Promise<{ name: string; status?: number; headers: Record<string, string> }> {
  try {
    await call;
  } catch (e) {
    if (!(e instanceof S3ServiceException)) throw e;
    const headers = (e.$response?.headers ?? {}) as Record<string, string>;
    return { name: e.name, status: e.$metadata.httpStatusCode, headers };
  }
  throw new Error('expected the call to fail');
}

function entries(page: ListObjectVersionsCommandOutput): string[] {
  const all = [
    ...(page.Versions ?? []).map((v) => ({ key: v.Key!, id: v.VersionId!, latest: v.IsLatest!, marker: false, modified: v.LastModified! })),
    ...(page.DeleteMarkers ?? []).map((v) => ({ key: v.Key!, id: v.VersionId!, latest: v.IsLatest!, marker: true, modified: v.LastModified! })),
  ];
  return all.map((e) => `${e.key}${e.marker ? ' marker' : ''}${e.latest ? ' latest' : ''}`);
}

describe('versioning configuration', () => {
  it('starts unversioned, enables, suspends, and never returns to unversioned', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'config' }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'config' }))).Status).toBeUndefined();
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'config', VersioningConfiguration: { Status: 'Enabled' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'config' }))).Status).toBe('Enabled');
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'config', VersioningConfiguration: { Status: 'Suspended' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'config' }))).Status).toBe('Suspended');
    await expectS3Error(s3.send(new PutBucketVersioningCommand({ Bucket: 'config', VersioningConfiguration: { Status: 'Off' as 'Enabled' } })), 'MalformedXML', 400);
    await expectS3Error(s3.send(new PutBucketVersioningCommand({ Bucket: 'config', VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Enabled' } })), 'NotImplemented', 501);
  });
});

describe('a versioned bucket', () => {
  beforeAll(() => versionedBucket('ver'));

  it('gives every write its own version id and keeps each version readable', async () => {
    const v1 = await put('ver', 'doc', 'one');
    const v2 = await put('ver', 'doc', 'two');
    expect(v1).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(v2).not.toBe(v1);
    expect(await read('ver', 'doc')).toBe('two');
    expect(await read('ver', 'doc', v1)).toBe('one');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'ver', Key: 'doc', VersionId: v1 }));
    expect(head.VersionId).toBe(v1);
    expect(head.ContentLength).toBe(3);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: 'ver', Key: 'doc', VersionId: 'A'.repeat(32) })), 'NoSuchVersion', 404);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: 'ver', Key: 'doc', VersionId: 'not a version' })), 'InvalidArgument', 400);
  });

  it('a DELETE writes a delete marker: 404 with x-amz-delete-marker, 405 when named, older versions kept', async () => {
    const v1 = await put('ver', 'gone', 'kept');
    const del = await s3.send(new DeleteObjectCommand({ Bucket: 'ver', Key: 'gone' }));
    expect(del.DeleteMarker).toBe(true);
    const markerId = del.VersionId!;
    expect(markerId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const missing = await failure(s3.send(new GetObjectCommand({ Bucket: 'ver', Key: 'gone' })));
    expect(missing).toMatchObject({ name: 'NoSuchKey', status: 404 });
    expect(missing.headers['x-amz-delete-marker']).toBe('true');
    expect(missing.headers['x-amz-version-id']).toBe(markerId);
    const named = await failure(s3.send(new HeadObjectCommand({ Bucket: 'ver', Key: 'gone', VersionId: markerId })));
    expect(named.status).toBe(405);
    expect(named.headers['x-amz-delete-marker']).toBe('true');
    expect(await read('ver', 'gone', v1)).toBe('kept');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'ver', Prefix: 'gone' }));
    expect(listed.KeyCount).toBe(0);

    // Removing the marker by id brings the object back.
    const undo = await s3.send(new DeleteObjectCommand({ Bucket: 'ver', Key: 'gone', VersionId: markerId }));
    expect(undo).toMatchObject({ DeleteMarker: true, VersionId: markerId });
    expect(await read('ver', 'gone')).toBe('kept');
  });

  it('DELETE with a version id removes that version for good; the next newest becomes current', async () => {
    const v1 = await put('ver', 'stack', '1');
    const v2 = await put('ver', 'stack', '2');
    const removed = await s3.send(new DeleteObjectCommand({ Bucket: 'ver', Key: 'stack', VersionId: v2 }));
    expect(removed.VersionId).toBe(v2);
    expect(removed.DeleteMarker).toBeUndefined();
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'ver', Key: 'stack' }));
    expect(head.VersionId).toBe(v1);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: 'ver', Key: 'stack', VersionId: v2 })), 'NoSuchVersion', 404);
  });

  it('CopyObject copies a named source version and reports both version ids; multipart Complete gets one too', async () => {
    const old = await put('ver', 'src', 'old bytes');
    await put('ver', 'src', 'new bytes');
    const copy = await s3.send(new CopyObjectCommand({ Bucket: 'ver', Key: 'restored', CopySource: `ver/src?versionId=${old}` }));
    expect(copy.CopySourceVersionId).toBe(old);
    expect(copy.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await read('ver', 'restored')).toBe('old bytes');

    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'ver', Key: 'mp' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'ver', Key: 'mp', UploadId: upload.UploadId, PartNumber: 1, Body: 'part' }));
    const done = await s3.send(new CompleteMultipartUploadCommand({
      Bucket: 'ver', Key: 'mp', UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }));
    expect(done.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'ver', Key: 'mp' }))).VersionId).toBe(done.VersionId);
  });

  it('tags and ACLs address one version', async () => {
    const v1 = await put('ver', 'tagged', 'a');
    const v2 = await put('ver', 'tagged', 'b');
    const tagged = await s3.send(new PutObjectTaggingCommand({ Bucket: 'ver', Key: 'tagged', VersionId: v1, Tagging: { TagSet: [{ Key: 'k', Value: 'old' }] } }));
    expect(tagged.VersionId).toBe(v1);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'ver', Key: 'tagged', VersionId: v1 }))).TagSet).toEqual([{ Key: 'k', Value: 'old' }]);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'ver', Key: 'tagged' }))).TagSet).toEqual([]);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'ver', Key: 'tagged' }))).VersionId).toBe(v2);
    expect((await s3.send(new GetObjectAclCommand({ Bucket: 'ver', Key: 'tagged', VersionId: v1 }))).Grants).toHaveLength(1);
  });

  it('DeleteObjects writes markers for keys and removes named versions, reporting each', async () => {
    const v1 = await put('ver', 'multi/a', 'a');
    await put('ver', 'multi/b', 'b');
    const res = await s3.send(new DeleteObjectsCommand({
      Bucket: 'ver',
      Delete: { Objects: [{ Key: 'multi/a', VersionId: v1 }, { Key: 'multi/b' }] },
    }));
    const byKey = Object.fromEntries((res.Deleted ?? []).map((d) => [d.Key, d]));
    expect(byKey['multi/a']).toMatchObject({ VersionId: v1 });
    expect(byKey['multi/a']?.DeleteMarker).toBeUndefined();
    expect(byKey['multi/b']).toMatchObject({ DeleteMarker: true });
    expect(byKey['multi/b']?.DeleteMarkerVersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const left = await s3.send(new ListObjectVersionsCommand({ Bucket: 'ver', Prefix: 'multi/' }));
    expect(entries(left).sort()).toEqual(['multi/b', 'multi/b marker latest']);
  });

  it('refuses to delete the bucket until every version and marker is gone', async () => {
    await versionedBucket('emptying');
    const v = await put('emptying', 'k', 'x');
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: 'emptying', Key: 'k' }))).VersionId;
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: 'emptying' })), 'BucketNotEmpty', 409);
    await s3.send(new DeleteObjectCommand({ Bucket: 'emptying', Key: 'k', VersionId: v }));
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: 'emptying' })), 'BucketNotEmpty', 409);
    await s3.send(new DeleteObjectCommand({ Bucket: 'emptying', Key: 'k', VersionId: marker }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'emptying' }));
  });
});

describe('ListObjectVersions', () => {
  beforeAll(async () => {
    await versionedBucket('listing');
    for (const key of ['a', 'a', 'b/1', 'b/2', 'c', 'c', 'c']) await put('listing', key, key);
    await s3.send(new DeleteObjectCommand({ Bucket: 'listing', Key: 'a' }));
  });

  it('lists keys in order, each key newest first, with markers and IsLatest', async () => {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: 'listing' }));
    expect(page.IsTruncated).toBe(false);
    expect(entries(page)).toEqual(['a', 'a', 'b/1 latest', 'b/2 latest', 'c latest', 'c', 'c', 'a marker latest']);
    const c = (page.Versions ?? []).filter((v) => v.Key === 'c');
    expect(c.map((v) => v.LastModified!.getTime())).toEqual([...c.map((v) => v.LastModified!.getTime())].sort((x, y) => y - x));
  });

  it('rolls keys up under a delimiter and pages with key and version-id markers', async () => {
    const rolled = await s3.send(new ListObjectVersionsCommand({ Bucket: 'listing', Delimiter: '/' }));
    expect(rolled.CommonPrefixes).toEqual([{ Prefix: 'b/' }]);
    const seen: string[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: 'listing', MaxKeys: 2, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
      seen.push(...(page.Versions ?? []).map((v) => v.VersionId!), ...(page.DeleteMarkers ?? []).map((v) => v.VersionId!));
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    await expectS3Error(s3.send(new ListObjectVersionsCommand({ Bucket: 'listing', VersionIdMarker: 'A'.repeat(32) })), 'InvalidArgument', 400);
  });
});

describe('a suspended bucket', () => {
  it('writes replace the null version and keep the others', async () => {
    await versionedBucket('susp');
    const kept = await put('susp', 'k', 'versioned');
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'susp', VersioningConfiguration: { Status: 'Suspended' } }));
    expect(await put('susp', 'k', 'null one')).toBe('null');
    expect(await put('susp', 'k', 'null two')).toBe('null');
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: 'susp' }));
    expect((page.Versions ?? []).map((v) => v.VersionId)).toEqual(['null', kept]);
    expect(await read('susp', 'k', 'null')).toBe('null two');
    const del = await s3.send(new DeleteObjectCommand({ Bucket: 'susp', Key: 'k' }));
    expect(del).toMatchObject({ DeleteMarker: true, VersionId: 'null' });
    expect(await read('susp', 'k', kept)).toBe('versioned');
  });
});

describe('conditional deletes and writes', () => {
  beforeAll(() => s3.send(new CreateBucketCommand({ Bucket: 'cond' })));

  it('DeleteObject honours If-Match, x-amz-if-match-size and x-amz-if-match-last-modified-time', async () => {
    const put1 = await s3.send(new PutObjectCommand({ Bucket: 'cond', Key: 'k', Body: 'abc' }));
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: 'cond', Key: 'k', IfMatch: '"0123456789abcdef0123456789abcdef"' })), 'PreconditionFailed', 412);
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: 'cond', Key: 'k', IfMatchSize: 4 })), 'PreconditionFailed', 412);
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: 'cond', Key: 'k', IfMatchLastModifiedTime: new Date(Date.now() - 3_600_000) })), 'PreconditionFailed', 412);
    expect(await read('cond', 'k')).toBe('abc');
    const modified = (await s3.send(new HeadObjectCommand({ Bucket: 'cond', Key: 'k' }))).LastModified!;
    await s3.send(new DeleteObjectCommand({ Bucket: 'cond', Key: 'k', IfMatch: put1.ETag, IfMatchSize: 3, IfMatchLastModifiedTime: modified }));
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: 'cond', Key: 'k' })), 'NotFound', 404);
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: 'cond', Key: 'k', IfMatch: '*' })), 'NoSuchKey', 404);
  });

  it('DeleteObjects reports a failed ETag precondition per key and deletes the others', async () => {
    const a = await s3.send(new PutObjectCommand({ Bucket: 'cond', Key: 'a', Body: 'a' }));
    await s3.send(new PutObjectCommand({ Bucket: 'cond', Key: 'b', Body: 'b' }));
    const res = await s3.send(new DeleteObjectsCommand({
      Bucket: 'cond',
      Delete: { Objects: [{ Key: 'a', ETag: a.ETag }, { Key: 'b', ETag: '"ffffffffffffffffffffffffffffffff"' }, { Key: 'b', Size: 7 }] },
    }));
    expect((res.Deleted ?? []).map((d) => d.Key)).toEqual(['a']);
    expect((res.Errors ?? []).map((e) => [e.Key, e.Code])).toEqual([['b', 'PreconditionFailed'], ['b', 'PreconditionFailed']]);
    expect(await read('cond', 'b')).toBe('b');
  });

  it('If-None-Match with an ETag fails only when the current object has it (PUT and Complete)', async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket: 'cond', Key: 'inm', Body: 'first' }));
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket: 'cond', Key: 'inm', Body: 'second', IfNoneMatch: first.ETag })), 'PreconditionFailed', 412);
    await s3.send(new PutObjectCommand({ Bucket: 'cond', Key: 'inm', Body: 'third', IfNoneMatch: '"ffffffffffffffffffffffffffffffff"' }));
    expect(await read('cond', 'inm')).toBe('third');
    const current = await s3.send(new HeadObjectCommand({ Bucket: 'cond', Key: 'inm' }));
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'cond', Key: 'inm' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'cond', Key: 'inm', UploadId: upload.UploadId, PartNumber: 1, Body: 'mp' }));
    await expectS3Error(s3.send(new CompleteMultipartUploadCommand({
      Bucket: 'cond', Key: 'inm', UploadId: upload.UploadId, IfNoneMatch: current.ETag, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    })), 'PreconditionFailed', 412);
    expect(await read('cond', 'inm')).toBe('third');
  });
});
