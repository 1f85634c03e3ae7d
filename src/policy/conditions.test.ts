import { describe, expect, it } from 'vitest';
import {
  evaluateConditions,
  invalidConditionValue,
  parseDate,
  parseNumber,
  parseOperator,
  type ConditionBlock,
  type ConditionContext,
} from './conditions.js';
import type { VariableLookup } from './match.js';

/** One operator, one key, the policy's values, the request's value(s) → expected. */
type Row = [operator: string, key: string, policy: string[], request: string | string[] | undefined, expected: boolean];

function check(op: string, key: string, policy: string[], request: string | string[] | undefined, variables?: VariableLookup): boolean {
  const context: ConditionContext = request === undefined ? {} : { [key]: request };
  return evaluateConditions({ [op]: { [key]: policy } }, context, variables);
}

describe('string operators', () => {
  it.each<Row>([
    ['StringEquals', 's3:x-amz-acl', ['public-read'], 'public-read', true],
    ['StringEquals', 's3:x-amz-acl', ['public-read'], 'Public-Read', false],
    ['StringEquals', 's3:x-amz-acl', ['private', 'public-read'], 'public-read', true],
    ['StringEquals', 's3:x-amz-acl', ['public-read'], undefined, false],
    // StringEquals takes no wildcards.
    ['StringEquals', 's3:prefix', ['home/*'], 'home/x', false],
    ['StringEquals', 's3:prefix', ['home/*'], 'home/*', true],
    ['StringNotEquals', 's3:x-amz-acl', ['public-read'], 'private', true],
    ['StringNotEquals', 's3:x-amz-acl', ['public-read'], 'public-read', false],
    // Negated operators are NOR over the listed values.
    ['StringNotEquals', 's3:x-amz-acl', ['private', 'public-read'], 'public-read', false],
    ['StringNotEquals', 's3:x-amz-acl', ['private', 'public-read'], 'authenticated-read', true],
    // "If the policy condition requires that the key is not matched … and the right key is not present, the condition is true."
    ['StringNotEquals', 's3:x-amz-acl', ['public-read'], undefined, true],
    ['StringEqualsIgnoreCase', 'aws:UserAgent', ['MyClient'], 'myclient', true],
    ['StringEqualsIgnoreCase', 'aws:UserAgent', ['MyClient'], 'other', false],
    ['StringNotEqualsIgnoreCase', 'aws:UserAgent', ['MyClient'], 'MYCLIENT', false],
    ['StringNotEqualsIgnoreCase', 'aws:UserAgent', ['MyClient'], 'x', true],
    ['StringNotEqualsIgnoreCase', 'aws:UserAgent', ['MyClient'], undefined, true],
    ['StringLike', 's3:prefix', ['home/*'], 'home/alice/', true],
    ['StringLike', 's3:prefix', ['home/*'], 'Home/alice/', false],
    ['StringLike', 's3:prefix', ['', 'home/'], '', true],
    ['StringLike', 'aws:Referer', ['http://www.example.com/*', 'http://example.com/*'], 'http://example.com/page', true],
    ['StringLike', 'aws:Referer', ['http://www.example.com/*'], undefined, false],
    ['StringLike', 's3:prefix', ['a?c'], 'abc', true],
    ['StringNotLike', 's3:prefix', ['home/*'], 'etc/', true],
    ['StringNotLike', 's3:prefix', ['home/*'], 'home/x', false],
    ['StringNotLike', 's3:prefix', ['home/*'], undefined, true],
    ['BinaryEquals', 'ec2:x', ['QmluYXJ5VmFsdWU='], 'QmluYXJ5VmFsdWU=', true],
  ])('%s %s %j vs %j → %s', (op, key, policy, request, expected) => {
    expect(check(op, key, policy, request)).toBe(expected);
  });
});

