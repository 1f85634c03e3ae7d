// Users, identity policies, bucket policies, ACLs and public access blocks, exercised with real SDK calls:
// each principal can do exactly what the policies and ACLs allow, explicit Deny wins, anonymous reads only
// where something public allows them.
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Error } from '../support/s3-error.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectS3Error } from '../support/s3-error.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { anonymousClient, createUser, type TestUser } from '../support/users.js';

let server: TestServer;
let root: S3Client;
let anonymous: S3Client;

const userArn = (name: string): string => `arn:aws:iam::sklad:user/${name}`;

async function put(client: S3Client, bucket: string, key: string, body = 'data'): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function read(client: S3Client, bucket: string, key: string): Promise<string> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return res.Body!.transformToString();
}

async function policy(bucket: string, statements: object[]): Promise<void> {
  await root.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
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

describe('a user without any policy', () => {
  let nobody: TestUser;
  beforeAll(async () => {
    nobody = await createUser(server, 'nobody');
    await root.send(new CreateBucketCommand({ Bucket: 'root-only' }));
    await put(root, 'root-only', 'secret.txt');
  });

  it('cannot read, list, write or delete in buckets it does not own', async () => {
    await expectS3Error(nobody.client.send(new ListObjectsV2Command({ Bucket: 'root-only' })), 'AccessDenied', 403);
    await expectS3Error(nobody.client.send(new GetObjectCommand({ Bucket: 'root-only', Key: 'secret.txt' })), 'AccessDenied', 403);
    await expectS3Error(put(nobody.client, 'root-only', 'mine.txt'), 'AccessDenied', 403);
    await expectS3Error(nobody.client.send(new DeleteObjectCommand({ Bucket: 'root-only', Key: 'secret.txt' })), 'AccessDenied', 403);
    expect(await read(root, 'root-only', 'secret.txt')).toBe('data');
  });

  it('cannot create buckets, nor list them without s3:ListAllMyBuckets', async () => {
    await expectS3Error(nobody.client.send(new CreateBucketCommand({ Bucket: 'nobody-bucket' })), 'AccessDenied', 403);
    await expectS3Error(nobody.client.send(new ListBucketsCommand({})), 'AccessDenied', 403);
  });
});

describe('a CI user that may only write artifacts/* in one bucket', () => {
  let ci: TestUser;
  beforeAll(async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'builds' }));
    ci = await createUser(server, 'ci', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::builds/artifacts/*' }],
    });
  });

  it('writes and deletes under artifacts/ and nowhere else', async () => {
    await put(ci.client, 'builds', 'artifacts/app-1.0.tar.gz', 'tarball');
    expect(await read(root, 'builds', 'artifacts/app-1.0.tar.gz')).toBe('tarball');
    await expectS3Error(put(ci.client, 'builds', 'releases/app-1.0.tar.gz'), 'AccessDenied', 403);
    await expectS3Error(put(ci.client, 'root-only', 'artifacts/x'), 'AccessDenied', 403);
    await ci.client.send(new DeleteObjectCommand({ Bucket: 'builds', Key: 'artifacts/app-1.0.tar.gz' }));
  });

  it('cannot read back or list what it wrote', async () => {
    await put(ci.client, 'builds', 'artifacts/a.txt');
    await expectS3Error(ci.client.send(new GetObjectCommand({ Bucket: 'builds', Key: 'artifacts/a.txt' })), 'AccessDenied', 403);
    await expectS3Error(ci.client.send(new ListObjectsV2Command({ Bucket: 'builds' })), 'AccessDenied', 403);
  });

  it('DeleteObjects deletes the allowed keys and reports AccessDenied for the others', async () => {
    await put(root, 'builds', 'artifacts/b.txt');
    await put(root, 'builds', 'keep/c.txt');
    const res = await ci.client.send(new DeleteObjectsCommand({
      Bucket: 'builds',
      Delete: { Objects: [{ Key: 'artifacts/b.txt' }, { Key: 'keep/c.txt' }] },
    }));
    expect(res.Deleted?.map((d) => d.Key)).toEqual(['artifacts/b.txt']);
    expect(res.Errors?.map((e) => [e.Key, e.Code])).toEqual([['keep/c.txt', 'AccessDenied']]);
    expect(await read(root, 'builds', 'keep/c.txt')).toBe('data');
  });

  it('multipart uploads are authorized as s3:PutObject on the key', async () => {
    const { CreateMultipartUploadCommand } = await import('@aws-sdk/client-s3');
    await expectS3Error(ci.client.send(new CreateMultipartUploadCommand({ Bucket: 'builds', Key: 'other/big.bin' })), 'AccessDenied', 403);
    const upload = await ci.client.send(new CreateMultipartUploadCommand({ Bucket: 'builds', Key: 'artifacts/big.bin' }));
    expect(upload.UploadId).toBeTruthy();
  });
});

describe('explicit Deny overrides Allow', () => {
  let dev: TestUser;
  beforeAll(async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'shared' }));
    dev = await createUser(server, 'dev', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::shared', 'arn:aws:s3:::shared/*'] },
        { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/private/*' },
      ],
    });
  });

  it('a Deny in the user policy beats its own Allow', async () => {
    await put(dev.client, 'shared', 'private/p.txt');
    await put(dev.client, 'shared', 'public/p.txt');
    expect(await read(dev.client, 'shared', 'public/p.txt')).toBe('data');
    await expectS3Error(dev.client.send(new GetObjectCommand({ Bucket: 'shared', Key: 'private/p.txt' })), 'AccessDenied', 403);
  });

  it('a Deny in the bucket policy beats an Allow in the user policy', async () => {
    await policy('shared', [{ Effect: 'Deny', Principal: { AWS: userArn('dev') }, Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::shared/*' }]);
    await expectS3Error(dev.client.send(new DeleteObjectCommand({ Bucket: 'shared', Key: 'public/p.txt' })), 'AccessDenied', 403);
    await root.send(new DeleteBucketPolicyCommand({ Bucket: 'shared' }));
    await dev.client.send(new DeleteObjectCommand({ Bucket: 'shared', Key: 'public/p.txt' }));
  });

  it('a bucket policy Allow grants another user access that its own policy does not', async () => {
    const reader = await createUser(server, 'reader');
    await expectS3Error(reader.client.send(new GetObjectCommand({ Bucket: 'shared', Key: 'private/p.txt' })), 'AccessDenied', 403);
    await policy('shared', [
      { Effect: 'Allow', Principal: { AWS: [userArn('reader')] }, Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::shared', 'arn:aws:s3:::shared/*'] },
    ]);
    expect(await read(reader.client, 'shared', 'private/p.txt')).toBe('data');
    const listed = await reader.client.send(new ListObjectsV2Command({ Bucket: 'shared' }));
    expect(listed.Contents?.map((c) => c.Key)).toContain('private/p.txt');
    await expectS3Error(put(reader.client, 'shared', 'x'), 'AccessDenied', 403);
  });
});

describe('bucket owners', () => {
  it('a user allowed to create buckets owns them: full access for it, none for others', async () => {
    const team = await createUser(server, 'team', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:CreateBucket', Resource: 'arn:aws:s3:::team-*' }],
    });
    const other = await createUser(server, 'other');
    await expectS3Error(team.client.send(new CreateBucketCommand({ Bucket: 'not-team' })), 'AccessDenied', 403);
    await team.client.send(new CreateBucketCommand({ Bucket: 'team-data' }));
    await put(team.client, 'team-data', 'notes.txt', 'ours');
    expect(await read(team.client, 'team-data', 'notes.txt')).toBe('ours');
    // Owning buckets is no permission to list them: ListBuckets needs s3:ListAllMyBuckets, as on S3.
    await expectS3Error(team.client.send(new ListBucketsCommand({})), 'AccessDenied', 403);
    await expectS3Error(other.client.send(new GetObjectCommand({ Bucket: 'team-data', Key: 'notes.txt' })), 'AccessDenied', 403);
    expect(await read(root, 'team-data', 'notes.txt')).toBe('ours');
  });
});

describe('anonymous access', () => {
  beforeAll(async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'downloads' }));
    await put(root, 'downloads', 'pub/tool.zip', 'zip');
    await put(root, 'downloads', 'internal/plan.txt', 'plan');
  });

  it('is denied everything when nothing public allows it', async () => {
    await expectS3Error(anonymous.send(new GetObjectCommand({ Bucket: 'downloads', Key: 'pub/tool.zip' })), 'AccessDenied', 403);
    await expectS3Error(anonymous.send(new ListBucketsCommand({})), 'AccessDenied', 403);
  });

  it('reads what a public bucket policy allows, and nothing more', async () => {
    await policy('downloads', [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::downloads/pub/*' }]);
    expect(await read(anonymous, 'downloads', 'pub/tool.zip')).toBe('zip');
    await anonymous.send(new HeadObjectCommand({ Bucket: 'downloads', Key: 'pub/tool.zip' }));
    await expectS3Error(anonymous.send(new GetObjectCommand({ Bucket: 'downloads', Key: 'internal/plan.txt' })), 'AccessDenied', 403);
    await expectS3Error(put(anonymous, 'downloads', 'pub/evil.zip'), 'AccessDenied', 403);
    await expectS3Error(anonymous.send(new ListObjectsV2Command({ Bucket: 'downloads' })), 'AccessDenied', 403);
    const status = await root.send(new GetBucketPolicyStatusCommand({ Bucket: 'downloads' }));
    expect(status.PolicyStatus?.IsPublic).toBe(true);
  });

  it('reads an object whose ACL is public-read, and lists a bucket whose ACL is public-read', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'acl-site', ObjectOwnership: 'ObjectWriter' }));
    await root.send(new PutObjectCommand({ Bucket: 'acl-site', Key: 'index.html', Body: '<html/>', ACL: 'public-read' }));
    await put(root, 'acl-site', 'draft.html');
    expect(await read(anonymous, 'acl-site', 'index.html')).toBe('<html/>');
    await expectS3Error(anonymous.send(new GetObjectCommand({ Bucket: 'acl-site', Key: 'draft.html' })), 'AccessDenied', 403);
    await expectS3Error(anonymous.send(new ListObjectsV2Command({ Bucket: 'acl-site' })), 'AccessDenied', 403);
    await root.send(new PutBucketAclCommand({ Bucket: 'acl-site', ACL: 'public-read' }));
    const listed = await anonymous.send(new ListObjectsV2Command({ Bucket: 'acl-site' }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['draft.html', 'index.html']);
  });

  it('is denied over plain HTTP when the policy requires aws:SecureTransport', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'tls-only' }));
    await put(root, 'tls-only', 'f.txt');
    await policy('tls-only', [
      { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::tls-only/*' },
      { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::tls-only/*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ]);
    await expectS3Error(anonymous.send(new GetObjectCommand({ Bucket: 'tls-only', Key: 'f.txt' })), 'AccessDenied', 403);
  });

  it('follows aws:SourceIp conditions', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'by-ip' }));
    await put(root, 'by-ip', 'f.txt');
    await policy('by-ip', [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::by-ip/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }]);
    await expectS3Error(anonymous.send(new GetObjectCommand({ Bucket: 'by-ip', Key: 'f.txt' })), 'AccessDenied', 403);
    await policy('by-ip', [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::by-ip/*', Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } }]);
    expect(await read(anonymous, 'by-ip', 'f.txt')).toBe('data');
  });
});

describe('public access block', () => {
  beforeAll(async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'locked', ObjectOwnership: 'ObjectWriter' }));
    await root.send(new PutObjectCommand({ Bucket: 'locked', Key: 'was-public.txt', Body: 'x', ACL: 'public-read' }));
    expect(await read(anonymous, 'locked', 'was-public.txt')).toBe('x');
    await root.send(new PutPublicAccessBlockCommand({
      Bucket: 'locked',
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    }));
  });

  it('is stored and answered', async () => {
    const res = await root.send(new GetPublicAccessBlockCommand({ Bucket: 'locked' }));
    expect(res.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    await expectS3Error(root.send(new GetPublicAccessBlockCommand({ Bucket: 'builds' })), 'NoSuchPublicAccessBlockConfiguration', 404);
  });

  it('IgnorePublicAcls makes existing public ACLs inert', async () => {
    await expectS3Error(anonymous.send(new GetObjectCommand({ Bucket: 'locked', Key: 'was-public.txt' })), 'AccessDenied', 403);
  });

  it('BlockPublicAcls refuses new public ACLs', async () => {
    await expectS3Error(root.send(new PutObjectCommand({ Bucket: 'locked', Key: 'p.txt', Body: 'x', ACL: 'public-read' })), 'AccessDenied', 403);
    await expectS3Error(root.send(new PutBucketAclCommand({ Bucket: 'locked', ACL: 'public-read-write' })), 'AccessDenied', 403);
  });

  it('BlockPublicPolicy refuses a public bucket policy', async () => {
    await expectS3Error(
      policy('locked', [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::locked/*' }]),
      'AccessDenied',
      403,
    );
  });
});

describe('ACL operations', () => {
  it('GetBucketAcl and GetObjectAcl answer the owner and its grants', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'acls', ObjectOwnership: 'ObjectWriter' }));
    const bucketAcl = await root.send(new GetBucketAclCommand({ Bucket: 'acls' }));
    expect(bucketAcl.Owner?.ID).toBe('root');
    expect(bucketAcl.Grants).toEqual([{ Grantee: { ID: 'root', DisplayName: 'root', Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' }]);
    await root.send(new PutObjectCommand({ Bucket: 'acls', Key: 'o', Body: 'x', ACL: 'public-read' }));
    const objectAcl = await root.send(new GetObjectAclCommand({ Bucket: 'acls', Key: 'o' }));
    expect(objectAcl.Grants).toContainEqual({ Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' });
  });

  it('PutObjectAcl with an AccessControlPolicy body grants a named user', async () => {
    const friend = await createUser(server, 'friend');
    await put(root, 'acls', 'for-friend');
    await expectS3Error(friend.client.send(new GetObjectCommand({ Bucket: 'acls', Key: 'for-friend' })), 'AccessDenied', 403);
    await root.send(new PutObjectAclCommand({
      Bucket: 'acls',
      Key: 'for-friend',
      AccessControlPolicy: {
        Owner: { ID: 'root' },
        Grants: [
          { Grantee: { Type: 'CanonicalUser', ID: 'root' }, Permission: 'FULL_CONTROL' },
          { Grantee: { Type: 'CanonicalUser', ID: 'friend' }, Permission: 'READ' },
        ],
      },
    }));
    expect(await read(friend.client, 'acls', 'for-friend')).toBe('data');
    await expectS3Error(put(friend.client, 'acls', 'for-friend'), 'AccessDenied', 403);
  });

  it('x-amz-grant-* headers grant like their canned counterparts', async () => {
    const guest = await createUser(server, 'guest');
    await root.send(new PutObjectCommand({ Bucket: 'acls', Key: 'granted', Body: 'g', GrantRead: 'id="guest"' }));
    expect(await read(guest.client, 'acls', 'granted')).toBe('g');
  });
});

describe('bucket policy operations', () => {
  it('round-trips the document and answers NoSuchBucketPolicy when there is none', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'pol' }));
    await expectS3Error(root.send(new GetBucketPolicyCommand({ Bucket: 'pol' })), 'NoSuchBucketPolicy', 404);
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: userArn('dev') }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::pol/*' }] };
    await root.send(new PutBucketPolicyCommand({ Bucket: 'pol', Policy: JSON.stringify(doc) }));
    const got = await root.send(new GetBucketPolicyCommand({ Bucket: 'pol' }));
    expect(JSON.parse(got.Policy!)).toEqual(doc);
    const status = await root.send(new GetBucketPolicyStatusCommand({ Bucket: 'pol' }));
    expect(status.PolicyStatus?.IsPublic).toBe(false);
  });

  it('refuses malformed policies with MalformedPolicy and a message', async () => {
    await expectS3Error(root.send(new PutBucketPolicyCommand({ Bucket: 'pol', Policy: 'not json' })), 'MalformedPolicy', 400);
    await expectS3Error(
      root.send(new PutBucketPolicyCommand({ Bucket: 'pol', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other-bucket/*' }] }) })),
      'MalformedPolicy',
      400,
    );
    await expectS3Error(
      root.send(new PutBucketPolicyCommand({ Bucket: 'pol', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::pol/*' }] }) })),
      'MalformedPolicy',
      400,
    );
  });

  it('a user may not change the policy of a bucket it does not own', async () => {
    const mallory = await createUser(server, 'mallory');
    await expectS3Error(
      mallory.client.send(new PutBucketPolicyCommand({ Bucket: 'pol', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::pol/*' }] }) })),
      'AccessDenied',
      403,
    );
  });
});

describe('copy', () => {
  it('needs s3:GetObject on the source as well as s3:PutObject on the destination', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'copy-src' }));
    await put(root, 'copy-src', 'doc.txt');
    const writer = await createUser(server, 'writer', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::builds/*' }],
    });
    await expectS3Error(
      writer.client.send(new CopyObjectCommand({ Bucket: 'builds', Key: 'copied.txt', CopySource: 'copy-src/doc.txt' })),
      'AccessDenied',
      403,
    );
    await policy('copy-src', [{ Effect: 'Allow', Principal: { AWS: userArn('writer') }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::copy-src/*' }]);
    await writer.client.send(new CopyObjectCommand({ Bucket: 'builds', Key: 'copied.txt', CopySource: 'copy-src/doc.txt' }));
    expect(await read(root, 'builds', 'copied.txt')).toBe('data');
  });
});

describe('admin rights through policies', () => {
  it('a read-only auditor lists users but cannot change them; a key manager is limited to its users', async () => {
    const { signedRequest } = await import('../support/raw-client.js');
    const auditor = await createUser(server, 'auditor', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['admin:GetInfo', 'admin:List*', 'admin:Get*'], Resource: '*' }],
    });
    const as = (user: TestUser, method: string, path: string, body?: object) =>
      signedRequest(server.endpoint, {
        method,
        path: `/_sklad/admin/v1${path}`,
        accessKey: user.accessKeyId,
        secret: user.secretKey,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
    expect((await as(auditor, 'GET', '/users')).status).toBe(200);
    expect((await as(auditor, 'GET', '/info')).status).toBe(200);
    expect((await as(auditor, 'POST', '/users', { name: 'sneaky' })).status).toBe(403);

    const keyManager = await createUser(server, 'keymanager', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'admin:CreateAccessKey', Resource: 'arn:aws:iam::sklad:user/ci' }],
    });
    expect((await as(keyManager, 'POST', '/users/ci/keys')).status).toBe(201);
    expect((await as(keyManager, 'POST', '/users/dev/keys')).status).toBe(403);
  });
});

describe('a missing key', () => {
  beforeAll(async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'probe' }));
    await put(root, 'probe', 'there');
  });

  it('is AccessDenied to a reader without s3:ListBucket, NoSuchKey to one with it (GET and HEAD)', async () => {
    const peeker = await createUser(server, 'peeker', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::probe/*' }],
    });
    const lister = await createUser(server, 'lister', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::probe/*' },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::probe' },
      ],
    });
    expect(await read(peeker.client, 'probe', 'there')).toBe('data');
    await expectS3Error(peeker.client.send(new GetObjectCommand({ Bucket: 'probe', Key: 'absent' })), 'AccessDenied', 403);
    expect((await s3Error(peeker.client.send(new HeadObjectCommand({ Bucket: 'probe', Key: 'absent' })))).status).toBe(403);
    await expectS3Error(lister.client.send(new GetObjectCommand({ Bucket: 'probe', Key: 'absent' })), 'NoSuchKey', 404);
    expect((await s3Error(lister.client.send(new HeadObjectCommand({ Bucket: 'probe', Key: 'absent' })))).status).toBe(404);
    await expectS3Error(root.send(new GetObjectCommand({ Bucket: 'probe', Key: 'absent' })), 'NoSuchKey', 404);
  });
});

describe('ListBuckets and expected bucket owners', () => {
  it('ListBuckets lists every bucket to a principal allowed s3:ListAllMyBuckets', async () => {
    const inventory = await createUser(server, 'inventory', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
    });
    const names = (await inventory.client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
    expect(names).toContain('root-only');
    expect(names).toEqual((await root.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name));
  });

  it('x-amz-expected-bucket-owner and x-amz-source-expected-bucket-owner must name the owner', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'owned-by-root' }));
    await put(root, 'owned-by-root', 'k', 'mine');
    await expectS3Error(root.send(new GetObjectCommand({ Bucket: 'owned-by-root', Key: 'k', ExpectedBucketOwner: 'someone-else' })), 'AccessDenied', 403);
    await expectS3Error(
      root.send(new PutObjectCommand({ Bucket: 'owned-by-root', Key: 'k2', Body: 'x', ExpectedBucketOwner: 'someone-else' })),
      'AccessDenied',
      403,
    );
    await expectS3Error(root.send(new GetObjectCommand({ Bucket: 'owned-by-root', Key: 'k2' })), 'NoSuchKey', 404);
    const res = await root.send(new GetObjectCommand({ Bucket: 'owned-by-root', Key: 'k', ExpectedBucketOwner: 'root' }));
    expect(await res.Body!.transformToString()).toBe('mine');
    await expectS3Error(
      root.send(new CopyObjectCommand({ Bucket: 'owned-by-root', Key: 'c', CopySource: 'owned-by-root/k', ExpectedSourceBucketOwner: 'someone-else' })),
      'AccessDenied',
      403,
    );
    await root.send(new CopyObjectCommand({ Bucket: 'owned-by-root', Key: 'c', CopySource: 'owned-by-root/k', ExpectedSourceBucketOwner: 'root', ExpectedBucketOwner: 'root' }));
  });
});

describe('bucket policies bind root too', () => {
  // The classic policy from the S3 user guide ("Requiring server-side encryption").
  const denyUnencrypted = (bucket: string): object[] => [
    { Sid: 'DenyIncorrectEncryptionHeader', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/*`, Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } } },
    { Sid: 'DenyUnEncryptedObjectUploads', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/*`, Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } } },
  ];

  it('DenyUnencryptedObjectUploads stops root and users alike; the bucket default does not count as the header', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'encrypted-only' }));
    await policy('encrypted-only', denyUnencrypted('encrypted-only'));
    const uploader = await createUser(server, 'sse-uploader', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::encrypted-only/*' }],
    });
    await expectS3Error(put(root, 'encrypted-only', 'plain'), 'AccessDenied', 403);
    await expectS3Error(put(uploader.client, 'encrypted-only', 'plain'), 'AccessDenied', 403);
    await expectS3Error(
      root.send(new PutObjectCommand({ Bucket: 'encrypted-only', Key: 'kms', Body: 'x', ServerSideEncryption: 'aws:kms' })),
      'AccessDenied',
      403,
    );
    await root.send(new PutObjectCommand({ Bucket: 'encrypted-only', Key: 'sealed', Body: 'x', ServerSideEncryption: 'AES256' }));
    await uploader.client.send(new PutObjectCommand({ Bucket: 'encrypted-only', Key: 'sealed-too', Body: 'x', ServerSideEncryption: 'AES256' }));
    await root.send(new PutBucketEncryptionCommand({
      Bucket: 'encrypted-only',
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    }));
    await expectS3Error(put(root, 'encrypted-only', 'plain'), 'AccessDenied', 403);
  });

  it('s3:ObjectCreationOperation lets the parts of an encrypted multipart upload through such a policy', async () => {
    const { CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand } = await import('@aws-sdk/client-s3');
    await root.send(new CreateBucketCommand({ Bucket: 'encrypted-parts' }));
    await policy('encrypted-parts', [{
      Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::encrypted-parts/*',
      Condition: {
        Null: { 's3:x-amz-server-side-encryption': 'true' },
        StringNotEquals: { 's3:ObjectCreationOperation': ['UploadPart', 'UploadPartCopy', 'CompleteMultipartUpload'] },
      },
    }]);
    await expectS3Error(root.send(new CreateMultipartUploadCommand({ Bucket: 'encrypted-parts', Key: 'big' })), 'AccessDenied', 403);
    await expectS3Error(put(root, 'encrypted-parts', 'small'), 'AccessDenied', 403);
    const upload = await root.send(new CreateMultipartUploadCommand({ Bucket: 'encrypted-parts', Key: 'big', ServerSideEncryption: 'AES256' }));
    const part = await root.send(new UploadPartCommand({ Bucket: 'encrypted-parts', Key: 'big', UploadId: upload.UploadId, PartNumber: 1, Body: 'part one' }));
    await root.send(new CompleteMultipartUploadCommand({
      Bucket: 'encrypted-parts', Key: 'big', UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }));
    expect(await read(root, 'encrypted-parts', 'big')).toBe('part one');
  });

  it('a policy requiring SSE-C stops root without a customer key', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'sse-c-only' }));
    await policy('sse-c-only', [
      { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::sse-c-only/*', Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'true' } } },
    ]);
    await expectS3Error(put(root, 'sse-c-only', 'plain'), 'AccessDenied', 403);
    const key = Buffer.alloc(32, 7);
    await root.send(new PutObjectCommand({ Bucket: 'sse-c-only', Key: 'sealed', Body: 'x', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64') }));
  });

  it('root and the bucket owner can always read, replace and delete a policy that denies everything', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'locked-out' }));
    await put(root, 'locked-out', 'k');
    const denyAll = [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::locked-out', 'arn:aws:s3:::locked-out/*'] }];
    await policy('locked-out', denyAll);
    await expectS3Error(root.send(new GetObjectCommand({ Bucket: 'locked-out', Key: 'k' })), 'AccessDenied', 403);
    await expectS3Error(root.send(new ListObjectsV2Command({ Bucket: 'locked-out' })), 'AccessDenied', 403);
    expect(JSON.parse((await root.send(new GetBucketPolicyCommand({ Bucket: 'locked-out' }))).Policy!).Statement).toHaveLength(1);
    await policy('locked-out', denyAll);
    await root.send(new DeleteBucketPolicyCommand({ Bucket: 'locked-out' }));
    expect(await read(root, 'locked-out', 'k')).toBe('data');

    const keeper = await createUser(server, 'keeper', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:CreateBucket', Resource: 'arn:aws:s3:::keeper-*' }],
    });
    await keeper.client.send(new CreateBucketCommand({ Bucket: 'keeper-box' }));
    const keeperDenyAll = [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::keeper-box', 'arn:aws:s3:::keeper-box/*'] }];
    await keeper.client.send(new PutBucketPolicyCommand({ Bucket: 'keeper-box', Policy: JSON.stringify({ Version: '2012-10-17', Statement: keeperDenyAll }) }));
    await expectS3Error(put(keeper.client, 'keeper-box', 'k'), 'AccessDenied', 403);
    await keeper.client.send(new GetBucketPolicyCommand({ Bucket: 'keeper-box' }));
    await keeper.client.send(new DeleteBucketPolicyCommand({ Bucket: 'keeper-box' }));
    await put(keeper.client, 'keeper-box', 'k');
  });
});

describe('condition keys', () => {
  let tagged: TestUser;
  beforeAll(async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'by-tag' }));
    await root.send(new PutObjectCommand({ Bucket: 'by-tag', Key: 'open.txt', Body: 'open', Tagging: 'classification=public' }));
    await root.send(new PutObjectCommand({ Bucket: 'by-tag', Key: 'closed.txt', Body: 'closed', Tagging: 'classification=secret' }));
    tagged = await createUser(server, 'tagged');
  });

  it('s3:ExistingObjectTag/<key> tests the tags of the object read', async () => {
    await policy('by-tag', [
      { Effect: 'Allow', Principal: { AWS: userArn('tagged') }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::by-tag/*', Condition: { StringEquals: { 's3:ExistingObjectTag/classification': 'public' } } },
    ]);
    expect(await read(tagged.client, 'by-tag', 'open.txt')).toBe('open');
    await expectS3Error(tagged.client.send(new GetObjectCommand({ Bucket: 'by-tag', Key: 'closed.txt' })), 'AccessDenied', 403);
  });

  it('s3:RequestObjectTag/<key> tests the tags a PutObjectTagging body sets', async () => {
    await policy('by-tag', [
      { Effect: 'Allow', Principal: { AWS: userArn('tagged') }, Action: 's3:PutObjectTagging', Resource: 'arn:aws:s3:::by-tag/*', Condition: { StringEquals: { 's3:RequestObjectTag/classification': 'public' } } },
    ]);
    await tagged.client.send(new PutObjectTaggingCommand({ Bucket: 'by-tag', Key: 'open.txt', Tagging: { TagSet: [{ Key: 'classification', Value: 'public' }] } }));
    await expectS3Error(
      tagged.client.send(new PutObjectTaggingCommand({ Bucket: 'by-tag', Key: 'open.txt', Tagging: { TagSet: [{ Key: 'classification', Value: 'secret' }] } })),
      'AccessDenied',
      403,
    );
  });

  it('s3:RequestObjectTagKeys tests the tag keys an upload sends in x-amz-tagging', async () => {
    await policy('by-tag', [
      { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::by-tag/*', Condition: { 'ForAnyValue:StringEquals': { 's3:RequestObjectTagKeys': 'secret' } } },
    ]);
    await expectS3Error(root.send(new PutObjectCommand({ Bucket: 'by-tag', Key: 't', Body: 'x', Tagging: 'secret=1&other=2' })), 'AccessDenied', 403);
    await root.send(new PutObjectCommand({ Bucket: 'by-tag', Key: 't', Body: 'x', Tagging: 'other=2' }));
  });

  it('aws:UserAgent and s3:x-amz-acl reach the policy', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'by-agent', ObjectOwnership: 'ObjectWriter' }));
    await put(root, 'by-agent', 'f.txt');
    await policy('by-agent', [
      { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::by-agent/*', Condition: { StringLike: { 'aws:UserAgent': '*forbidden-agent*' } } },
      { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::by-agent/*', Condition: { StringEquals: { 's3:x-amz-acl': 'public-read' } } },
    ]);
    const forbidden = server.client({ customUserAgent: 'forbidden-agent/1.0' });
    await expectS3Error(forbidden.send(new GetObjectCommand({ Bucket: 'by-agent', Key: 'f.txt' })), 'AccessDenied', 403);
    expect(await read(root, 'by-agent', 'f.txt')).toBe('data');
    await expectS3Error(root.send(new PutObjectCommand({ Bucket: 'by-agent', Key: 'p', Body: 'x', ACL: 'public-read' })), 'AccessDenied', 403);
  });

  it('NotPrincipal with Allow is a malformed policy', async () => {
    await expectS3Error(
      policy('by-tag', [{ Effect: 'Allow', NotPrincipal: { AWS: userArn('tagged') }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::by-tag/*' }]),
      'MalformedPolicy',
      400,
    );
  });
});
