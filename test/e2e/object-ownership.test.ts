// S3 Object Ownership and the permissions ACLs need, exercised with real SDK calls: a writer allowed only
// s3:PutObject cannot publish, hand over or read back its uploads; BucketOwnerEnforced (the default) disables
// ACLs; ObjectWriter and BucketOwnerPreferred decide who owns a new object; grants must name real grantees.
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketOwnershipControlsCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedRequest } from '../support/raw-client.js';
import { expectS3Error } from '../support/s3-error.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { anonymousClient, createUser, type TestUser } from '../support/users.js';

let server: TestServer;
let root: S3Client;
let anonymous: S3Client;

const objects = (bucket: string): string => `arn:aws:s3:::${bucket}/*`;

async function read(client: S3Client, bucket: string, key: string): Promise<string> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return res.Body!.transformToString();
}

async function ownerOf(bucket: string, key: string): Promise<string | undefined> {
  return (await root.send(new GetObjectAclCommand({ Bucket: bucket, Key: key }))).Owner?.ID;
}

async function listedOwner(bucket: string, key: string): Promise<string | undefined> {
  const listed = await root.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, FetchOwner: true }));
  return listed.Contents?.find((c) => c.Key === key)?.Owner?.ID;
}

beforeAll(async () => {
  server = await startTestServer();
  root = server.client();
  anonymous = anonymousClient(server);
});

afterAll(async () => {
  anonymous.destroy();
  await server.cleanup();
});

