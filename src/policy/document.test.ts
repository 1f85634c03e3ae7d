import { describe, expect, it } from 'vitest';
import { MAX_BUCKET_POLICY_BYTES, parsePolicy, type ParseOptions } from './document.js';
import { PolicyError } from './errors.js';

const bucketOpts: ParseOptions = { kind: 'bucket', bucket: 'amzn-s3-demo-bucket' };
const identityOpts: ParseOptions = { kind: 'identity' };

function policy(statement: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statement, ...extra });
}

const publicRead = {
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: ['s3:GetObject', 's3:GetObjectVersion'],
  Resource: ['arn:aws:s3:::amzn-s3-demo-bucket/*'],
};

describe('parsePolicy: accepted documents (AWS bucket policy examples)', () => {
  it('normalises single strings to arrays and keeps the rest', () => {
    const doc = parsePolicy(
      policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::sklad:user/alice' }, Action: 's3:ListBucket', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket' }, { Id: 'P1' }),
      bucketOpts,
    );
    expect(doc).toEqual({
      Version: '2012-10-17',
      Id: 'P1',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::sklad:user/alice'] }, Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::amzn-s3-demo-bucket'] },
      ],
    });
  });

  it('accepts the public-read example', () => {
    expect(parsePolicy(policy([publicRead]), bucketOpts).Statement[0]).toEqual(publicRead);
  });

  it('accepts the IP-restriction example and normalises condition values to strings', () => {
    const doc = parsePolicy(
      policy([
        {
          Sid: 'IPAllow',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::amzn-s3-demo-bucket', 'arn:aws:s3:::amzn-s3-demo-bucket/*'],
          Condition: { NotIpAddress: { 'aws:SourceIp': '54.240.143.0/24' }, Bool: { 'aws:SecureTransport': false }, NumericLessThan: { 's3:max-keys': 10 } },
        },
      ]),
      bucketOpts,
    );
    expect(doc.Statement[0]?.Condition).toEqual({
      NotIpAddress: { 'aws:SourceIp': ['54.240.143.0/24'] },
      Bool: { 'aws:SecureTransport': ['false'] },
      NumericLessThan: { 's3:max-keys': ['10'] },
    });
  });

  it.each([
    ['NotPrincipal', { Effect: 'Deny', NotPrincipal: { AWS: ['arn:aws:iam::123456789012:user/alice', 'bob'] }, Action: 's3:*', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*' }],
    ['NotAction', { Effect: 'Deny', Principal: { AWS: '*' }, NotAction: 's3:GetObject', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*' }],
    ['NotResource', { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::amzn-s3-demo-bucket/public/*' }],
    ['CanonicalUser', { Effect: 'Allow', Principal: { CanonicalUser: 'alice' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*' }],
    ['root and paths', { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::sklad:root', 'arn:aws:iam::sklad:user/team/alice'] }, Action: 's3:Get*', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*' }],
    ['Service', { Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/logs/*' }],
    ['wildcard bucket part', { Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::amzn-s3-*' }],
    ['variables in the key', { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*' }],
    ['lower-case actions', { Effect: 'Allow', Principal: '*', Action: 's3:getobject', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*' }],
    ['every action', { Effect: 'Allow', Principal: '*', Action: '*', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*' }],
    ['IfExists and set operators', {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*',
      Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'AES256' }, 'ForAnyValue:StringLike': { 's3:ExistingObjectTag/team': ['a*'] }, Null: { 's3:x-amz-acl': 'true' }, StringEquals: { 's3:ExistingObjectTag/cost center': 'x' } },
    }],
  ])('accepts %s', (_name, statement) => {
    expect(() => parsePolicy(policy(statement), bucketOpts)).not.toThrow();
  });

  it('treats a missing Version as 2008-10-17 and a single statement object as a list', () => {
    const doc = parsePolicy(JSON.stringify({ Statement: publicRead }), bucketOpts);
    expect(doc.Version).toBe('2008-10-17');
    expect(doc.Statement).toHaveLength(1);
  });

  it('accepts identity policies with admin actions and any ARN', () => {
    const doc = parsePolicy(
      policy([
        { Effect: 'Allow', Action: ['admin:CreateUser', 'admin:*'], Resource: '*' },
        { Effect: 'Allow', Action: ['s3:ListAllMyBuckets'], Resource: '*' },
        { Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::any-bucket', 'arn:aws:s3:::any-bucket/*'] },
      ]),
      identityOpts,
    );
    expect(doc.Statement).toHaveLength(3);
  });
});

describe('parsePolicy: rejected documents', () => {
  const cases: Array<[name: string, text: string, opts: ParseOptions, message: RegExp]> = [
    ['empty text', '', bucketOpts, /Policies must be valid JSON and the first byte must be '\{'/],
    ['not JSON', '{"Version":', bucketOpts, /first byte must be '\{'/],
    ['a JSON array', '[]', bucketOpts, /first byte must be '\{'/],
    ['a JSON string', '"x"', bucketOpts, /first byte must be '\{'/],
    ['unknown top-level key', policy([publicRead], { Foo: 1 }), bucketOpts, /Unknown field Foo/],
    ['bad version', policy([publicRead], { Version: '2012-10-18' }), bucketOpts, /valid version/],
    ['no statement', JSON.stringify({ Version: '2012-10-17' }), bucketOpts, /Missing required field Statement/],
    ['empty statement list', policy([]), bucketOpts, /Statement is empty/],
    ['statement not an object', policy(['x']), bucketOpts, /JSON object/],
    ['unknown statement key', policy([{ ...publicRead, Actions: ['s3:GetObject'] }]), bucketOpts, /Unknown field Actions/],
    ['missing Effect', policy([{ ...publicRead, Effect: undefined }]), bucketOpts, /Missing required field Effect/],
    ['bad Effect', policy([{ ...publicRead, Effect: 'allow' }]), bucketOpts, /Invalid effect: allow/],
    ['missing Action', policy([{ ...publicRead, Action: undefined }]), bucketOpts, /Missing required field Action/],
    ['Action and NotAction', policy([{ ...publicRead, NotAction: 's3:PutObject' }]), bucketOpts, /both Action and NotAction/],
    ['empty Action list', policy([{ ...publicRead, Action: [] }]), bucketOpts, /non-empty array/],
    ['non-S3 action', policy([{ ...publicRead, Action: 'ec2:RunInstances' }]), bucketOpts, /Policy has invalid action/],
    ['unknown S3 action', policy([{ ...publicRead, Action: 's3:GetObjekt' }]), bucketOpts, /Policy has invalid action/],
    ['wildcard matching no action', policy([{ ...publicRead, Action: 's3:Fly*' }]), bucketOpts, /Policy has invalid action/],
    ['malformed action', policy([{ ...publicRead, Action: 'GetObject' }]), bucketOpts, /Policy has invalid action/],
    ['admin action in a bucket policy', policy([{ ...publicRead, Action: 'admin:CreateUser' }]), bucketOpts, /Policy has invalid action/],
    ['missing Principal', policy([{ ...publicRead, Principal: undefined }]), bucketOpts, /Missing required field Principal/],
    ['bad principal string', policy([{ ...publicRead, Principal: 'alice' }]), bucketOpts, /Invalid principal in policy/],
    ['unknown principal type', policy([{ ...publicRead, Principal: { Federated: 'x' } }]), bucketOpts, /Invalid principal in policy/],
    ['partial wildcard principal', policy([{ ...publicRead, Principal: { AWS: 'arn:aws:iam::*:user/alice' } }]), bucketOpts, /Invalid principal in policy/],
    ['role principal', policy([{ ...publicRead, Principal: { AWS: 'arn:aws:iam::sklad:role/r' } }]), bucketOpts, /Invalid principal in policy/],
    ['empty principal object', policy([{ ...publicRead, Principal: {} }]), bucketOpts, /Invalid principal in policy/],
    ['empty principal list', policy([{ ...publicRead, Principal: { AWS: [] } }]), bucketOpts, /Invalid principal in policy/],
    ['missing Resource', policy([{ ...publicRead, Resource: undefined }]), bucketOpts, /Missing required field Resource/],
    ['resource of another bucket', policy([{ ...publicRead, Resource: 'arn:aws:s3:::other-bucket/*' }]), bucketOpts, /Policy has invalid resource/],
    ['resource "*" in a bucket policy', policy([{ ...publicRead, Resource: '*' }]), bucketOpts, /Policy has invalid resource/],
    ['non-S3 resource', policy([{ ...publicRead, Resource: 'arn:aws:sqs:::amzn-s3-demo-bucket' }]), bucketOpts, /Policy has invalid resource/],
    ['variable in the bucket part', policy([{ ...publicRead, Resource: 'arn:aws:s3:::${aws:username}/*' }]), bucketOpts, /Policy has invalid resource/],
    ['object action on the bucket ARN', policy([{ ...publicRead, Resource: 'arn:aws:s3:::amzn-s3-demo-bucket' }]), bucketOpts, /Action does not apply to any resource\(s\) in statement/],
    ['bucket action on object ARNs', policy([{ ...publicRead, Action: 's3:ListBucket' }]), bucketOpts, /Action does not apply/],
    ['service action in a bucket policy', policy([{ ...publicRead, Action: 's3:ListAllMyBuckets' }]), bucketOpts, /Action does not apply/],
    ['unknown condition operator', policy([{ ...publicRead, Condition: { StringEqualz: { 's3:prefix': 'a' } } }]), bucketOpts, /Invalid Condition type : StringEqualz/],
    ['NullIfExists', policy([{ ...publicRead, Condition: { NullIfExists: { 's3:prefix': 'true' } } }]), bucketOpts, /Invalid Condition type/],
    ['condition key without a prefix', policy([{ ...publicRead, Condition: { StringEquals: { prefix: 'a' } } }]), bucketOpts, /invalid condition key/],
    ['bad IP value', policy([{ ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '300.1.1.1/8' } } }]), bucketOpts, /Invalid value for IpAddress/],
    ['bad number', policy([{ ...publicRead, Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } }]), bucketOpts, /Invalid value for NumericLessThan/],
    ['bad date', policy([{ ...publicRead, Condition: { DateGreaterThan: { 'aws:CurrentTime': 'soon' } } }]), bucketOpts, /Invalid value for DateGreaterThan/],
    ['bad Bool', policy([{ ...publicRead, Condition: { Bool: { 'aws:SecureTransport': 'yes' } } }]), bucketOpts, /Invalid value for Bool/],
    ['object condition value', policy([{ ...publicRead, Condition: { StringEquals: { 's3:prefix': { a: 1 } } } }]), bucketOpts, /Invalid Condition value/],
    ['empty condition values', policy([{ ...publicRead, Condition: { StringEquals: { 's3:prefix': [] } } }]), bucketOpts, /no values/],
    ['duplicate Sid', policy([publicRead, publicRead]), bucketOpts, /must be unique/],
    ['principal in an identity policy', policy([{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }]), identityOpts, /should not specify a principal/],
    ['NotPrincipal with Allow', policy([{ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::sklad:user/alice' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*' }]), bucketOpts, /NotPrincipal is supported only in statements with "Effect": "Deny"/],
    ['NotPrincipal in an identity policy', policy([{ Effect: 'Allow', NotPrincipal: { AWS: 'x' }, Action: 's3:GetObject', Resource: '*' }]), identityOpts, /should not specify a principal/],
    ['identity resource not an ARN', policy([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'bucket/*' }]), identityOpts, /must be in ARN format/],
    ['identity action of another service', policy([{ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' }]), identityOpts, /Policy has invalid action/],
  ];

  it.each(cases)('rejects %s', (_name, text, opts, message) => {
    let error: unknown;
    try {
      parsePolicy(text, opts);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).code).toBe('MalformedPolicy');
    expect((error as PolicyError).message).toMatch(message);
  });

  it('limits bucket policies to 20 KB', () => {
    const statements = Array.from({ length: 200 }, (_, i) => ({ ...publicRead, Sid: `S${i}` }));
    const big = policy(statements);
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX_BUCKET_POLICY_BYTES);
    expect(() => parsePolicy(big, bucketOpts)).toThrow(/less than 20480 bytes/);
    const padded = policy([publicRead]).padEnd(MAX_BUCKET_POLICY_BYTES, ' ');
    expect(() => parsePolicy(padded, bucketOpts)).not.toThrow();
    expect(() => parsePolicy(`${padded} `, bucketOpts)).toThrow(PolicyError);
  });

  it('limits identity policies to 6,144 characters, whitespace not counted', () => {
    const statements = Array.from({ length: 100 }, (_, i) => ({ Sid: `S${i}`, Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }));
    expect(() => parsePolicy(policy(statements), identityOpts)).toThrow(/PolicySize: 6144/);
    const small = policy(statements.slice(0, 5));
    expect(() => parsePolicy(small.replace(/,/g, ',' + ' '.repeat(300)), identityOpts)).not.toThrow();
  });

  it('requires the bucket name for bucket policies', () => {
    expect(() => parsePolicy(policy([publicRead]), { kind: 'bucket' })).toThrow(/bucket name/);
  });
});
