// Verifies SigV2 requests: `Authorization: AWS AKID:signature` and the AWSAccessKeyId/Signature/Expires query
// form that aws cli v1 `s3 presign` and boto3 `generate_presigned_url` still produce.
import { createHmac } from 'node:crypto';
import { S3Error } from '../../errors/s3-error.js';
import type { Credential } from '../credentials.js';
import { queryCount, queryValue, type RawTarget } from '../raw-target.js';
import { DEFAULT_MAX_PRESIGN_SECONDS, DEFAULT_MAX_SKEW_SECONDS, type AuthOptions, type AuthResult, type RequestView } from '../request.js';
import { assertWithinSkew, isoSeconds, missingDate, parseHttpDate } from '../request-time.js';
import { macsEqual, signatureMismatch } from '../signature-check.js';
import { percentDecode } from '../uri-encoding.js';
import { canonicalizedResource, stringToSignV2, type StringToSignParts } from './string-to-sign.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const QUERY_AUTH_PARAMS = ['AWSAccessKeyId', 'Signature', 'Expires'] as const;

/** Whether the query carries SigV2 query authentication. */
export function hasSigV2QueryParams(target: RawTarget): boolean {
  return queryValue(target.params, 'AWSAccessKeyId') !== undefined || queryValue(target.params, 'Signature') !== undefined;
}

/**
 * A header value as a SigV2 client signed it. Node reads header bytes as latin1; clients (botocore's HmacV1)
 * sign the text whose UTF-8 bytes they sent, so bytes that form valid UTF-8 are read back as that text.
 */