describe('ACL and tagging headers on writes need their own permissions', () => {
  let writer: TestUser;
  let publisher: TestUser;
  beforeAll(async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'drop', ObjectOwnership: 'ObjectWriter' }));
    await root.send(new CreateBucketCommand({ Bucket: 'drop-src' }));
    await root.send(new PutObjectCommand({ Bucket: 'drop-src', Key: 'doc', Body: 'source' }));
    writer = await createUser(server, 'writer', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:PutObject', Resource: objects('drop') },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: objects('drop-src') },
      ],
    });
    publisher = await createUser(server, 'publisher', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectAcl', 's3:PutObjectTagging'], Resource: objects('drop') }],
    });
  });

  it('a writer allowed only s3:PutObject cannot publish, hand over or tag its upload', async () => {
    await expectS3Error(writer.client.send(new PutObjectCommand({ Bucket: 'drop', Key: 'pub', Body: 'x', ACL: 'public-read' })), 'AccessDenied', 403);
    await expectS3Error(writer.client.send(new PutObjectCommand({ Bucket: 'drop', Key: 'pub', Body: 'x', GrantFullControl: 'id="publisher"' })), 'AccessDenied', 403);
    await expectS3Error(writer.client.send(new PutObjectCommand({ Bucket: 'drop', Key: 'pub', Body: 'x', Tagging: 'a=b' })), 'AccessDenied', 403);
    await expectS3Error(writer.client.send(new CreateMultipartUploadCommand({ Bucket: 'drop', Key: 'mp', ACL: 'public-read' })), 'AccessDenied', 403);
    await expectS3Error(
      writer.client.send(new CopyObjectCommand({ Bucket: 'drop', Key: 'copy', CopySource: 'drop-src/doc', ACL: 'public-read' })),
      'AccessDenied',
      403,
    );
    await expectS3Error(anonymous.send(new GetObjectCommand({ Bucket: 'drop', Key: 'pub' })), 'AccessDenied', 403);
    // Without the headers the same writes pass.
    await writer.client.send(new PutObjectCommand({ Bucket: 'drop', Key: 'pub', Body: 'x' }));
    await writer.client.send(new CopyObjectCommand({ Bucket: 'drop', Key: 'copy', CopySource: 'drop-src/doc' }));
  });

  it('with s3:PutObjectAcl and s3:PutObjectTagging the headers are honoured', async () => {
    await publisher.client.send(new PutObjectCommand({ Bucket: 'drop', Key: 'published', Body: 'hello', ACL: 'public-read', Tagging: 'team=web' }));
    expect(await read(anonymous, 'drop', 'published')).toBe('hello');
    const tags = await root.send(new GetObjectTaggingCommand({ Bucket: 'drop', Key: 'published' }));
    expect(tags.TagSet).toEqual([{ Key: 'team', Value: 'web' }]);
  });

  it('CreateBucket with an ACL needs s3:PutBucketAcl, and with x-amz-object-ownership s3:PutBucketOwnershipControls', async () => {
    const creator = await createUser(server, 'creator', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:CreateBucket', Resource: 'arn:aws:s3:::creator-*' }],
    });
    await expectS3Error(creator.client.send(new CreateBucketCommand({ Bucket: 'creator-a', ACL: 'public-read' })), 'AccessDenied', 403);
    await expectS3Error(creator.client.send(new CreateBucketCommand({ Bucket: 'creator-a', ObjectOwnership: 'ObjectWriter' })), 'AccessDenied', 403);
    await expectS3Error(creator.client.send(new CreateBucketCommand({ Bucket: 'creator-a', GrantRead: 'id="creator"' })), 'AccessDenied', 403);
    // A private ACL needs nothing more than s3:CreateBucket (rclone sends it when making a bucket).
    await creator.client.send(new CreateBucketCommand({ Bucket: 'creator-a', ACL: 'private' }));
    const acl = await root.send(new GetBucketAclCommand({ Bucket: 'creator-a' }));
    expect(acl.Grants).toEqual([{ Grantee: { ID: 'creator', DisplayName: 'creator', Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' }]);
  });
});

describe('bucket ownership controls', () => {
  it('new buckets are BucketOwnerEnforced; the setting is put, read and deleted', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'own-api' }));
    const got = await root.send(new GetBucketOwnershipControlsCommand({ Bucket: 'own-api' }));
    expect(got.OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    await root.send(new PutBucketOwnershipControlsCommand({ Bucket: 'own-api', OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
    expect((await root.send(new GetBucketOwnershipControlsCommand({ Bucket: 'own-api' }))).OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'ObjectWriter' }]);
    await root.send(new DeleteBucketOwnershipControlsCommand({ Bucket: 'own-api' }));
    await expectS3Error(root.send(new GetBucketOwnershipControlsCommand({ Bucket: 'own-api' })), 'OwnershipControlsNotFoundError', 404);
    await root.send(new CreateBucketCommand({ Bucket: 'own-preferred', ObjectOwnership: 'BucketOwnerPreferred' }));
    expect((await root.send(new GetBucketOwnershipControlsCommand({ Bucket: 'own-preferred' }))).OwnershipControls?.Rules).toEqual([
      { ObjectOwnership: 'BucketOwnerPreferred' },
    ]);
  });

  it('refuses an unknown setting', async () => {
    const body = '<OwnershipControls xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ObjectOwnership>Anyone</ObjectOwnership></Rule></OwnershipControls>';
    const res = await signedRequest(server.endpoint, { method: 'PUT', path: '/own-api', query: { ownershipControls: '' }, body });
    expect(res.status).toBe(400);
    expect(res.body).toContain('<Code>MalformedXML</Code>');
    const header = await signedRequest(server.endpoint, { method: 'PUT', path: '/own-bad', headers: { 'x-amz-object-ownership': 'Anyone' } });
    expect(header.status).toBe(400);
    expect(header.body).toContain('<Code>InvalidArgument</Code>');
  });

  it('BucketOwnerEnforced: ACLs are refused except bucket-owner-full-control, read back as the owner\'s, and grant nothing', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'enforced' }));
    await expectS3Error(root.send(new PutObjectCommand({ Bucket: 'enforced', Key: 'k', Body: 'x', ACL: 'public-read' })), 'AccessControlListNotSupported', 400);
    await expectS3Error(root.send(new PutObjectCommand({ Bucket: 'enforced', Key: 'k', Body: 'x', GrantRead: 'id="root"' })), 'AccessControlListNotSupported', 400);
    await root.send(new PutObjectCommand({ Bucket: 'enforced', Key: 'k', Body: 'x', ACL: 'bucket-owner-full-control' }));
    await root.send(new PutObjectCommand({ Bucket: 'enforced', Key: 'g', Body: 'x', GrantFullControl: 'id="root"' }));
    // private names the same grants on a new object here, and clients (rclone) send it by default.
    await root.send(new PutObjectCommand({ Bucket: 'enforced', Key: 'p', Body: 'x', ACL: 'private' }));
    await expectS3Error(root.send(new PutObjectAclCommand({ Bucket: 'enforced', Key: 'k', ACL: 'private' })), 'AccessControlListNotSupported', 400);
    await expectS3Error(root.send(new PutObjectAclCommand({ Bucket: 'enforced', Key: 'k', ACL: 'public-read' })), 'AccessControlListNotSupported', 400);
    await expectS3Error(root.send(new PutBucketAclCommand({ Bucket: 'enforced', ACL: 'public-read' })), 'AccessControlListNotSupported', 400);
    await expectS3Error(root.send(new PutBucketAclCommand({ Bucket: 'enforced', ACL: 'private' })), 'AccessControlListNotSupported', 400);
    await root.send(new PutObjectAclCommand({ Bucket: 'enforced', Key: 'k', ACL: 'bucket-owner-full-control' }));
    await expectS3Error(root.send(new CreateBucketCommand({ Bucket: 'enforced-public', ACL: 'public-read' })), 'InvalidBucketAclWithObjectOwnership', 400);
    const acl = await root.send(new GetObjectAclCommand({ Bucket: 'enforced', Key: 'k' }));
    expect(acl.Owner?.ID).toBe('root');
    expect(acl.Grants).toEqual([{ Grantee: { ID: 'root', DisplayName: 'root', Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' }]);
  });

  it('switching to BucketOwnerEnforced disables existing ACLs, and is refused while the bucket ACL shares access', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'switch', ObjectOwnership: 'ObjectWriter' }));
    await root.send(new PutObjectCommand({ Bucket: 'switch', Key: 'site.html', Body: 'site', ACL: 'public-read' }));
    expect(await read(anonymous, 'switch', 'site.html')).toBe('site');
    await root.send(new PutBucketAclCommand({ Bucket: 'switch', ACL: 'public-read' }));
    await expectS3Error(
      root.send(new PutBucketOwnershipControlsCommand({ Bucket: 'switch', OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } })),
      'InvalidBucketAclWithObjectOwnership',
      400,
    );
    await root.send(new PutBucketAclCommand({ Bucket: 'switch', ACL: 'private' }));
    await root.send(new PutBucketOwnershipControlsCommand({ Bucket: 'switch', OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
    await expectS3Error(anonymous.send(new GetObjectCommand({ Bucket: 'switch', Key: 'site.html' })), 'AccessDenied', 403);
    const acl = await root.send(new GetObjectAclCommand({ Bucket: 'switch', Key: 'site.html' }));
    expect(acl.Grants).toEqual([{ Grantee: { ID: 'root', DisplayName: 'root', Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' }]);
  });

  describe('who owns a new object', () => {
    let uploader: TestUser;
    beforeAll(async () => {
      uploader = await createUser(server, 'uploader', {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectAcl'], Resource: 'arn:aws:s3:::own-*/*' }],
      });
      await root.send(new CreateBucketCommand({ Bucket: 'own-enforced' }));
      await root.send(new CreateBucketCommand({ Bucket: 'own-writer', ObjectOwnership: 'ObjectWriter' }));
      await root.send(new CreateBucketCommand({ Bucket: 'own-pref', ObjectOwnership: 'BucketOwnerPreferred' }));
    });

    it('BucketOwnerEnforced: the bucket owner; the writer gains no read access through its upload', async () => {
      await uploader.client.send(new PutObjectCommand({ Bucket: 'own-enforced', Key: 'u', Body: 'mine?' }));
      expect(await ownerOf('own-enforced', 'u')).toBe('root');
      expect(await listedOwner('own-enforced', 'u')).toBe('root');
      await expectS3Error(uploader.client.send(new GetObjectCommand({ Bucket: 'own-enforced', Key: 'u' })), 'AccessDenied', 403);
    });

    it('ObjectWriter: the writer, recorded, with the rights an owner has through its ACL', async () => {
      await uploader.client.send(new PutObjectCommand({ Bucket: 'own-writer', Key: 'u', Body: 'mine' }));
      expect(await ownerOf('own-writer', 'u')).toBe('uploader');
      expect(await listedOwner('own-writer', 'u')).toBe('uploader');
      expect(await read(uploader.client, 'own-writer', 'u')).toBe('mine');
      const upload = await uploader.client.send(new CreateMultipartUploadCommand({ Bucket: 'own-writer', Key: 'mp' }));
      const part = await uploader.client.send(new UploadPartCommand({ Bucket: 'own-writer', Key: 'mp', UploadId: upload.UploadId, PartNumber: 1, Body: 'parts' }));
      await uploader.client.send(new CompleteMultipartUploadCommand({
        Bucket: 'own-writer', Key: 'mp', UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }));
      expect(await ownerOf('own-writer', 'mp')).toBe('uploader');
    });

    it('BucketOwnerPreferred: the bucket owner when the writer sends bucket-owner-full-control, else the writer', async () => {
      await uploader.client.send(new PutObjectCommand({ Bucket: 'own-pref', Key: 'given', Body: 'x', ACL: 'bucket-owner-full-control' }));
      await uploader.client.send(new PutObjectCommand({ Bucket: 'own-pref', Key: 'kept', Body: 'x' }));
      expect(await ownerOf('own-pref', 'given')).toBe('root');
      expect(await ownerOf('own-pref', 'kept')).toBe('uploader');
      await expectS3Error(uploader.client.send(new GetObjectCommand({ Bucket: 'own-pref', Key: 'given' })), 'AccessDenied', 403);
    });
  });
});

describe('grantees', () => {
  beforeAll(async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'grants', ObjectOwnership: 'ObjectWriter' }));
    await root.send(new PutObjectCommand({ Bucket: 'grants', Key: 'k', Body: 'x' }));
  });

  it('a grant to an id no user has is InvalidArgument', async () => {
    await expectS3Error(root.send(new PutObjectCommand({ Bucket: 'grants', Key: 'n', Body: 'x', GrantRead: 'id="no-such-user"' })), 'InvalidArgument', 400);
    await expectS3Error(
      root.send(new PutObjectAclCommand({
        Bucket: 'grants',
        Key: 'k',
        AccessControlPolicy: { Owner: { ID: 'root' }, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: 'no-such-user' }, Permission: 'READ' }] },
      })),
      'InvalidArgument',
      400,
    );
    await expectS3Error(root.send(new PutBucketAclCommand({ Bucket: 'grants', GrantRead: 'id="no-such-user"' })), 'InvalidArgument', 400);
    await root.send(new PutObjectCommand({ Bucket: 'grants', Key: 'n', Body: 'x', GrantRead: 'id="root"' }));
  });

  it('a grant by e-mail address is UnresolvableGrantByEmailAddress', async () => {
    await expectS3Error(
      root.send(new PutObjectCommand({ Bucket: 'grants', Key: 'e', Body: 'x', GrantRead: 'emailAddress="someone@example.com"' })),
      'UnresolvableGrantByEmailAddress',
      400,
    );
    await expectS3Error(
      root.send(new PutObjectAclCommand({
        Bucket: 'grants',
        Key: 'k',
        AccessControlPolicy: { Owner: { ID: 'root' }, Grants: [{ Grantee: { Type: 'AmazonCustomerByEmail', EmailAddress: 'someone@example.com' }, Permission: 'READ' }] },
      })),
      'UnresolvableGrantByEmailAddress',
      400,
    );
  });
});
