import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors/s3-error.js';
import { checkPostPolicy, parsePostPolicy } from './post-policy.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const encode = (doc: unknown) => Buffer.from(JSON.stringify(doc)).toString('base64');
const policy = (conditions: unknown[], expiration = '2026-01-01T01:00:00Z') => parsePostPolicy(encode({ expiration, conditions }));

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof S3Error) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('parsePostPolicy', () => {
  it('refuses documents S3 refuses, with its wording', () => {
    expect(failure(() => parsePostPolicy('%%%'))).toBe('InvalidPolicyDocument: Invalid Policy: Invalid JSON.');
    expect(failure(() => parsePostPolicy(encode({ conditions: [] })))).toBe('InvalidPolicyDocument: Invalid Policy: Policy missing expiration.');
    expect(failure(() => parsePostPolicy(encode({ expiration: '2026-01-01T00:00:00Z' })))).toBe('InvalidPolicyDocument: Invalid Policy: Policy missing conditions.');
    expect(failure(() => parsePostPolicy(encode({ expiration: 'tomorrow', conditions: [] })))).toMatch(/Invalid 'expiration' value/);
    expect(failure(() => policy([['matches', '$key', 'a']]))).toMatch(/^InvalidPolicyDocument: Invalid Policy: Invalid Condition/);
    expect(failure(() => policy([['content-length-range', -1, 5]]))).toMatch(/^InvalidPolicyDocument/);
  });
});

describe('checkPostPolicy', () => {
  const fields = (entries: Record<string, string>) => new Map(Object.entries(entries));

  it('holds every condition kind and returns the length range', () => {
    const p = policy([
      { bucket: 'b' },
      ['eq', '$key', 'user/a.txt'],
      ['starts-with', '$Content-Type', 'image/'],
      ['starts-with', '$x-amz-meta-note', ''],
      { acl: 'private' },
      ['content-length-range', 1, 10],
    ]);
    const form = fields({ key: 'user/a.txt', 'content-type': 'image/png, image/gif', 'x-amz-meta-note': 'anything', acl: 'private', policy: 'p', 'x-amz-signature': 's', 'x-ignore-me': '1' });
    expect(checkPostPolicy(p, form, 'b', NOW)).toEqual({ min: 1, max: 10 });
  });

  it('fails on the first condition that does not hold, naming it', () => {
    const p = policy([['eq', '$key', 'a'], ['starts-with', '$Content-Type', 'image/']]);
    expect(failure(() => checkPostPolicy(p, fields({ key: 'b', 'content-type': 'image/png' }), 'b', NOW)))
      .toBe('AccessDenied: Invalid according to Policy: Policy Condition failed: ["eq", "$key", "a"]');
    expect(failure(() => checkPostPolicy(p, fields({ key: 'a', 'content-type': 'image/png,text/html' }), 'b', NOW))).toMatch(/Policy Condition failed/);
    expect(failure(() => checkPostPolicy(p, fields({ key: 'a' }), 'b', NOW))).toMatch(/Policy Condition failed/);
    expect(failure(() => checkPostPolicy(policy([{ bucket: 'other' }]), fields({}), 'b', NOW))).toMatch(/Policy Condition failed/);
  });

  it('refuses fields no condition covers, and an expired policy', () => {
    expect(failure(() => checkPostPolicy(policy([]), fields({ key: 'k', 'x-amz-meta-a': '1' }), 'b', NOW)))
      .toBe('AccessDenied: Invalid according to Policy: Extra input fields: key, x-amz-meta-a');
    expect(failure(() => checkPostPolicy(policy([], '2025-12-31T23:59:59Z'), fields({}), 'b', NOW)))
      .toBe('AccessDenied: Invalid according to Policy: Policy expired.');
  });
});
