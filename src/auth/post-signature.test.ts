import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors/s3-error.js';
import { StaticCredentials } from './credentials.js';
import { authenticatePostForm } from './post-signature.js';
import { deriveSigningKey } from './sigv4/signing-key.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const credentials = new StaticCredentials([{ accessKeyId: 'AKIDEXAMPLE', secretKey: SECRET, userId: 'alice', isRoot: false }]);
const POLICY = Buffer.from('{"expiration":"2030-01-01T00:00:00Z","conditions":[]}').toString('base64');

function v4(overrides: Record<string, string | undefined> = {}): Map<string, string> {
  const signature = createHmac('sha256', deriveSigningKey(SECRET, '20260101', 'us-east-1', 's3')).update(POLICY).digest('hex');
  const fields: Record<string, string | undefined> = {
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': 'AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request',
    'x-amz-date': '20260101T000000Z',
    policy: POLICY,
    'x-amz-signature': signature,
    ...overrides,
  };
  return new Map(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof S3Error) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('authenticatePostForm', () => {
  it('accepts a SigV4 form and names its signer', async () => {
    const signer = await authenticatePostForm(v4(), credentials, 'us-east-1');
    expect(signer).toEqual({ principal: { accessKeyId: 'AKIDEXAMPLE', userId: 'alice', isRoot: false }, policy: POLICY });
  });

  it('accepts any region in the scope when no region is configured', async () => {
    const signature = createHmac('sha256', deriveSigningKey(SECRET, '20260101', 'eu-north-1', 's3')).update(POLICY).digest('hex');
    const fields = v4({ 'x-amz-credential': 'AKIDEXAMPLE/20260101/eu-north-1/s3/aws4_request', 'x-amz-signature': signature });
    expect((await authenticatePostForm(fields, credentials, undefined)).principal.userId).toBe('alice');
  });

  it('accepts a SigV2 form', async () => {
    const signature = createHmac('sha1', SECRET).update(POLICY).digest('base64');
    const fields = new Map([['awsaccesskeyid', 'AKIDEXAMPLE'], ['signature', signature], ['policy', POLICY]]);
    expect((await authenticatePostForm(fields, credentials, 'us-east-1')).principal.userId).toBe('alice');
    fields.set('signature', createHmac('sha1', 'other').update(POLICY).digest('base64'));
    expect(await failure(authenticatePostForm(fields, credentials, 'us-east-1'))).toMatch(/^SignatureDoesNotMatch/);
  });

  it('treats a form without signature fields as anonymous', async () => {
    expect(await authenticatePostForm(new Map([['key', 'k']]), credentials, 'us-east-1')).toEqual({ principal: expect.objectContaining({ anonymous: true }) });
  });

  it('refuses each missing or wrong part with S3 codes', async () => {
    const check = (fields: Map<string, string>, region = 'us-east-1') => failure(authenticatePostForm(fields, credentials, region));
    expect(await check(v4({ policy: undefined }))).toBe("InvalidArgument: Bucket POST must contain a field named 'policy'.  If it is specified, please check the order of the fields.");
    expect(await check(v4({ 'x-amz-date': undefined }))).toMatch(/field named 'x-amz-date'/);
    expect(await check(v4({ 'x-amz-credential': undefined }))).toMatch(/field named 'x-amz-credential'/);
    expect(await check(v4({ 'x-amz-algorithm': 'AWS4-HMAC-SHA1' }))).toMatch(/^InvalidArgument/);
    expect(await check(v4({ 'x-amz-credential': 'AKIDEXAMPLE/2026/us-east-1/s3/aws4_request' }))).toMatch(/^InvalidArgument: Invalid credential/);
    expect(await check(v4({ 'x-amz-date': '20260102T000000Z' }))).toMatch(/^InvalidArgument/);
    expect(await check(v4(), 'eu-west-1')).toMatch(/^AuthorizationQueryParametersError: .*the region 'us-east-1' is wrong; expecting 'eu-west-1'/);
    expect(await check(v4({ 'x-amz-credential': 'NOBODY/20260101/us-east-1/s3/aws4_request' }))).toMatch(/^InvalidAccessKeyId/);
    expect(await check(v4({ 'x-amz-signature': 'f'.repeat(64) }))).toMatch(/^SignatureDoesNotMatch/);
    expect(await check(new Map([['policy', POLICY]]))).toMatch(/field named 'x-amz-signature'/);
  });
});
