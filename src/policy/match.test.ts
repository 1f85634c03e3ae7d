import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, hasVariable, matchUnits, resolveText, wildcardMatch, type VariableLookup } from './match.js';

const table: Record<string, string> = { 'aws:username': 'alice', 'aws:userid': 'AIDA123', 's3:prefix': 'home/' };
// Like the evaluator's lookup: names are case-insensitive.
const vars: VariableLookup = (name) => table[name.toLowerCase()];

describe('wildcardMatch', () => {
  it.each([
    // pattern, value, expected
    ['*', '', true],
    ['*', 'anything/at:all', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b/c', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket', false],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/', true],
    ['arn:aws:s3:::bucket*', 'arn:aws:s3:::bucket/key', true],
    ['arn:aws:s3:::bucket/?', 'arn:aws:s3:::bucket/a', true],
    ['arn:aws:s3:::bucket/?', 'arn:aws:s3:::bucket/ab', false],
    ['arn:aws:s3:::bucket/?', 'arn:aws:s3:::bucket/', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['a*a*a', 'aaaa', true],
    ['*.jpg', 'photos/x.jpg', true],
    ['*.jpg', 'photos/x.jpeg', false],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
    ['Bucket/*', 'bucket/x', false],
    ['?*', '', false],
    ['日本/*', '日本/語', true],
    ['?', '語', true],
  ])('%j ~ %j → %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });

  it('compares actions case-insensitively when asked', () => {
    expect(wildcardMatch('s3:get*', 's3:GetObject', { ignoreCase: true })).toBe(true);
    expect(wildcardMatch('S3:GETOBJECT', 's3:GetObject', { ignoreCase: true })).toBe(true);
    expect(wildcardMatch('s3:get*', 's3:GetObject')).toBe(false);
  });

  it('agrees with a regular-expression reference implementation', () => {
    const alphabet = fc.constantFrom('a', 'b', '/', '*', '?');
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 8 }), fc.string({ unit: fc.constantFrom('a', 'b', '/'), maxLength: 10 }), (pattern, value) => {
        const re = new RegExp(`^${pattern.replace(/[/]/g, '\\/').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
        expect(wildcardMatch(pattern, value)).toBe(re.test(value));
      }),
    );
  });
});

describe('policy variables', () => {
  it.each([
    ['arn:aws:s3:::b/home/${aws:username}/*', 'arn:aws:s3:::b/home/alice/x', true],
    ['arn:aws:s3:::b/home/${aws:username}/*', 'arn:aws:s3:::b/home/bob/x', false],
    // Variable names are case-insensitive.
    ['arn:aws:s3:::b/${AWS:UserName}', 'arn:aws:s3:::b/alice', true],
    // A substituted value is literal text, and ${*} / ${?} / ${$} are literal characters.
    ['arn:aws:s3:::b/${*}', 'arn:aws:s3:::b/*', true],
    ['arn:aws:s3:::b/${*}', 'arn:aws:s3:::b/x', false],
    ['arn:aws:s3:::b/${?}', 'arn:aws:s3:::b/?', true],
    ['arn:aws:s3:::b/${?}', 'arn:aws:s3:::b/x', false],
    ['arn:aws:s3:::b/${$}{x}', 'arn:aws:s3:::b/${x}', true],
    // Unresolvable variables match nothing; defaults apply when the key is missing.
    ['arn:aws:s3:::b/${aws:nope}', 'arn:aws:s3:::b/', false],
    ['arn:aws:s3:::b/${aws:nope}*', 'arn:aws:s3:::b/anything', false],
    ["arn:aws:s3:::b/${aws:nope, 'guest'}/*", 'arn:aws:s3:::b/guest/x', true],
    ["arn:aws:s3:::b/${aws:username, 'guest'}/*", 'arn:aws:s3:::b/alice/x', true],
    ["arn:aws:s3:::b/${aws:nope, 'it''s'}", "arn:aws:s3:::b/it's", true],
    // A malformed variable body resolves to nothing; an unterminated one is plain text.
    ['arn:aws:s3:::b/${not valid}', 'arn:aws:s3:::b/x', false],
    ['arn:aws:s3:::b/${x', 'arn:aws:s3:::b/${x', true],
  ])('%s ~ %s → %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value, { variables: vars })).toBe(expected);
  });

  it('treats ${…} as plain text when variables are off (2008-10-17 documents)', () => {
    expect(wildcardMatch('b/${aws:username}', 'b/${aws:username}')).toBe(true);
    expect(wildcardMatch('b/${aws:username}', 'b/alice')).toBe(false);
  });

  it('resolveText substitutes without wildcards', () => {
    expect(resolveText('home/${aws:username}/*', vars)).toBe('home/alice/*');
    expect(resolveText('${aws:nope}', vars)).toBeUndefined();
    expect(resolveText('a*b', undefined)).toBe('a*b');
  });

  it('compilePattern without wildcards keeps * and ? literal', () => {
    const units = compilePattern('a*?', { wildcards: false });
    expect(units && matchUnits(units, 'a*?')).toBe(true);
    expect(units && matchUnits(units, 'abc')).toBe(false);
  });

  it('hasVariable', () => {
    expect(hasVariable('a${b}')).toBe(true);
    expect(hasVariable('a$b')).toBe(false);
  });
});
