// CORS rules: the CORSConfiguration document as S3 validates it, and S3's rule matching
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html): the first rule whose origin, method and
// (for a preflight) every requested header match decides; its members become the Access-Control-* headers.
import { S3Error } from '../errors/s3-error.js';
import type { CorsRule } from '../storage/metadata-index.js';
import { decodeXml, listOf, textOf, type XmlNode } from '../xml/decode.js';
import type { CORSConfiguration } from '../xml/shapes.js';

export const MAX_CORS_RULES = 100;
const CORS_METHODS = new Set(['GET', 'PUT', 'HEAD', 'POST', 'DELETE']);

function texts(node: XmlNode | XmlNode[] | undefined): string[] {
  if (node === undefined) return [];
  return (Array.isArray(node) ? node : [node]).map((n) => textOf(n) ?? '');
}

function oneWildcard(kind: 'AllowedOrigin' | 'AllowedHeader', value: string): void {
  if (value.split('*').length > 2) {
    throw new S3Error('InvalidRequest', { message: `${kind} "${value}" can not have more than one wildcard.` });
  }
}

export function parseCorsConfiguration(body: Buffer): CorsRule[] {
  const doc = decodeXml(body.toString('utf8'), 'CORSConfiguration');
  const rules = listOf(doc.CORSRule);
  if (rules.length === 0 || rules.length > MAX_CORS_RULES) throw new S3Error('MalformedXML');
  return rules.map((rule) => {
    const allowedOrigins = texts(rule.AllowedOrigin);
    const allowedMethods = texts(rule.AllowedMethod);
    if (allowedOrigins.length === 0 || allowedMethods.length === 0) throw new S3Error('MalformedXML');
    for (const method of allowedMethods) {
      if (!CORS_METHODS.has(method)) {
        throw new S3Error('InvalidRequest', { message: `Found unsupported HTTP method in CORS config. Unsupported method is ${method}` });
      }
    }
    for (const origin of allowedOrigins) oneWildcard('AllowedOrigin', origin);
    const allowedHeaders = texts(rule.AllowedHeader);
    for (const header of allowedHeaders) oneWildcard('AllowedHeader', header);
    const id = textOf(rule.ID);
    if (id !== undefined && id.length > 255) throw new S3Error('InvalidArgument', { message: 'The ID of a CORS rule is at most 255 characters.' });
    const maxAge = textOf(rule.MaxAgeSeconds);
    if (maxAge !== undefined && !/^-?\d{1,10}$/.test(maxAge)) throw new S3Error('MalformedXML');
    const result: CorsRule = { allowedOrigins, allowedMethods, allowedHeaders, exposeHeaders: texts(rule.ExposeHeader) };
    if (id !== undefined) result.id = id;
    if (maxAge !== undefined) result.maxAgeSeconds = Number(maxAge);
    return result;
  });
}

export function corsDocument(rules: CorsRule[]): CORSConfiguration {
  return {
    CORSRule: rules.map((r) => ({
      ID: r.id,
      AllowedHeader: r.allowedHeaders.length > 0 ? r.allowedHeaders : undefined,
      AllowedMethod: r.allowedMethods,
      AllowedOrigin: r.allowedOrigins,
      ExposeHeader: r.exposeHeaders.length > 0 ? r.exposeHeaders : undefined,
      MaxAgeSeconds: r.maxAgeSeconds,
    })),
  };
}

/** `pattern` with at most one `*` standing for any run of characters. */
function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star === -1) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

export interface CorsRequest {
  origin: string;
  /** The request's method, or Access-Control-Request-Method for a preflight. */
  method: string;
  /** Access-Control-Request-Headers of a preflight, lower-cased; empty for an actual request. */
  requestHeaders: string[];
}

/** The first rule allowing the request, as S3 evaluates them: in order, origin, method and every header. */
export function matchCorsRule(rules: CorsRule[], request: CorsRequest): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((o) => wildcardMatch(o, request.origin)) &&
      rule.allowedMethods.includes(request.method) &&
      request.requestHeaders.every((h) => rule.allowedHeaders.some((a) => wildcardMatch(a.toLowerCase(), h))),
  );
}

/** Access-Control-Request-Headers as the list of header names a preflight asks for. */
export function requestedHeaders(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
}

export const CORS_VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

/**
 * The Access-Control-* headers a matched rule gives. A rule open to every origin answers `*` without
 * credentials; a named origin is echoed with Access-Control-Allow-Credentials, as S3 does.
 */
export function corsHeaders(rule: CorsRule, request: CorsRequest, preflight: boolean): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*');
  const headers: Record<string, string> = {
    'access-control-allow-origin': anyOrigin ? '*' : request.origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    vary: CORS_VARY,
  };
  if (!anyOrigin) headers['access-control-allow-credentials'] = 'true';
  if (preflight && request.requestHeaders.length > 0) headers['access-control-allow-headers'] = request.requestHeaders.join(', ');
  if (rule.exposeHeaders.length > 0) headers['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) headers['access-control-max-age'] = String(rule.maxAgeSeconds);
  return headers;
}
