import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand, DeleteBucketCommand, GetBucketLocationCommand, GetBucketVersioningCommand,
  HeadBucketCommand, ListBucketsCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { s3Error } from '../support/s3-error.js';

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
});