describe('numeric operators', () => {
  it.each<Row>([
    ['NumericEquals', 's3:max-keys', ['10'], '10', true],
    ['NumericEquals', 's3:max-keys', ['10'], '10.0', true],
    ['NumericEquals', 's3:max-keys', ['10'], '11', false],
    ['NumericNotEquals', 's3:max-keys', ['10'], '11', true],
    ['NumericNotEquals', 's3:max-keys', ['10'], '10', false],
    ['NumericNotEquals', 's3:max-keys', ['10'], undefined, true],
    ['NumericLessThan', 's3:max-keys', ['10'], '9', true],
    ['NumericLessThan', 's3:max-keys', ['10'], '10', false],
    ['NumericLessThanEquals', 's3:max-keys', ['10'], '10', true],
    ['NumericLessThanEquals', 's3:max-keys', ['10'], '11', false],
    ['NumericGreaterThan', 's3:max-keys', ['10'], '11', true],
    ['NumericGreaterThan', 's3:max-keys', ['10'], '10', false],
    ['NumericGreaterThanEquals', 's3:max-keys', ['10'], '10', true],
    ['NumericGreaterThanEquals', 's3:max-keys', ['10'], '9.5', false],
    ['NumericLessThan', 's3:max-keys', ['10'], undefined, false],
    // A request value that is no number satisfies no comparison.
    ['NumericLessThan', 's3:max-keys', ['10'], 'abc', false],
    ['NumericGreaterThanEquals', 's3:max-keys', ['10'], '', false],
  ])('%s %j vs %j → %s', (op, key, policy, request, expected) => {
    expect(check(op, key, policy, request)).toBe(expected);
  });
});

describe('date operators', () => {
  it.each<Row>([
    ['DateGreaterThan', 'aws:CurrentTime', ['2020-04-01T00:00:00Z'], '2020-04-01T00:00:01Z', true],
    ['DateGreaterThan', 'aws:CurrentTime', ['2020-04-01T00:00:00Z'], '2020-04-01T00:00:00Z', false],
    ['DateGreaterThanEquals', 'aws:CurrentTime', ['2020-04-01T00:00:00Z'], '2020-04-01T00:00:00Z', true],
    ['DateLessThan', 'aws:CurrentTime', ['2020-06-30T23:59:59Z'], '2020-05-01T12:00:00Z', true],
    ['DateLessThan', 'aws:CurrentTime', ['2020-06-30T23:59:59Z'], '2020-07-01T00:00:00Z', false],
    ['DateLessThanEquals', 'aws:CurrentTime', ['2020-06-30'], '2020-06-30T00:00:00Z', true],
    ['DateEquals', 'aws:CurrentTime', ['2020-06-30T02:00:00+02:00'], '2020-06-30T00:00:00Z', true],
    ['DateEquals', 'aws:CurrentTime', ['2020-06-30T00:00:00Z'], '2020-06-30T00:00:00.000Z', true],
    ['DateNotEquals', 'aws:CurrentTime', ['2020-06-30T00:00:00Z'], '2020-06-30T00:00:01Z', true],
    ['DateNotEquals', 'aws:CurrentTime', ['2020-06-30T00:00:00Z'], undefined, true],
    // Epoch seconds on either side.
    ['DateEquals', 'aws:EpochTime', ['1593475200'], '2020-06-30T00:00:00Z', true],
    ['DateLessThan', 'aws:EpochTime', ['2020-06-30T00:00:00Z'], '1593475199', true],
    ['DateGreaterThan', 'aws:EpochTime', ['1593475200'], '1593475201', true],
    ['DateGreaterThan', 'aws:CurrentTime', ['2020-01-01T00:00:00Z'], 'yesterday', false],
    ['DateGreaterThan', 'aws:CurrentTime', ['2020-01-01T00:00:00Z'], undefined, false],
  ])('%s %j vs %j → %s', (op, key, policy, request, expected) => {
    expect(check(op, key, policy, request)).toBe(expected);
  });

  it('parses dates without an offset as UTC', () => {
    expect(parseDate('2020-06-30T00:00:00')).toBe(Date.UTC(2020, 5, 30));
    expect(parseDate('2020-06-30T02:00+0200')).toBe(Date.UTC(2020, 5, 30));
    expect(parseDate('2020-06-30')).toBe(Date.UTC(2020, 5, 30));
    expect(parseDate('June 30')).toBeUndefined();
    expect(parseDate('2020-13-45')).toBeUndefined();
  });

  it('parses numbers strictly', () => {
    expect(parseNumber(' 12.5 ')).toBe(12.5);
    expect(parseNumber('-3')).toBe(-3);
    expect(parseNumber('1e3')).toBe(1000);
    expect(parseNumber('')).toBeUndefined();
    expect(parseNumber('0x10')).toBeUndefined();
    expect(parseNumber('Infinity')).toBeUndefined();
  });
});

