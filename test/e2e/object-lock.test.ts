// Object Lock through the AWS SDK: lock-enabled buckets, default retention, per-version retention and legal
// holds, and what each principal can and cannot do about them. COMPLIANCE yields to nobody, root included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketVersioningCommand,
  GetObjectCommand, GetObjectLegalHoldCommand, GetObjectLockConfigurationCommand, GetObjectRetentionCommand, HeadObjectCommand,
  PutBucketVersioningCommand, PutObjectCommand, PutObjectLegalHoldCommand, PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand, S3Client,
} from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { expectS3Error } from '../support/s3-error.js';
import { signedRequest } from '../support/raw-client.js';
import { createUser, type TestUser } from '../support/users.js';

let t: TestServer;
let s3: S3Client;
let writer: TestUser;
let admin: TestUser;

const inDays = (days: number): Date => new Date(Date.now() + days * 86_400_000);

beforeAll(async () => {
  t = await startTestServer();
  s3 = t.client();
  const everything = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
  const noBypass = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      { Effect: 'Deny', Action: 's3:BypassGovernanceRetention', Resource: '*' },
    ],
  };
  writer = await createUser(t, 'writer', noBypass);
  admin = await createUser(t, 'lockadmin', everything);
  await s3.send(new CreateBucketCommand({ Bucket: 'vault', ObjectLockEnabledForBucket: true }));
});
afterAll(() => t.cleanup());

describe('a bucket created with Object Lock', () => {
  it('is versioned for good and starts without a default retention', async () => {
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'vault' }))).Status).toBe('Enabled');
    await expectS3Error(s3.send(new PutBucketVersioningCommand({ Bucket: 'vault', VersioningConfiguration: { Status: 'Suspended' } })), 'InvalidBucketState', 409);
    const config = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'vault' }));
    expect(config.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled' });
  });

  it('refuses lock operations on a bucket without Object Lock', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'plain' }));
    await expectS3Error(s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'plain' })), 'ObjectLockConfigurationNotFoundError', 404);
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'k', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inDays(1) })),
      'InvalidRequest', 400,
    );
    await expectS3Error(
      s3.send(new PutObjectLockConfigurationCommand({ Bucket: 'plain', ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } })),
      'InvalidBucketState', 409,
    );
  });
});

describe('COMPLIANCE retention', () => {
  let version: string;
  beforeAll(async () => {
    const put = await s3.send(new PutObjectCommand({
      Bucket: 'vault', Key: 'ledger', Body: 'audited', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: inDays(2),
    }));
    version = put.VersionId!;
  });

  it('is reported on the version', async () => {
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'vault', Key: 'ledger' }));
    expect(head.ObjectLockMode).toBe('COMPLIANCE');
    expect(head.ObjectLockRetainUntilDate!.getTime()).toBeGreaterThan(Date.now());
    const retention = await s3.send(new GetObjectRetentionCommand({ Bucket: 'vault', Key: 'ledger', VersionId: version }));
    expect(retention.Retention?.Mode).toBe('COMPLIANCE');
  });

  it('survives every delete by every principal, root and bypass included', async () => {
    for (const client of [s3, admin.client, writer.client]) {
      await expectS3Error(client.send(new DeleteObjectCommand({ Bucket: 'vault', Key: 'ledger', VersionId: version })), 'AccessDenied', 403);
      await expectS3Error(client.send(new DeleteObjectCommand({ Bucket: 'vault', Key: 'ledger', VersionId: version, BypassGovernanceRetention: true })), 'AccessDenied', 403);
      const multi = await client.send(new DeleteObjectsCommand({ Bucket: 'vault', BypassGovernanceRetention: true, Delete: { Objects: [{ Key: 'ledger', VersionId: version }] } }));
      expect(multi.Errors?.[0]?.Code).toBe('AccessDenied');
    }
    expect((await s3.send(new GetObjectCommand({ Bucket: 'vault', Key: 'ledger', VersionId: version }))).VersionId).toBe(version);
  });

  it('cannot be shortened, removed or weakened by anyone, but can be extended', async () => {
    const current = (await s3.send(new GetObjectRetentionCommand({ Bucket: 'vault', Key: 'ledger', VersionId: version }))).Retention!;
    for (const client of [s3, admin.client]) {
      await expectS3Error(client.send(new PutObjectRetentionCommand({
        Bucket: 'vault', Key: 'ledger', VersionId: version, BypassGovernanceRetention: true, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: inDays(1) },
      })), 'AccessDenied', 403);
      await expectS3Error(client.send(new PutObjectRetentionCommand({
        Bucket: 'vault', Key: 'ledger', VersionId: version, BypassGovernanceRetention: true, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: inDays(5) },
      })), 'AccessDenied', 403);
      await expectS3Error(client.send(new PutObjectRetentionCommand({
        Bucket: 'vault', Key: 'ledger', VersionId: version, BypassGovernanceRetention: true, Retention: {},
      })), 'AccessDenied', 403);
    }
    expect((await s3.send(new GetObjectRetentionCommand({ Bucket: 'vault', Key: 'ledger', VersionId: version }))).Retention).toEqual(current);
    await s3.send(new PutObjectRetentionCommand({ Bucket: 'vault', Key: 'ledger', VersionId: version, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: inDays(3) } }));
    const extended = (await s3.send(new GetObjectRetentionCommand({ Bucket: 'vault', Key: 'ledger', VersionId: version }))).Retention!;
    expect(extended.RetainUntilDate!.getTime()).toBeGreaterThan(current.RetainUntilDate!.getTime());
  });

  it('still allows a delete marker, and keeps the bucket from being deleted', async () => {
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: 'vault', Key: 'ledger' }));
    expect(marker.DeleteMarker).toBe(true);
    expect((await s3.send(new GetObjectCommand({ Bucket: 'vault', Key: 'ledger', VersionId: version }))).VersionId).toBe(version);
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: 'vault' })), 'BucketNotEmpty', 409);
  });
});

