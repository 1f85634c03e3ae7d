// Signs an admin request with SigV4 using the server's own canonicalisation code, so the client and the
// server cannot disagree about what a canonical request is.
import { parseRawTarget } from '../../auth/raw-target.js';
import { canonicalQuery, canonicalRequest, canonicalUri, stringToSign } from '../../auth/sigv4/canonical-request.js';
import { ALGORITHM } from '../../auth/sigv4/parse.js';
import { deriveSigningKey, hmacSha256, sha256Hex } from '../../auth/sigv4/signing-key.js';
import { formatAmzDate } from '../../auth/request-time.js';

export interface SigningInput {
  method: string;
  url: URL;
  body: Buffer;
  /** Extra headers to send and sign (lower-case names), e.g. content-type. */
  headers?: Record<string, string>;
  accessKey: string;
  secretKey: string;
  region: string;
  now?: Date;
}

/** The headers to send: the given ones plus host, x-amz-date, x-amz-content-sha256 and authorization. */
export function signRequest(input: SigningInput): Record<string, string> {
  const amzDate = formatAmzDate(input.now ?? new Date());
  const date = amzDate.slice(0, 8);
  const payloadHash = sha256Hex(input.body);
  const headers = new Map<string, string>([
    ...Object.entries(input.headers ?? {}),
    ['host', input.url.host],
    ['x-amz-content-sha256', payloadHash],
    ['x-amz-date', amzDate],
  ]);
  const signedHeaders = [...headers.keys()].sort();
  const target = parseRawTarget(input.url.pathname + input.url.search);
  const canonical = canonicalRequest({
    method: input.method,
    uri: canonicalUri(target.rawPath),
    query: canonicalQuery(target.params),
    headers,
    signedHeaders,
    payloadHash,
  });
  const scope = `${date}/${input.region}/s3/aws4_request`;
  const signature = hmacSha256(deriveSigningKey(input.secretKey, date, input.region, 's3'), stringToSign(amzDate, scope, canonical)).toString('hex');
  headers.set('authorization', `${ALGORITHM} Credential=${input.accessKey}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`);
  return Object.fromEntries(headers);
}