describe('Bool, IP address and ARN operators', () => {
  it.each<Row>([
    ['Bool', 'aws:SecureTransport', ['true'], 'true', true],
    ['Bool', 'aws:SecureTransport', ['false'], 'true', false],
    ['Bool', 'aws:SecureTransport', ['false'], 'false', true],
    ['Bool', 'aws:SecureTransport', ['TRUE'], 'true', true],
    ['Bool', 'aws:SecureTransport', ['false'], undefined, false],
    ['BoolIfExists', 'aws:SecureTransport', ['false'], undefined, true],
    ['IpAddress', 'aws:SourceIp', ['192.0.2.0/24'], '192.0.2.188', true],
    ['IpAddress', 'aws:SourceIp', ['192.0.2.0/24'], '198.51.100.1', false],
    ['IpAddress', 'aws:SourceIp', ['192.0.2.0/24', '2001:DB8:1234:5678::/64'], '2001:db8:1234:5678::9', true],
    ['IpAddress', 'aws:SourceIp', ['127.0.0.0/8'], '::ffff:127.0.0.1', true],
    ['IpAddress', 'aws:SourceIp', ['192.0.2.0/24'], 'not-an-ip', false],
    ['IpAddress', 'aws:SourceIp', ['192.0.2.0/24'], undefined, false],
    ['NotIpAddress', 'aws:SourceIp', ['192.0.2.188/32'], '192.0.2.188', false],
    ['NotIpAddress', 'aws:SourceIp', ['192.0.2.188/32'], '192.0.2.187', true],
    ['NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8'], '::ffff:10.1.1.1', false],
    ['NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8'], undefined, true],
    ['ArnEquals', 'aws:SourceArn', ['arn:aws:sns:us-east-1:123456789012:topic'], 'arn:aws:sns:us-east-1:123456789012:topic', true],
    ['ArnEquals', 'aws:SourceArn', ['arn:aws:sns:us-east-1:123456789012:topic'], 'arn:aws:sns:us-east-1:123456789012:other', false],
    ['ArnLike', 'aws:SourceArn', ['arn:aws:s3:::bucket-*'], 'arn:aws:s3:::bucket-logs', true],
    ['ArnLike', 'aws:SourceArn', ['arn:aws:iam::*:user/*'], 'arn:aws:iam::123:user/alice', true],
    // Each of the six components matches on its own: `*` in the account part does not swallow the colon.
    ['ArnLike', 'aws:SourceArn', ['arn:aws:iam::*'], 'arn:aws:iam::123:user/alice', false],
    // The resource part keeps its colons.
    ['ArnLike', 'aws:SourceArn', ['arn:aws:logs:*:*:log-group:*'], 'arn:aws:logs:eu-west-1:123:log-group:g', true],
    ['ArnLike', 'aws:SourceArn', ['arn:aws:s3:::b'], 'not-an-arn', false],
    ['ArnNotLike', 'aws:SourceArn', ['arn:aws:s3:::bucket-*'], 'arn:aws:s3:::other', true],
    ['ArnNotEquals', 'aws:SourceArn', ['arn:aws:s3:::bucket'], 'arn:aws:s3:::bucket', false],
    ['ArnNotLike', 'aws:SourceArn', ['arn:aws:s3:::bucket-*'], undefined, true],
  ])('%s %j vs %j → %s', (op, key, policy, request, expected) => {
    expect(check(op, key, policy, request)).toBe(expected);
  });
});

