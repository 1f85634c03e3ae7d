import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy, type PolicyDocument, type PrincipalElement } from './document.js';
import { evaluatePolicy, principalMatches, withPrincipalKeys, type PolicyPrincipal, type RequestFacts } from './evaluate.js';

const BUCKET = 'photos';
const alice: PolicyPrincipal = { kind: 'user', name: 'alice' };
const bob: PolicyPrincipal = { kind: 'user', name: 'bob' };
const root: PolicyPrincipal = { kind: 'root' };
const anonymous: PolicyPrincipal = { kind: 'anonymous' };

function bucketPolicy(...statements: object[]): PolicyDocument {
  return parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), { kind: 'bucket', bucket: BUCKET });
}
function identityPolicy(...statements: object[]): PolicyDocument {
  return parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), { kind: 'identity' });
}
function facts(principal: PolicyPrincipal, action: string, key?: string, context: RequestFacts['context'] = {}): RequestFacts {
  return { principal, action, resource: key === undefined ? `arn:aws:s3:::${BUCKET}` : `arn:aws:s3:::${BUCKET}/${key}`, context };
}

describe('principalMatches', () => {
  const cases: Array<[PrincipalElement, PolicyPrincipal, boolean]> = [
    ['*', anonymous, true],
    ['*', alice, true],
    [{ AWS: ['*'] }, anonymous, true],
    [{ AWS: ['arn:aws:iam::sklad:user/alice'] }, alice, true],
    [{ AWS: ['arn:aws:iam::sklad:user/alice'] }, bob, false],
    [{ AWS: ['arn:aws:iam::sklad:user/alice'] }, anonymous, false],
    [{ AWS: ['arn:aws:iam::123456789012:user/alice'] }, alice, true],
    [{ AWS: ['arn:aws:iam::sklad:user/division/team/alice'] }, alice, true],
    [{ AWS: ['arn:aws:iam::sklad:user/alice'] }, root, false],
    [{ AWS: ['alice'] }, alice, true],
    [{ AWS: ['alice'] }, bob, false],
    [{ AWS: ['arn:aws:iam::sklad:root'] }, root, true],
    [{ AWS: ['arn:aws:iam::sklad:root'] }, alice, false],
    [{ CanonicalUser: ['alice'] }, alice, true],
    [{ CanonicalUser: ['alice'] }, anonymous, false],
    [{ AWS: ['bob'], CanonicalUser: ['alice'] }, alice, true],
    [{ Service: ['logging.s3.amazonaws.com'] }, alice, false],
  ];
  it.each(cases)('%j names %j → %s', (element, principal, expected) => {
    expect(principalMatches(element, principal)).toBe(expected);
  });
});

