import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors/s3-error.js';
import type { CorsRule } from '../storage/metadata-index.js';
import { corsHeaders, matchCorsRule, parseCorsConfiguration, requestedHeaders } from './cors.js';

const doc = (rules: string) => Buffer.from(`<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${rules}</CORSConfiguration>`);

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof S3Error) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('parseCorsConfiguration', () => {
  it('reads every member of every rule, in order', () => {
    const rules = parseCorsConfiguration(doc(`
      <CORSRule><ID>one</ID><AllowedOrigin>https://a.example</AllowedOrigin><AllowedOrigin>https://*.b.example</AllowedOrigin>
        <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader>
        <ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>30</MaxAgeSeconds></CORSRule>
      <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule>`));
    expect(rules).toEqual([
      { id: 'one', allowedOrigins: ['https://a.example', 'https://*.b.example'], allowedMethods: ['GET', 'PUT'], allowedHeaders: ['x-amz-*'], exposeHeaders: ['ETag'], maxAgeSeconds: 30 },
      { allowedOrigins: ['*'], allowedMethods: ['HEAD'], allowedHeaders: [], exposeHeaders: [] },
    ]);
  });

  it('refuses what S3 refuses, with its wording', () => {
    expect(code(() => parseCorsConfiguration(doc('<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>get</AllowedMethod></CORSRule>'))))
      .toBe('InvalidRequest: Found unsupported HTTP method in CORS config. Unsupported method is get');
    expect(code(() => parseCorsConfiguration(doc('<CORSRule><AllowedOrigin>*.*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>'))))
      .toBe('InvalidRequest: AllowedOrigin "*.*" can not have more than one wildcard.');
    expect(code(() => parseCorsConfiguration(doc('<CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>')))).toMatch(/^MalformedXML/);
    expect(code(() => parseCorsConfiguration(doc('')))).toMatch(/^MalformedXML/);
    expect(code(() => parseCorsConfiguration(doc('<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>soon</MaxAgeSeconds></CORSRule>')))).toMatch(/^MalformedXML/);
  });
});

describe('matchCorsRule', () => {
  const rules: CorsRule[] = [
    { id: 'exact', allowedOrigins: ['https://app.example'], allowedMethods: ['PUT'], allowedHeaders: ['Content-Type', 'x-amz-*'], exposeHeaders: [] },
    { id: 'suffix', allowedOrigins: ['https://*.example'], allowedMethods: ['GET', 'PUT'], allowedHeaders: [], exposeHeaders: [] },
    { id: 'any', allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: ['*'], exposeHeaders: [] },
  ];
  const id = (origin: string, method: string, headers: string[] = []) => matchCorsRule(rules, { origin, method, requestHeaders: headers })?.id;

  it('takes the first rule whose origin, method and every requested header match', () => {
    expect(id('https://app.example', 'PUT', ['content-type', 'x-amz-date'])).toBe('exact');
    expect(id('https://app.example', 'PUT', ['authorization'])).toBeUndefined();
    expect(id('https://app.example', 'GET')).toBe('suffix');
    expect(id('https://docs.example', 'PUT')).toBe('suffix');
    expect(id('https://docs.example', 'GET', ['x-anything'])).toBe('any');
    expect(id('https://elsewhere.test', 'PUT')).toBeUndefined();
    expect(id('https://elsewhere.test', 'GET')).toBe('any');
  });

  it('does not let a wildcard match fewer characters than the pattern has around it', () => {
    expect(matchCorsRule([rules[1]!], { origin: 'https://example', method: 'GET', requestHeaders: [] })).toBeUndefined();
  });
});

describe('corsHeaders', () => {
  it('echoes a named origin with credentials and answers * without them', () => {
    const named: CorsRule = { allowedOrigins: ['https://a.example'], allowedMethods: ['GET', 'PUT'], allowedHeaders: ['*'], exposeHeaders: ['ETag'], maxAgeSeconds: 5 };
    const request = { origin: 'https://a.example', method: 'PUT', requestHeaders: requestedHeaders('Content-Type, X-Amz-Date') };
    expect(corsHeaders(named, request, true)).toEqual({
      'access-control-allow-origin': 'https://a.example',
      'access-control-allow-methods': 'GET, PUT',
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': 'content-type, x-amz-date',
      'access-control-expose-headers': 'ETag',
      'access-control-max-age': '5',
      vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
    const any: CorsRule = { allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [] };
    expect(corsHeaders(any, { origin: 'https://b.example', method: 'GET', requestHeaders: [] }, false)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET',
      vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
  });
});