describe('Null and …IfExists', () => {
  it.each<Row>([
    ['Null', 's3:x-amz-server-side-encryption', ['true'], undefined, true],
    ['Null', 's3:x-amz-server-side-encryption', ['true'], 'AES256', false],
    ['Null', 's3:x-amz-server-side-encryption', ['false'], 'AES256', true],
    ['Null', 's3:x-amz-server-side-encryption', ['false'], undefined, false],
    ['Null', 's3:x-amz-server-side-encryption', ['false'], [], false],
    ['StringEqualsIfExists', 's3:x-amz-server-side-encryption', ['AES256'], undefined, true],
    ['StringEqualsIfExists', 's3:x-amz-server-side-encryption', ['AES256'], 'AES256', true],
    ['StringEqualsIfExists', 's3:x-amz-server-side-encryption', ['AES256'], 'aws:kms', false],
    ['StringNotEqualsIfExists', 's3:x-amz-server-side-encryption', ['AES256'], 'aws:kms', true],
    ['StringNotEqualsIfExists', 's3:x-amz-server-side-encryption', ['AES256'], undefined, true],
    ['NumericLessThanIfExists', 's3:max-keys', ['100'], undefined, true],
    ['NumericLessThanIfExists', 's3:max-keys', ['100'], '500', false],
    ['IpAddressIfExists', 'aws:SourceIp', ['10.0.0.0/8'], '11.0.0.1', false],
    ['DateLessThanIfExists', 'aws:CurrentTime', ['2020-01-01'], undefined, true],
  ])('%s %j vs %j → %s', (op, key, policy, request, expected) => {
    expect(check(op, key, policy, request)).toBe(expected);
  });
});

describe('set operators (multivalued keys)', () => {
  const key = 'aws:TagKeys';
  it.each<Row>([
    // ForAllValues: every request value must match one of the policy values; an absent key is true.
    ['ForAllValues:StringEquals', key, ['Dept', 'CostCenter'], ['Dept'], true],
    ['ForAllValues:StringEquals', key, ['Dept', 'CostCenter'], ['Dept', 'CostCenter'], true],
    ['ForAllValues:StringEquals', key, ['Dept', 'CostCenter'], ['Dept', 'Other'], false],
    ['ForAllValues:StringEquals', key, ['Dept'], undefined, true],
    ['ForAllValues:StringEquals', key, ['Dept'], [], true],
    ['ForAllValues:StringLike', key, ['Created*'], ['CreatedBy', 'CreatedAt'], true],
    ['ForAllValues:StringNotEquals', key, ['Secret'], ['A', 'B'], true],
    ['ForAllValues:StringNotEquals', key, ['Secret'], ['A', 'Secret'], false],
    // ForAnyValue: at least one request value must match; an absent key is false.
    ['ForAnyValue:StringEquals', key, ['Dept', 'CostCenter'], ['Other', 'Dept'], true],
    ['ForAnyValue:StringEquals', key, ['Dept', 'CostCenter'], ['Other'], false],
    ['ForAnyValue:StringEquals', key, ['Dept'], undefined, false],
    ['ForAnyValue:StringEquals', key, ['Dept'], [], false],
    ['ForAnyValue:StringNotEquals', key, ['Secret'], ['Secret', 'A'], true],
    ['ForAnyValue:StringNotEquals', key, ['Secret'], ['Secret'], false],
    ['ForAnyValue:StringEqualsIfExists', key, ['Dept'], undefined, true],
    ['ForAllValues:StringEqualsIfExists', key, ['Dept'], ['Other'], false],
    // A multivalued key without a set operator: positive needs one match, negated needs no match at all.
    ['StringEquals', key, ['Dept'], ['Other', 'Dept'], true],
    ['StringNotEquals', key, ['Dept'], ['Other', 'Dept'], false],
    ['StringNotEquals', key, ['Dept'], ['Other', 'More'], true],
  ])('%s %j vs %j → %s', (op, k, policy, request, expected) => {
    expect(check(op, k, policy, request)).toBe(expected);
  });
});

