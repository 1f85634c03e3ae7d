import { describe, expect, it } from 'vitest';
import { parsePolicy } from './document.js';
import { isPublicPolicy } from './public.js';

const BUCKET = 'site';
const OBJECTS = `arn:aws:s3:::${BUCKET}/*`;

function doc(...statements: object[]) {
  return parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), { kind: 'bucket', bucket: BUCKET });
}
const allow = (extra: object) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECTS, ...extra });

describe('isPublicPolicy (S3 "The meaning of public")', () => {
  it.each([
    ['Principal "*"', doc(allow({ Principal: '*' })), true],
    ['Principal {"AWS": "*"}', doc(allow({ Principal: { AWS: '*' } })), true],
    ['"*" among fixed principals', doc(allow({ Principal: { AWS: ['alice', '*'] } })), true],
    ['a fixed user', doc(allow({ Principal: { AWS: 'arn:aws:iam::sklad:user/alice' } })), false],
    ['a canonical user', doc(allow({ Principal: { CanonicalUser: 'alice' } })), false],
    ['the account root', doc(allow({ Principal: { AWS: 'arn:aws:iam::sklad:root' } })), false],
    ['Deny to everyone', doc({ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS }), false],
    ['aws:SourceIp limited to a CIDR', doc(allow({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/64'] } } })), false],
    ['aws:SourceIp of 0.0.0.0/0', doc(allow({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } })), true],
    ['aws:SourceIp wider than /8', doc(allow({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/7' } } })), true],
    ['one narrow and one open block', doc(allow({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '::/0'] } } })), true],
    ['NotIpAddress only excludes some callers', doc(allow({ Principal: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } })), true],
    ['IpAddressIfExists lets requests without the key through', doc(allow({ Principal: '*', Condition: { IpAddressIfExists: { 'aws:SourceIp': '192.0.2.0/24' } } })), true],
    ['a fixed aws:SourceVpce', doc(allow({ Principal: '*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } })), false],
    ['a fixed aws:SourceArn', doc(allow({ Principal: '*', Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:cloudfront::1:distribution/E1' } } })), false],
    ['a wildcard aws:SourceArn', doc(allow({ Principal: '*', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudfront::*:distribution/*' } } })), true],
    ['a fixed aws:SourceAccount', doc(allow({ Principal: '*', Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } })), false],
    ['a fixed aws:PrincipalAccount', doc(allow({ Principal: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': 'sklad' } } })), false],
    ['a fixed aws:userid', doc(allow({ Principal: '*', Condition: { StringEquals: { 'aws:userid': 'AIDAEXAMPLE' } } })), false],
    ['aws:userid with a wildcard', doc(allow({ Principal: '*', Condition: { StringLike: { 'aws:userid': 'AROLEID:*' } } })), true],
    ['ForAllValues on a fixed key passes requests without it', doc(allow({ Principal: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:SourceVpce': 'vpce-1' } } })), true],
    ['ForAnyValue on a fixed key', doc(allow({ Principal: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:SourceVpce': 'vpce-1' } } })), false],
    ['StringEqualsIfExists on a fixed key', doc(allow({ Principal: '*', Condition: { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } } })), true],
    ['a negated fixed key', doc(allow({ Principal: '*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } })), true],
    ['a condition on an unrelated key', doc(allow({ Principal: '*', Condition: { StringEquals: { 'aws:UserAgent': 'curl' } } })), true],
    ['aws:Referer (spoofable)', doc(allow({ Principal: '*', Condition: { StringLike: { 'aws:Referer': 'https://example.com/*' } } })), true],
    ['one public statement among private ones', doc(allow({ Sid: 'a', Principal: { AWS: 'alice' } }), allow({ Sid: 'b', Principal: '*' })), true],
  ])('%s → %s', (_name, policy, expected) => {
    expect(isPublicPolicy(policy)).toBe(expected);
  });
});