describe('evaluatePolicy', () => {
  it('allows what a statement allows and says nothing about the rest', () => {
    const doc = bucketPolicy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` });
    expect(evaluatePolicy(doc, facts(anonymous, 's3:GetObject', 'a.jpg'))).toBe('Allow');
    expect(evaluatePolicy(doc, facts(anonymous, 's3:PutObject', 'a.jpg'))).toBe('NoMatch');
    expect(evaluatePolicy(doc, facts(anonymous, 's3:ListBucket'))).toBe('NoMatch');
  });

  it('matches actions case-insensitively and with wildcards', () => {
    const doc = bucketPolicy({ Effect: 'Allow', Principal: '*', Action: 's3:get*', Resource: `arn:aws:s3:::${BUCKET}/*` });
    expect(evaluatePolicy(doc, facts(alice, 's3:GetObject', 'k'))).toBe('Allow');
    expect(evaluatePolicy(doc, facts(alice, 'S3:GETOBJECTTAGGING', 'k'))).toBe('Allow');
    expect(evaluatePolicy(doc, facts(alice, 's3:PutObject', 'k'))).toBe('NoMatch');
  });

  it('matches resources case-sensitively', () => {
    const doc = bucketPolicy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/Public/*` });
    expect(evaluatePolicy(doc, facts(alice, 's3:GetObject', 'Public/a'))).toBe('Allow');
    expect(evaluatePolicy(doc, facts(alice, 's3:GetObject', 'public/a'))).toBe('NoMatch');
  });

  it('an explicit Deny beats an Allow in the same document, whatever the order', () => {
    const allow = { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${BUCKET}/*` };
    const deny = { Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${BUCKET}/*` };
    for (const doc of [bucketPolicy(allow, deny), bucketPolicy(deny, allow)]) {
      expect(evaluatePolicy(doc, facts(alice, 's3:DeleteObject', 'k'))).toBe('Deny');
      expect(evaluatePolicy(doc, facts(alice, 's3:GetObject', 'k'))).toBe('Allow');
    }
  });

  it('NotAction applies to every other action', () => {
    // AWS example: deny everything except reading.
    const doc = bucketPolicy({ Effect: 'Deny', Principal: '*', NotAction: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`] });
    expect(evaluatePolicy(doc, facts(alice, 's3:PutObject', 'k'))).toBe('Deny');
    expect(evaluatePolicy(doc, facts(alice, 's3:GetObject', 'k'))).toBe('NoMatch');
    expect(evaluatePolicy(doc, facts(alice, 's3:listbucket'))).toBe('NoMatch');
  });

  it('NotResource applies to every other resource', () => {
    const doc = bucketPolicy({ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', NotResource: `arn:aws:s3:::${BUCKET}/public/*` });
    expect(evaluatePolicy(doc, facts(alice, 's3:GetObject', 'private/x'))).toBe('Deny');
    expect(evaluatePolicy(doc, facts(alice, 's3:GetObject', 'public/x'))).toBe('NoMatch');
  });

  it('NotPrincipal applies to everyone not listed, anonymous included', () => {
    const doc = bucketPolicy({ Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::sklad:user/alice' }, Action: 's3:*', Resource: `arn:aws:s3:::${BUCKET}/*` });
    expect(evaluatePolicy(doc, facts(alice, 's3:GetObject', 'k'))).toBe('NoMatch');
    expect(evaluatePolicy(doc, facts(bob, 's3:GetObject', 'k'))).toBe('Deny');
    expect(evaluatePolicy(doc, facts(anonymous, 's3:GetObject', 'k'))).toBe('Deny');
  });

  it('checks principals only when the statement names them (identity policies)', () => {
    const doc = identityPolicy({ Effect: 'Allow', Action: 'admin:ListUsers', Resource: '*' });
    expect(evaluatePolicy(doc, { principal: alice, action: 'admin:ListUsers', resource: '*', context: {} })).toBe('Allow');
    expect(evaluatePolicy(doc, { principal: alice, action: 'admin:CreateUser', resource: '*', context: {} })).toBe('NoMatch');
  });

  it('applies a statement only when its condition holds', () => {
    const doc = bucketPolicy({
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
      Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.0/24' }, NotIpAddress: { 'aws:SourceIp': '192.0.2.188/32' } },
    });
    expect(evaluatePolicy(doc, facts(anonymous, 's3:GetObject', 'k', { 'aws:SourceIp': '192.0.2.1' }))).toBe('Allow');
    expect(evaluatePolicy(doc, facts(anonymous, 's3:GetObject', 'k', { 'aws:SourceIp': '::ffff:192.0.2.1' }))).toBe('Allow');
    expect(evaluatePolicy(doc, facts(anonymous, 's3:GetObject', 'k', { 'aws:SourceIp': '192.0.2.188' }))).toBe('NoMatch');
    expect(evaluatePolicy(doc, facts(anonymous, 's3:GetObject', 'k'))).toBe('NoMatch');
  });

  it('denies plain HTTP with the aws:SecureTransport example', () => {
    const doc = bucketPolicy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(evaluatePolicy(doc, facts(alice, 's3:GetObject', 'k', { 'aws:SecureTransport': 'false' }))).toBe('Deny');
    expect(evaluatePolicy(doc, facts(alice, 's3:GetObject', 'k', { 'aws:SecureTransport': 'true' }))).toBe('NoMatch');
  });

  describe('policy variables (per-user home folders, the IAM user guide example)', () => {
    const doc = identityPolicy(
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}`, Condition: { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/*'] } } },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${BUCKET}/home/\${aws:username}/*` },
    );
    it.each([
      [alice, 's3:GetObject', 'home/alice/a.txt', {}, 'Allow'],
      [alice, 's3:GetObject', 'home/bob/a.txt', {}, 'NoMatch'],
      [bob, 's3:PutObject', 'home/bob/b.txt', {}, 'Allow'],
      [alice, 's3:ListBucket', undefined, { 's3:prefix': 'home/alice/' }, 'Allow'],
      [alice, 's3:ListBucket', undefined, { 's3:prefix': 'home/' }, 'Allow'],
      [alice, 's3:ListBucket', undefined, { 's3:prefix': 'home/bob/' }, 'NoMatch'],
      // aws:username comes from the principal even when the caller leaves it out, and a caller's value wins.
      [alice, 's3:GetObject', 'home/carol/x', { 'aws:username': 'carol' }, 'Allow'],
      // Anonymous requests have no aws:username: the variable cannot resolve and nothing matches.
      [anonymous, 's3:GetObject', 'home/anonymous/x', {}, 'NoMatch'],
      [anonymous, 's3:GetObject', 'home//x', {}, 'NoMatch'],
    ] as const)('%j %s %s %j → %s', (principal, action, key, context, expected) => {
      expect(evaluatePolicy(doc, facts(principal, action, key, { ...context }))).toBe(expected);
    });

    it('keeps ${…} literal in 2008-10-17 documents', () => {
      const old = parsePolicy(
        JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/home/\${aws:username}/*` }] }),
        { kind: 'identity' },
      );
      expect(evaluatePolicy(old, facts(alice, 's3:GetObject', 'home/alice/x'))).toBe('NoMatch');
      expect(evaluatePolicy(old, facts(alice, 's3:GetObject', 'home/${aws:username}/x'))).toBe('Allow');
    });
  });

  it('supplies the principal keys AWS sets', () => {
    expect(withPrincipalKeys(facts(alice, 's3:GetObject'))).toMatchObject({ 'aws:username': 'alice', 'aws:PrincipalType': 'User', 'aws:PrincipalArn': 'arn:aws:iam::sklad:user/alice' });
    expect(withPrincipalKeys(facts(anonymous, 's3:GetObject'))).toEqual({ 'aws:userid': 'anonymous', 'aws:PrincipalType': 'Anonymous' });
    expect(withPrincipalKeys(facts(root, 's3:GetObject'))).toMatchObject({ 'aws:PrincipalType': 'Account' });
    expect(withPrincipalKeys(facts(alice, 's3:GetObject', undefined, { 'AWS:USERNAME': 'x' }))['aws:username']).toBeUndefined();
  });

  it('a document with no statement that applies says nothing', () => {
    const doc = bucketPolicy({ Effect: 'Deny', Principal: { AWS: 'bob' }, Action: 's3:*', Resource: `arn:aws:s3:::${BUCKET}/*` });
    expect(evaluatePolicy(doc, facts(alice, 's3:GetObject', 'k'))).toBe('NoMatch');
  });
});

describe('properties', () => {
  const actions = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket', 's3:GetObjectAcl'];
  const principals: PolicyPrincipal[] = [alice, bob, anonymous];
  const statement = fc.record({
    Effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Deny'),
    Principal: fc.constantFrom<PrincipalElement>('*', { AWS: ['alice'] }, { AWS: ['bob'] }),
    Action: fc.subarray(actions, { minLength: 1 }),
    Resource: fc.constantFrom<string[]>([`arn:aws:s3:::${BUCKET}/*`], [`arn:aws:s3:::${BUCKET}/a*`], [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`]),
  });
  const doc = fc.array(statement, { minLength: 1, maxLength: 5 }).map((Statement): PolicyDocument => ({ Version: '2012-10-17', Statement }));
  const request = fc.record({
    principal: fc.constantFrom(...principals),
    action: fc.constantFrom(...actions),
    resource: fc.constantFrom(`arn:aws:s3:::${BUCKET}/a.txt`, `arn:aws:s3:::${BUCKET}/b.txt`, `arn:aws:s3:::${BUCKET}`),
    context: fc.constant({}),
  });

  it('adding a Deny-everything statement always denies', () => {
    fc.assert(
      fc.property(doc, request, (d, r) => {
        const withDeny: PolicyDocument = { ...d, Statement: [...d.Statement, { Effect: 'Deny', Principal: '*', Action: ['*'], Resource: ['*'] }] };
        expect(evaluatePolicy(withDeny, r)).toBe('Deny');
      }),
    );
  });

  it('the verdict does not depend on statement order', () => {
    fc.assert(
      fc.property(doc, request, (d, r) => {
        const reversed: PolicyDocument = { ...d, Statement: [...d.Statement].reverse() };
        expect(evaluatePolicy(reversed, r)).toBe(evaluatePolicy(d, r));
      }),
    );
  });

  it('removing Allow statements never turns a verdict into Allow', () => {
    fc.assert(
      fc.property(doc, request, (d, r) => {
        const onlyDeny: PolicyDocument = { ...d, Statement: d.Statement.filter((s) => s.Effect === 'Deny') };
        const before = evaluatePolicy(d, r);
        const after = evaluatePolicy(onlyDeny, r);
        expect(after).not.toBe('Allow');
        if (before === 'Deny') expect(after).toBe('Deny');
      }),
    );
  });
});
