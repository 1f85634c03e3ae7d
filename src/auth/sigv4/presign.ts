// Presigned GET URLs (AWS "Authenticating Requests: Using Query Parameters"), made with the same canonical
// request code that verifies them, for the web console's share links.
import { canonicalQuery, canonicalRequest, canonicalUri, stringToSign } from './canonical-request.js';
import { ALGORITHM } from './parse.js';
import { deriveSigningKey, hmacSha256 } from './signing-key.js';
import { uriEncodeBytes } from '../uri-encoding.js';
import type { RawParam } from '../raw-target.js';
import { UNSIGNED_PAYLOAD } from './payload-mode.js';

export interface PresignInput {
  /** e.g. `http://127.0.0.1:9000`: scheme and host of the link, the host is signed. */
  origin: string;
  bucket: string;
  key: string;
  accessKeyId: string;
  secretKey: string;
  region: string;
  expiresSeconds: number;
  now: Date;
}

/** YYYYMMDDTHHMMSSZ */
function amzDate(now: Date): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

const encode = (text: string): string => uriEncodeBytes(Buffer.from(text, 'utf8'));

export function presignGetUrl(input: PresignInput): string {
  const url = new URL(input.origin);
  const date = amzDate(input.now);
  const scope = `${date.slice(0, 8)}/${input.region}/s3/aws4_request`;
  const rawPath = `/${encode(input.bucket)}/${input.key.split('/').map(encode).join('/')}`;
  const params: [string, string][] = [
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', `${input.accessKeyId}/${scope}`],
    ['X-Amz-Date', date],
    ['X-Amz-Expires', String(input.expiresSeconds)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const raw: RawParam[] = params.map(([name, value]) => ({ rawName: name, rawValue: encode(value) }) as RawParam);
  const query = canonicalQuery(raw);
  const canonical = canonicalRequest({
    method: 'GET',
    uri: canonicalUri(rawPath),
    query,
    headers: new Map([['host', url.host]]),
    signedHeaders: ['host'],
    payloadHash: UNSIGNED_PAYLOAD,
  });
  const key = deriveSigningKey(input.secretKey, date.slice(0, 8), input.region, 's3');
  const signature = hmacSha256(key, stringToSign(date, scope, canonical)).toString('hex');
  return `${url.protocol}//${url.host}${rawPath}?${query}&X-Amz-Signature=${signature}`;
}
