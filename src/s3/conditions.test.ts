import { describe, expect, it } from 'vitest';
import {
  checkConditions,
  checkCopySourceConditions,
  evaluateConditions,
  evaluateCopySourceConditions,
  parseHttpDate,
} from './conditions.js';

const NOW = new Date('2025-06-15T12:00:00Z');
// Sub-second part must not matter: HTTP dates have whole seconds.
const obj = { etag: 'abc123', lastModified: new Date('2025-06-01T10:00:00.750Z') };
const AT = 'Sun, 01 Jun 2025 10:00:00 GMT';
const BEFORE = 'Sun, 01 Jun 2025 09:59:59 GMT';
const AFTER = 'Sun, 01 Jun 2025 10:00:01 GMT';
const FUTURE = 'Tue, 01 Jun 2100 00:00:00 GMT';

function get(headers: Record<string, string>): string {
  return evaluateConditions(new Map(Object.entries(headers)), obj, NOW);
}

function copy(headers: Record<string, string>): string {
  const prefixed = Object.entries(headers).map(([k, v]) => [`x-amz-copy-source-${k}`, v] as const);
  return evaluateCopySourceConditions(new Map(prefixed), obj, NOW);
}

describe('parseHttpDate', () => {
  const ms = Date.UTC(1994, 10, 6, 8, 49, 37);
  it.each([
    'Sun, 06 Nov 1994 08:49:37 GMT',
    'Sun, 6 Nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 08:49:37 +0000',
    'Sunday, 06-Nov-94 08:49:37 GMT',
    'Sun Nov  6 08:49:37 1994',
    '1994-11-06T08:49:37Z',
    '1994-11-06T09:49:37+01:00',
  ])('reads %j', (value) => {
    expect(parseHttpDate(value, NOW)).toBe(ms);
  });

  it.each(['', 'yesterday', '1', '2025-06-01', 'Sun, 31 Feb 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 25:49:37 GMT',
    'Sun, 06 Nov 1994 08:49:37 PST', 'Sun, 06 Foo 1994 08:49:37 GMT'])('refuses %j', (value) => {
    expect(parseHttpDate(value, NOW)).toBeUndefined();
  });

  it('puts two-digit years within 50 years ahead', () => {
    expect(new Date(parseHttpDate('Monday, 01-Jan-74 00:00:00 GMT', NOW) as number).getUTCFullYear()).toBe(2074);
    expect(new Date(parseHttpDate('Sunday, 01-Jan-76 00:00:00 GMT', NOW) as number).getUTCFullYear()).toBe(1976);
  });
});

describe('evaluateConditions (GET/HEAD)', () => {
  it('is ok without conditions', () => {
    expect(get({})).toBe('ok');
  });

  it.each([
    ['"abc123"', 'ok'],
    ['abc123', 'ok'],
    ['*', 'ok'],
    ['"x", "abc123"', 'ok'],
    ['"other"', 'precondition-failed'],
    ['W/"abc123"', 'precondition-failed'],
    ['"abc12"', 'precondition-failed'],
  ])('If-Match %s → %s', (value, outcome) => {
    expect(get({ 'if-match': value })).toBe(outcome);
  });

  it.each([
    ['"abc123"', 'not-modified'],
    ['W/"abc123"', 'not-modified'],
    ['*', 'not-modified'],
    ['"x",W/"abc123"', 'not-modified'],
    ['"other"', 'ok'],
  ])('If-None-Match %s → %s', (value, outcome) => {
    expect(get({ 'if-none-match': value })).toBe(outcome);
  });

  it.each([
    [BEFORE, 'precondition-failed'],
    [AT, 'ok'],
    [AFTER, 'ok'],
    ['not a date', 'ok'],
  ])('If-Unmodified-Since %s → %s', (value, outcome) => {
    expect(get({ 'if-unmodified-since': value })).toBe(outcome);
  });

  it.each([
    [BEFORE, 'ok'],
    [AT, 'not-modified'],
    [AFTER, 'not-modified'],
    [FUTURE, 'ok'],
    ['not a date', 'ok'],
  ])('If-Modified-Since %s → %s', (value, outcome) => {
    expect(get({ 'if-modified-since': value })).toBe(outcome);
  });

  it('serves the object when If-Match holds though If-Unmodified-Since fails', () => {
    expect(get({ 'if-match': '"abc123"', 'if-unmodified-since': BEFORE })).toBe('ok');
  });

  it('fails If-Match before looking at If-None-Match', () => {
    expect(get({ 'if-match': '"other"', 'if-none-match': '"abc123"' })).toBe('precondition-failed');
  });

  it('answers 304 when If-None-Match fails even though If-Modified-Since holds', () => {
    expect(get({ 'if-none-match': '"abc123"', 'if-modified-since': BEFORE })).toBe('not-modified');
  });

  it('ignores If-Modified-Since when If-None-Match is present and holds', () => {
    expect(get({ 'if-none-match': '"other"', 'if-modified-since': AFTER })).toBe('ok');
  });

  it('treats empty values as absent', () => {
    expect(get({ 'if-match': '', 'if-none-match': ' ' })).toBe('ok');
  });

  it('names the deciding header as S3 does', () => {
    const check = (h: Record<string, string>) => checkConditions(new Map(Object.entries(h)), obj, NOW);
    expect(check({ 'if-match': '"x"' })).toEqual({ outcome: 'precondition-failed', condition: 'If-Match' });
    expect(check({ 'if-unmodified-since': BEFORE })).toEqual({ outcome: 'precondition-failed', condition: 'If-Unmodified-Since' });
    expect(check({ 'if-none-match': '*' })).toEqual({ outcome: 'not-modified', condition: 'If-None-Match' });
    expect(check({})).toEqual({ outcome: 'ok' });
  });
});

describe('evaluateCopySourceConditions', () => {
  it('is ok without conditions and ignores the GET headers', () => {
    expect(copy({})).toBe('ok');
    expect(evaluateCopySourceConditions(new Map([['if-match', '"other"']]), obj, NOW)).toBe('ok');
  });

  it.each([
    [{ 'if-match': '"abc123"' }, 'ok'],
    [{ 'if-match': '"other"' }, 'precondition-failed'],
    [{ 'if-none-match': '"abc123"' }, 'precondition-failed'],
    [{ 'if-none-match': '"other"' }, 'ok'],
    [{ 'if-unmodified-since': BEFORE }, 'precondition-failed'],
    [{ 'if-unmodified-since': AT }, 'ok'],
    [{ 'if-modified-since': AT }, 'precondition-failed'],
    [{ 'if-modified-since': BEFORE }, 'ok'],
    [{ 'if-modified-since': FUTURE }, 'ok'],
    // CopyObject API reference: if-match true + if-unmodified-since false → 200 and the copy happens.
    [{ 'if-match': '"abc123"', 'if-unmodified-since': BEFORE }, 'ok'],
    // … and if-none-match false + if-modified-since true → 412.
    [{ 'if-none-match': '"abc123"', 'if-modified-since': BEFORE }, 'precondition-failed'],
  ])('%j → %s', (headers, outcome) => {
    expect(copy(headers)).toBe(outcome);
  });

  it('names the deciding header with its x-amz-copy-source- prefix', () => {
    const verdict = checkCopySourceConditions(new Map([['x-amz-copy-source-if-none-match', '"abc123"']]), obj, NOW);
    expect(verdict).toEqual({ outcome: 'precondition-failed', condition: 'x-amz-copy-source-If-None-Match' });
  });
});