function signedText(value: string): string {
  if (!/[\u0080-\u00ff]/.test(value) || /[^\u0000-\u00ff]/.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : value;
}

function amzHeadersOf(headers: Map<string, string>): Map<string, string> {
  const amz = new Map<string, string>();
  for (const [name, value] of headers) if (name.startsWith('x-amz-')) amz.set(name, signedText(value));
  return amz;
}

async function lookup(accessKeyId: string, opts: AuthOptions): Promise<Credential> {
  const credential = await opts.credentials.lookup(accessKeyId);
  if (!credential) throw new S3Error('InvalidAccessKeyId', { fields: { AWSAccessKeyId: accessKeyId } });
  return credential;
}

/**
 * The resource as signed; the first is the one reported when nothing matches. botocore signs a path-style bucket
 * request (`/bucket?delete`) as `/bucket/?delete`, the form the virtual-hosted request has.
 */
function resources(target: RawTarget, opts: AuthOptions): string[] {
  const paths = [target.rawPath];
  if (opts.virtualHostBucket === undefined && /^\/[^/]+$/.test(target.rawPath)) paths.push(target.rawPath + '/');
  return paths.map((path) => canonicalizedResource(path, target.params, opts.virtualHostBucket));
}

function verify(credential: Credential, candidates: StringToSignParts[], provided: string): AuthResult {
  const providedMac = BASE64.test(provided) ? Buffer.from(provided, 'base64') : Buffer.alloc(0);
  const tried = new Set<string>();
  for (const parts of candidates) {
    const toSign = stringToSignV2(parts);
    if (tried.has(toSign)) continue;
    tried.add(toSign);
    if (macsEqual(createHmac('sha1', credential.secretKey).update(toSign, 'utf8').digest(), providedMac)) {
      return { principal: credential.principal, payload: { kind: 'unsigned' } };
    }
  }
  const [first] = candidates;
  throw signatureMismatch({
    accessKeyId: credential.principal.accessKeyId,
    stringToSign: first ? stringToSignV2(first) : '',
    signatureProvided: provided,
  });
}

export async function verifySigV2Header(req: RequestView, target: RawTarget, authorization: string, opts: AuthOptions): Promise<AuthResult> {
  const pair = authorization.slice('AWS '.length).trim();
  const colon = pair.indexOf(':');
  const accessKeyId = colon === -1 ? '' : pair.slice(0, colon);
  const signature = colon === -1 ? '' : pair.slice(colon + 1);
  if (!accessKeyId || !signature) {
    throw new S3Error('InvalidArgument', {
      message: 'AWS authorization header is invalid.  Expected AwsAccessKeyId:signature',
      fields: { ArgumentName: 'Authorization', ArgumentValue: authorization },
    });
  }
  const amzDate = req.headers.get('x-amz-date')?.trim();
  const date = req.headers.get('date')?.trim();
  const sentTime = amzDate ?? date;
  const requestTime = sentTime === undefined ? undefined : parseHttpDate(sentTime);
  if (sentTime === undefined || !requestTime) throw missingDate();
  assertWithinSkew(requestTime, sentTime, req.now, opts.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS);
  const credential = await lookup(accessKeyId, opts);

  const amzHeaders = amzHeadersOf(req.headers);
  const base = {
    method: req.method,
    contentMd5: req.headers.get('content-md5')?.trim() ?? '',
    contentType: req.headers.get('content-type')?.trim() ?? '',
  };
  // With x-amz-date the AWS page says to sign an empty Date line; its own DELETE example instead signs the
  // x-amz-date value in the Date position without the x-amz-date header line, and some clients sign the Date
  // header they also sent. All three bind the same timestamp, so each is accepted.
  const dateForms: { date: string; amz: Map<string, string> }[] = [{ date: amzDate !== undefined ? '' : (date ?? ''), amz: amzHeaders }];
  if (amzDate !== undefined) {
    if (date !== undefined) dateForms.push({ date, amz: amzHeaders });
    const withoutDate = new Map(amzHeaders);
    withoutDate.delete('x-amz-date');
    dateForms.push({ date: amzDate, amz: withoutDate });
  }
  const candidates = resources(target, opts).flatMap((resource) =>
    dateForms.map((form) => ({ ...base, date: form.date, amzHeaders: form.amz, resource })),
  );
  return verify(credential, candidates, signature);
}

export async function verifySigV2Query(req: RequestView, target: RawTarget, opts: AuthOptions): Promise<AuthResult> {
  for (const name of QUERY_AUTH_PARAMS) {
    if (queryCount(target.params, name) > 1) {
      throw new S3Error('InvalidArgument', { message: `The ${name} query parameter must appear only once.`, fields: { ArgumentName: name } });
    }
  }
  const accessKeyId = queryValue(target.params, 'AWSAccessKeyId');
  // A base64 '+' left unescaped must not turn into a space.
  const signature = queryValue(target.params, 'Signature', false);
  const expires = queryValue(target.params, 'Expires');
  if (!accessKeyId || !signature || expires === undefined) {
    throw new S3Error('AccessDenied', { message: 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters' });
  }
  if (!/^\d{1,12}$/.test(expires)) {
    throw new S3Error('AccessDenied', { message: `Invalid date (should be seconds since epoch): ${expires}` });
  }
  const expiresAt = new Date(Number(expires) * 1000);
  if (req.now.getTime() > expiresAt.getTime()) {
    throw new S3Error('AccessDenied', {
      message: 'Request has expired',
      fields: { Expires: isoSeconds(expiresAt), ServerTime: isoSeconds(req.now) },
    });
  }
  // SigV2 signs no creation time, only the end: a URL valid for years would be a standing credential. The same
  // bound as SigV4's X-Amz-Expires applies, counted from now.
  const maxSeconds = opts.maxPresignSeconds ?? DEFAULT_MAX_PRESIGN_SECONDS;
  if (expiresAt.getTime() - req.now.getTime() > maxSeconds * 1000) {
    throw new S3Error('AccessDenied', {
      message: `Expires must be at most ${maxSeconds} seconds in the future`,
      fields: { Expires: isoSeconds(expiresAt), ServerTime: isoSeconds(req.now) },
    });
  }
  const credential = await lookup(accessKeyId, opts);

  // botocore's HmacV1QueryAuth signs x-amz-*, Content-Type and Content-MD5 headers, then moves them into the query.
  const fromQuery = (name: string): string | undefined => {
    for (const p of target.params) {
      if (percentDecode(p.rawName, true).toLowerCase() === name) return percentDecode(p.rawValue ?? '', true);
    }
    return undefined;
  };
  const amzHeaders = new Map<string, string>();
  for (const p of target.params) {
    const name = percentDecode(p.rawName, true).toLowerCase();
    if (name.startsWith('x-amz-')) amzHeaders.set(name, percentDecode(p.rawValue ?? '', true));
  }
  for (const [name, value] of amzHeadersOf(req.headers)) amzHeaders.set(name, value);
  const base = {
    method: req.method,
    contentMd5: (req.headers.get('content-md5') ?? fromQuery('content-md5') ?? '').trim(),
    contentType: (req.headers.get('content-type') ?? fromQuery('content-type') ?? '').trim(),
    date: expires,
    amzHeaders,
  };
  return verify(credential, resources(target, opts).map((resource) => ({ ...base, resource })), signature);
}
