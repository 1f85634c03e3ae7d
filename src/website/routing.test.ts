import { describe, expect, it } from 'vitest';
import type { WebsiteRoutingRule } from '../storage/metadata-index.js';
import { errorRule, objectKeyFor, redirectFor, requestRule } from './routing.js';

const origin = { protocol: 'http' as const, host: 'localhost:8080', pathPrefix: '/site' };

describe('website routing', () => {
  it('appends the index document to the root and to folders only', () => {
    expect(objectKeyFor('', 'index.html')).toBe('index.html');
    expect(objectKeyFor('docs/', 'index.html')).toBe('docs/index.html');
    expect(objectKeyFor('docs/a.html', 'index.html')).toBe('docs/a.html');
  });

  it('applies prefix rules before reading and error-code rules after, first match first', () => {
    const rules: WebsiteRoutingRule[] = [
      { condition: { keyPrefixEquals: 'docs/', httpErrorCodeReturnedEquals: '404' }, redirect: { hostName: 'a' } },
      { condition: { keyPrefixEquals: 'docs/' }, redirect: { replaceKeyPrefixWith: 'documents/' } },
      { condition: { httpErrorCodeReturnedEquals: '403' }, redirect: { replaceKeyWith: 'login.html' } },
    ];
    expect(requestRule(rules, 'docs/x')).toBe(rules[1]);
    expect(requestRule(rules, 'img/x')).toBeUndefined();
    expect(errorRule(rules, 'docs/x', 404)).toBe(rules[0]);
    expect(errorRule(rules, 'img/x', 404)).toBeUndefined();
    expect(errorRule(rules, 'img/x', 403)).toBe(rules[2]);
  });

  it('builds the redirect: prefix or whole-key replacement, host, protocol and code', () => {
    expect(redirectFor({ condition: { keyPrefixEquals: 'docs/' }, redirect: { replaceKeyPrefixWith: 'documents/' } }, 'docs/a b.html', origin))
      .toEqual({ status: 301, location: 'http://localhost:8080/site/documents/a%20b.html' });
    expect(redirectFor({ redirect: { hostName: 'example.com', protocol: 'https', replaceKeyWith: 'x.html', httpRedirectCode: '307' } }, 'anything', origin))
      .toEqual({ status: 307, location: 'https://example.com/x.html' });
    expect(redirectFor({ redirect: { replaceKeyPrefixWith: 'new/' } }, 'a.html', { ...origin, pathPrefix: '' }))
      .toEqual({ status: 301, location: 'http://localhost:8080/new/a.html' });
  });
});