describe('GOVERNANCE retention', () => {
  it('yields only to x-amz-bypass-governance-retention from a principal allowed s3:BypassGovernanceRetention', async () => {
    const v = (await s3.send(new PutObjectCommand({
      Bucket: 'vault', Key: 'gov', Body: 'g', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inDays(1),
    }))).VersionId!;
    await expectS3Error(admin.client.send(new DeleteObjectCommand({ Bucket: 'vault', Key: 'gov', VersionId: v })), 'AccessDenied', 403);
    await expectS3Error(writer.client.send(new DeleteObjectCommand({ Bucket: 'vault', Key: 'gov', VersionId: v, BypassGovernanceRetention: true })), 'AccessDenied', 403);
    await expectS3Error(writer.client.send(new PutObjectRetentionCommand({ Bucket: 'vault', Key: 'gov', VersionId: v, BypassGovernanceRetention: true, Retention: {} })), 'AccessDenied', 403);
    await admin.client.send(new DeleteObjectCommand({ Bucket: 'vault', Key: 'gov', VersionId: v, BypassGovernanceRetention: true }));
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: 'vault', Key: 'gov', VersionId: v })), 'NotFound', 404);
  });
});

describe('legal hold', () => {
  it('blocks deletion of that version until it is lifted', async () => {
    const v = (await s3.send(new PutObjectCommand({ Bucket: 'vault', Key: 'held', Body: 'h', ObjectLockLegalHoldStatus: 'ON' }))).VersionId!;
    expect((await s3.send(new GetObjectLegalHoldCommand({ Bucket: 'vault', Key: 'held', VersionId: v }))).LegalHold?.Status).toBe('ON');
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: 'vault', Key: 'held', VersionId: v, BypassGovernanceRetention: true })), 'AccessDenied', 403);
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: 'vault', Key: 'held', VersionId: v, LegalHold: { Status: 'OFF' } }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'vault', Key: 'held', VersionId: v }));
  });
});

describe('default retention', () => {
  it('applies the bucket default to new versions', async () => {
    await s3.send(new PutObjectLockConfigurationCommand({
      Bucket: 'vault', ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } },
    }));
    const config = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'vault' }));
    expect(config.ObjectLockConfiguration?.Rule?.DefaultRetention).toEqual({ Mode: 'GOVERNANCE', Days: 1 });
    const v = (await s3.send(new PutObjectCommand({ Bucket: 'vault', Key: 'defaulted', Body: 'd' }))).VersionId!;
    const retention = (await s3.send(new GetObjectRetentionCommand({ Bucket: 'vault', Key: 'defaulted', VersionId: v }))).Retention!;
    expect(retention.Mode).toBe('GOVERNANCE');
    const hours = (retention.RetainUntilDate!.getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23);
    expect(hours).toBeLessThan(25);
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: 'vault', Key: 'defaulted', VersionId: v })), 'AccessDenied', 403);
  });

  it('refuses a configuration with both Days and Years, or a lock body without a digest', async () => {
    await expectS3Error(s3.send(new PutObjectLockConfigurationCommand({
      Bucket: 'vault', ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1, Years: 1 } } },
    })), 'MalformedXML', 400);
    const body = '<LegalHold><Status>ON</Status></LegalHold>';
    const res = await signedRequest(t.endpoint, { method: 'PUT', path: '/vault/defaulted', query: { 'legal-hold': '' }, body });
    expect(res.status).toBe(400);
    expect(res.body).toContain('MissingContentMD5');
  });
});
