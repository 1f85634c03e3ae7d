// The SigV4 canonical request and string to sign, rebuilt from the raw request as S3 builds them
// (AWS "Signature Calculations for the Authorization Header", "Create a canonical request").
import type { RawParam } from '../raw-target.js';
import { recode } from '../uri-encoding.js';
import { ALGORITHM } from './parse.js';
import { sha256Hex } from './signing-key.js';

/**
 * S3 neither normalises the path ('/./', '/../', '//' are legal in keys) nor double-encodes it: each raw segment
 * is decoded and encoded once with RFC 3986 rules. An encoded '/' (%2F) stays inside its segment.
 */
export function canonicalUri(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => recode(segment, false))
    .join('/');
}

/**
 * Parameters sorted by encoded name, then encoded value; a parameter without '=' signs as `name=`.
 * '+' in the query is read as a space, as the server itself reads it, so what is signed is what is executed.
 */
export function canonicalQuery(params: RawParam[], exclude?: string): string {
  const pairs: [string, string][] = [];
  for (const { rawName, rawValue } of params) {
    const name = recode(rawName, true);
    if (exclude !== undefined && name === exclude) continue;
    pairs.push([name, recode(rawValue ?? '', true)]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** A header value as signed: outer whitespace trimmed, inner runs of spaces and tabs collapsed to one space. */
export function canonicalHeaderValue(value: string): string {
  return value.replace(/[ \t]+/g, ' ').trim();
}

export interface CanonicalRequestParts {
  method: string;
  uri: string;
  query: string;
  headers: Map<string, string>;
  signedHeaders: string[];
  payloadHash: string;
}

export function canonicalRequest(parts: CanonicalRequestParts): string {
  const headerLines = parts.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(parts.headers.get(name) ?? '')}\n`);
  return [parts.method, parts.uri, parts.query, headerLines.join(''), parts.signedHeaders.join(';'), parts.payloadHash].join('\n');
}

const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

/**
 * The bytes the client hashed. Everything in a canonical request is ASCII except header values, which arrive as
 * one character per byte (Node reads headers as latin1): SDKs sign a value such as `Hello World\xe9` as the UTF-8
 * bytes they put on the wire, so those raw bytes are what is hashed, never a re-encoding of their latin1 reading.
 * Text that cannot have come off the wire (characters past U+00FF) is hashed as UTF-8.
 */
export function canonicalBytes(canonical: string): Buffer {
  return Buffer.from(canonical, BEYOND_LATIN1.test(canonical) ? 'utf8' : 'latin1');
}

/** `encoding` 'utf8' hashes the canonical request's text as UTF-8 instead of as the bytes received. */
export function stringToSign(amzDate: string, scope: string, canonical: string, encoding: 'received' | 'utf8' = 'received'): string {
  const bytes = encoding === 'utf8' ? Buffer.from(canonical, 'utf8') : canonicalBytes(canonical);
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(bytes)}`;
}