describe('blocks', () => {
  const block: ConditionBlock = {
    IpAddress: { 'aws:SourceIp': ['192.0.2.0/24'] },
    NotIpAddress: { 'aws:SourceIp': ['192.0.2.188/32'] },
    Bool: { 'aws:SecureTransport': ['true'] },
  };

  it.each([
    [{ 'aws:SourceIp': '192.0.2.10', 'aws:SecureTransport': 'true' }, true],
    // Keys and operators are ANDed: any failing one fails the block.
    [{ 'aws:SourceIp': '192.0.2.188', 'aws:SecureTransport': 'true' }, false],
    [{ 'aws:SourceIp': '192.0.2.10', 'aws:SecureTransport': 'false' }, false],
    [{ 'aws:SourceIp': '198.51.100.1', 'aws:SecureTransport': 'true' }, false],
    [{ 'aws:SecureTransport': 'true' }, false],
  ])('%j → %s', (context, expected) => {
    expect(evaluateConditions(block, context)).toBe(expected);
  });

  it('ANDs several keys under one operator', () => {
    const b: ConditionBlock = { StringEquals: { 's3:prefix': ['home/'], 's3:delimiter': ['/'] } };
    expect(evaluateConditions(b, { 's3:prefix': 'home/', 's3:delimiter': '/' })).toBe(true);
    expect(evaluateConditions(b, { 's3:prefix': 'home/' })).toBe(false);
  });

  it('an absent or empty Condition is true', () => {
    expect(evaluateConditions(undefined, {})).toBe(true);
    expect(evaluateConditions({}, {})).toBe(true);
  });

  it('looks condition keys up case-insensitively', () => {
    expect(evaluateConditions({ StringEquals: { 'AWS:SOURCEIP': ['x'] } }, { 'aws:SourceIp': 'x' })).toBe(true);
    expect(evaluateConditions({ StringEquals: { 'aws:sourceip': ['x'] } }, { 'aws:SourceIp': 'x' })).toBe(true);
  });

  it('resolves policy variables in string values', () => {
    const vars: VariableLookup = (n) => (n.toLowerCase() === 'aws:username' ? 'alice' : undefined);
    expect(check('StringLike', 's3:prefix', ['home/${aws:username}/*'], 'home/alice/docs', vars)).toBe(true);
    expect(check('StringLike', 's3:prefix', ['home/${aws:username}/*'], 'home/bob/docs', vars)).toBe(false);
    expect(check('StringEquals', 's3:prefix', ['home/${aws:username}/'], 'home/alice/', vars)).toBe(true);
    // An unresolvable variable matches nothing, so the negation is true.
    expect(check('StringEquals', 's3:prefix', ['${aws:nope}'], '', vars)).toBe(false);
    expect(check('StringNotEquals', 's3:prefix', ['${aws:nope}'], '', vars)).toBe(true);
    expect(check('ArnLike', 'aws:PrincipalArn', ['arn:aws:iam::*:user/${aws:username}'], 'arn:aws:iam::1:user/alice', vars)).toBe(true);
  });
});

describe('parseOperator / invalidConditionValue', () => {
  it.each([
    ['StringEquals', 'StringEquals', undefined, false],
    ['StringLikeIfExists', 'StringLike', undefined, true],
    ['ForAnyValue:StringLike', 'StringLike', 'ForAnyValue', false],
    ['ForAllValues:NumericLessThanIfExists', 'NumericLessThan', 'ForAllValues', true],
  ])('%s', (name, base, set, ifExists) => {
    expect(parseOperator(name)).toMatchObject({ base, set, ifExists });
  });

  it.each(['StringEqual', 'stringequals', 'NullIfExists', 'ForAnyValue:Null', 'ForSomeValues:StringEquals', 'IfExists', ''])(
    'rejects %j',
    (name) => {
      expect(parseOperator(name)).toBeUndefined();
    },
  );

  it.each([
    ['NumericEquals', '10', true],
    ['NumericEquals', 'ten', false],
    ['DateLessThan', '2020-01-01T00:00:00Z', true],
    ['DateLessThan', '1577836800', true],
    ['DateLessThan', 'tomorrow', false],
    ['IpAddress', '10.0.0.0/8', true],
    ['IpAddress', '10.0.0.0/33', false],
    ['NotIpAddress', 'example.com', false],
    ['Bool', 'true', true],
    ['Bool', 'yes', false],
    ['Bool', '${aws:x}', true],
    ['Null', 'false', true],
    ['Null', '1', false],
    ['StringEquals', 'anything', true],
  ])('%s accepts %j → %s', (op, value, ok) => {
    const parsed = parseOperator(op);
    if (!parsed) throw new Error(op);
    expect(invalidConditionValue(parsed, value) === undefined).toBe(ok);
  });
});
