// Whether a bucket policy is "public" in the sense of S3's "The meaning of public" (used by GetBucketPolicyStatus,
// BlockPublicPolicy and RestrictPublicBuckets): it is public when some Allow statement grants to a wildcard
// principal (or to everyone but the NotPrincipal list) without a condition that pins the request to fixed values:
// aws:SourceIp limited to CIDR blocks, or an exact value of aws:SourceArn, aws:SourceVpc, aws:SourceVpce,
// aws:SourceOwner, aws:SourceAccount, aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID, aws:userid,
// s3:x-amz-server-side-encryption-aws-kms-key-id (and aws:username, which names a single user just like aws:userid).

import { parseOperator } from './conditions.js';
import type { PolicyDocument, Statement } from './document.js';
import { parseCidr } from './ip.js';

const FIXING_KEYS = new Set(
  [
    'aws:SourceArn',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceOwner',
    'aws:SourceAccount',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:PrincipalOrgID',
    'aws:userid',
    'aws:username',
    's3:x-amz-server-side-encryption-aws-kms-key-id',
  ].map((k) => k.toLowerCase()),
);

const EXACT_OPERATORS = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnEquals', 'ArnLike']);

/**
 * The narrowest address blocks that still count as open to the public: anything wider than a /8 (IPv4) or /32
 * (IPv6), including 0.0.0.0/0 and ::/0, does not restrict who can call.
 */
const MIN_FIXING_PREFIX = { 4: 8, 6: 32 } as const;

export function isPublicPolicy(doc: PolicyDocument): boolean {
  return doc.Statement.some((st) => isPublicStatement(st));
}

export function isPublicStatement(st: Statement): boolean {
  if (st.Effect !== 'Allow') return false;
  const wildcardPrincipal =
    st.NotPrincipal !== undefined || st.Principal === '*' || (st.Principal !== undefined && st.Principal.AWS?.includes('*') === true);
  return wildcardPrincipal && !hasFixingCondition(st);
}

function hasFixingCondition(st: Statement): boolean {
  for (const [name, keys] of Object.entries(st.Condition ?? {})) {
    const op = parseOperator(name);
    // A condition only restricts callers if a missing key fails it: not for …IfExists or ForAllValues. Negated
    // operators (NotIpAddress, StringNotEquals …) only exclude some callers and are not among the fixing ones.
    if (!op || op.ifExists || op.set === 'ForAllValues') continue;
    for (const [key, values] of Object.entries(keys)) {
      const k = key.toLowerCase();
      if (k === 'aws:sourceip' && op.base === 'IpAddress' && values.every(isNarrowCidr)) return true;
      if (FIXING_KEYS.has(k) && EXACT_OPERATORS.has(op.base) && values.every(isFixedValue)) return true;
    }
  }
  return false;
}

function isNarrowCidr(value: string): boolean {
  const cidr = parseCidr(value);
  return cidr !== undefined && cidr.prefix >= MIN_FIXING_PREFIX[cidr.family];
}

function isFixedValue(value: string): boolean {
  return value !== '' && !/[*?]/.test(value) && !value.includes('${');
}
