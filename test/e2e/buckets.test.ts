import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand, DeleteBucketCommand, GetBucketLocationCommand, GetBucketVersioningCommand,
  HeadBucketCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client, paginateListBuckets,
} from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { s3Error } from '../support/s3-error.js';
import { errorCode, signedRequest } from '../support/raw-client.js';

let t: TestServer;
let s3: S3Client;
beforeAll(async () => {
  t = await startTestServer();
  s3 = t.client();
});
afterAll(() => t.cleanup());

describe('buckets', () => {
  it('creates, lists, heads and deletes a bucket', async () => {
    const created = await s3.send(new CreateBucketCommand({ Bucket: 'alpha' }));
    expect(created.Location).toBe('/alpha');
    const list = await s3.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name)).toContain('alpha');
    expect(list.Buckets?.find((b) => b.Name === 'alpha')?.CreationDate).toBeInstanceOf(Date);
    expect(list.Owner?.ID).toBeTruthy();
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'alpha' }));
    expect(head.$metadata.httpStatusCode).toBe(200);
    expect(head.BucketRegion).toBe('us-east-1');
    await s3.send(new DeleteBucketCommand({ Bucket: 'alpha' }));
    const after = await s3.send(new ListBucketsCommand({}));
    expect(after.Buckets?.map((b) => b.Name) ?? []).not.toContain('alpha');
  });

  it('answers BucketAlreadyOwnedByYou for a second create', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'twice' }));
    const err = await s3Error(s3.send(new CreateBucketCommand({ Bucket: 'twice' })));
    expect(err).toMatchObject({ name: 'BucketAlreadyOwnedByYou', status: 409 });
  });

  it.each(['ab', 'UPPER', 'has_underscore', '-leading', 'trailing-', 'a..b', '192.168.1.1', 'xn--punycode', 'x'.repeat(64)])(
    'rejects the invalid bucket name %s',
    async (name) => {
      const err = await s3Error(s3.send(new CreateBucketCommand({ Bucket: name })));
      expect(err).toMatchObject({ name: 'InvalidBucketName', status: 400 });
    },
  );

  it('accepts a CreateBucketConfiguration for its own region and refuses another', async () => {
    const west = t.client({ region: 'us-east-1' });
    const err = await s3Error(
      west.send(new CreateBucketCommand({ Bucket: 'elsewhere', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })),
    );
    expect(err.name).toBe('InvalidLocationConstraint');
    await s3.send(new CreateBucketCommand({ Bucket: 'with-config', CreateBucketConfiguration: {} }));
    const loc = await s3.send(new GetBucketLocationCommand({ Bucket: 'with-config' }));
    expect(loc.LocationConstraint ?? '').toBe('');
  });

  it('refuses to delete a bucket that holds objects', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'full' }));
    await s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'k', Body: 'x' }));
    const err = await s3Error(s3.send(new DeleteBucketCommand({ Bucket: 'full' })));
    expect(err).toMatchObject({ name: 'BucketNotEmpty', status: 409 });
  });

  it('answers NoSuchBucket for a missing bucket, and 404 without a body on HEAD', async () => {
    expect(await s3Error(s3.send(new DeleteBucketCommand({ Bucket: 'missing-bucket' })))).toMatchObject({ name: 'NoSuchBucket', status: 404 });
    expect(await s3Error(s3.send(new HeadBucketCommand({ Bucket: 'missing-bucket' })))).toMatchObject({ name: 'NotFound', status: 404 });
  });

  it('reports an unversioned bucket with an empty versioning configuration', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'versions' }));
    const v = await s3.send(new GetBucketVersioningCommand({ Bucket: 'versions' }));
    expect(v.Status).toBeUndefined();
  });

  describe('ListBuckets pagination', () => {
    const names = ['page-a1', 'page-a2', 'page-a3', 'page-b1', 'page-b2'];
    beforeAll(async () => {
      for (const name of names) await s3.send(new CreateBucketCommand({ Bucket: name }));
    });

    it('pages with max-buckets and ContinuationToken, and the SDK paginator walks every page', async () => {
      const first = await s3.send(new ListBucketsCommand({ Prefix: 'page-', MaxBuckets: 2 }));
      expect(first.Buckets?.map((b) => b.Name)).toEqual(['page-a1', 'page-a2']);
      expect(first.Prefix).toBe('page-');
      expect(first.ContinuationToken).toBeTruthy();
      const second = await s3.send(new ListBucketsCommand({ Prefix: 'page-', MaxBuckets: 2, ContinuationToken: first.ContinuationToken }));
      expect(second.Buckets?.map((b) => b.Name)).toEqual(['page-a3', 'page-b1']);
      const seen: string[] = [];
      for await (const page of paginateListBuckets({ client: s3, pageSize: 2 }, { Prefix: 'page-' })) {
        seen.push(...(page.Buckets ?? []).map((b) => b.Name ?? ''));
      }
      expect(seen).toEqual(names);
    });

    it('answers the last page without a token, filters by prefix and bucket-region', async () => {
      const last = await s3.send(new ListBucketsCommand({ Prefix: 'page-b', MaxBuckets: 2 }));
      expect(last.Buckets?.map((b) => b.Name)).toEqual(['page-b1', 'page-b2']);
      expect(last.ContinuationToken).toBeUndefined();
      const here = await s3.send(new ListBucketsCommand({ Prefix: 'page-', BucketRegion: 'us-east-1' }));
      expect(here.Buckets).toHaveLength(names.length);
      const elsewhere = await s3.send(new ListBucketsCommand({ Prefix: 'page-', BucketRegion: 'eu-west-1' }));
      expect(elsewhere.Buckets ?? []).toEqual([]);
    });

    it.each(['0', '10001', 'x', '-1'])('refuses max-buckets=%s with InvalidArgument', async (value) => {
      const response = await signedRequest(t.endpoint, { method: 'GET', path: '/', query: { 'max-buckets': value } });
      expect(response.status).toBe(400);
      expect(errorCode(response.body)).toBe('InvalidArgument');
    });

    it('refuses a forged continuation token and treats an empty one as none', async () => {
      await expect(s3.send(new ListBucketsCommand({ ContinuationToken: '!!!' }))).rejects.toMatchObject({ name: 'InvalidArgument' });
      const whole = await s3.send(new ListBucketsCommand({ Prefix: 'page-', ContinuationToken: '' }));
      expect(whole.Buckets?.map((b) => b.Name)).toEqual(names);
      await s3.send(new PutObjectCommand({ Bucket: 'page-a1', Key: 'k', Body: 'x' }));
      const objects = await s3.send(new ListObjectsV2Command({ Bucket: 'page-a1', ContinuationToken: '' }));
      expect(objects.Contents?.map((o) => o.Key)).toEqual(['k']);
      expect(objects.ContinuationToken).toBeUndefined();
    });
  });
});
