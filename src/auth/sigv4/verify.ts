// Verifies a parsed SigV4 request: region, time window, signed headers, payload declaration, key and signature.
import { S3Error } from '../../errors/s3-error.js';
import type { Credential } from '../credentials.js';
import { queryValueIgnoreCase, type RawTarget } from '../raw-target.js';
import { DEFAULT_MAX_PRESIGN_SECONDS, DEFAULT_MAX_SKEW_SECONDS, type AuthOptions, type AuthResult, type RequestView } from '../request.js';
import { assertWithinSkew, isoSeconds } from '../request-time.js';
import { hexSignature, macsEqual, signatureMismatch } from '../signature-check.js';
import { canonicalBytes, canonicalQuery, canonicalRequest, canonicalUri, stringToSign } from './canonical-request.js';
import { credentialError, type SignedRequest } from './parse.js';
import { payloadModeFor, UNSIGNED_PAYLOAD } from './payload-mode.js';
import { hmacSha256, SigningKeyCache } from './signing-key.js';

/** Shared by all requests: derived keys are pure values of their inputs, so sharing changes only speed. */
const signingKeys = new SigningKeyCache();

function assertRegion(signed: SignedRequest, region: string | undefined): void {
  if (region === undefined || signed.credential.region === region) return;
  throw credentialError(signed.via, `the region '${signed.credential.region}' is wrong; expecting '${region}'`, { Region: region });
}

function assertTimeWindow(signed: SignedRequest, now: Date, opts: AuthOptions): void {
  const maxSkew = opts.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  if (signed.expiresSeconds === undefined) {
    assertWithinSkew(signed.requestTime, signed.sentTime, now, maxSkew);
    return;
  }
  const maxExpires = opts.maxPresignSeconds ?? DEFAULT_MAX_PRESIGN_SECONDS;
  if (signed.expiresSeconds > maxExpires) {
    throw new S3Error('AuthorizationQueryParametersError', {
      message: `X-Amz-Expires must be less than a week (in seconds) that is ${maxExpires}`,
    });
  }
  const expiresAt = new Date(signed.requestTime.getTime() + signed.expiresSeconds * 1000);
  const fields = { 'X-Amz-Expires': signed.expiresSeconds, Expires: isoSeconds(expiresAt), ServerTime: isoSeconds(now) };
  // A URL created already expired (a negative or zero lifetime, as test suites make them) is expired, not malformed.
  if (signed.expiresSeconds <= 0 || now.getTime() > expiresAt.getTime()) {
    throw new S3Error('AccessDenied', { message: 'Request has expired', fields });
  }
  // A URL signed by a clock running ahead is refused until it becomes valid, as S3 does.
  if (signed.requestTime.getTime() - now.getTime() > maxSkew * 1000) {
    throw new S3Error('AccessDenied', { message: 'Request is not yet valid', fields: { 'X-Amz-Date': signed.amzDate, ...fields } });
  }
}

/**
 * Every x-amz-* header sent must be signed, or a presigned URL's holder could add x-amz-acl, x-amz-meta-*,
 * x-amz-copy-source… S3 tolerates an unsigned x-amz-content-sha256 (it is bound through the payload hash line);
 * x-amz-cf-id is added by CloudFront in front of an origin and means nothing here.
 * Host is required for the same reason: it names the bucket in virtual-hosted requests.
 */
const MAY_BE_UNSIGNED = new Set(['x-amz-content-sha256', 'x-amz-cf-id']);

function assertHeadersSigned(signed: SignedRequest, headers: Map<string, string>): void {
  const listed = new Set(signed.signedHeaders);
  const unsigned: string[] = [];
  if (!listed.has('host')) unsigned.push('host');
  for (const name of headers.keys()) {
    if (name.startsWith('x-amz-') && !MAY_BE_UNSIGNED.has(name) && !listed.has(name)) unsigned.push(name);
  }
  if (unsigned.length > 0) {
    throw new S3Error('AccessDenied', {
      message: 'There were headers present in the request which were not signed',
      fields: { HeadersNotSigned: unsigned.join(', ') },
    });
  }
}

/** The payload hash line: the header S3 requires with header auth; presigned URLs default to UNSIGNED-PAYLOAD. */
function declaredPayload(signed: SignedRequest, req: RequestView, target: RawTarget): string {
  const header = req.headers.get('x-amz-content-sha256');
  if (header !== undefined) return header.trim();
  if (signed.via === 'header') {
    throw new S3Error('InvalidRequest', { message: 'Missing required header for this request: x-amz-content-sha256' });
  }
  return queryValueIgnoreCase(target.params, 'X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD;
}

async function lookup(signed: SignedRequest, opts: AuthOptions): Promise<Credential> {
  const credential = await opts.credentials.lookup(signed.credential.accessKeyId);
  if (!credential) throw new S3Error('InvalidAccessKeyId', { fields: { AWSAccessKeyId: signed.credential.accessKeyId } });
  return credential;
}

export async function verifySigV4(req: RequestView, target: RawTarget, signed: SignedRequest, opts: AuthOptions): Promise<AuthResult> {
  assertRegion(signed, opts.region);
  assertTimeWindow(signed, req.now, opts);
  assertHeadersSigned(signed, req.headers);
  const payloadHash = declaredPayload(signed, req, target);
  // Validated before the signature so an unusable declaration gets its own error, as on S3.
  payloadModeFor(payloadHash, undefined);
  const credential = await lookup(signed, opts);

  const { date, region, service, scope } = signed.credential;
  const signingKey = signingKeys.get(credential.secretKey, date, region, service);
  const query = canonicalQuery(target.params, signed.via === 'query' ? 'X-Amz-Signature' : undefined);
  const provided = hexSignature(signed.signature);
  const build = (path: string): { canonical: string; toSign: string } => {
    const canonical = canonicalRequest({
      method: req.method,
      uri: path,
      query,
      headers: req.headers,
      signedHeaders: signed.signedHeaders,
      payloadHash,
    });
    return { canonical, toSign: stringToSign(signed.amzDate, scope, canonical) };
  };
  const uri = canonicalUri(target.rawPath);
  const primary = build(uri);
  const matches = (toSign: string): boolean => macsEqual(hmacSha256(signingKey, toSign), provided);
  let ok = matches(primary.toSign);
  // Clients that sign the path exactly as they sent it (lower-case escapes, unescaped sub-delims) also verify:
  // the signature still covers the exact bytes of the request target.
  const alternate = !ok && target.rawPath !== uri ? build(target.rawPath) : undefined;
  if (alternate) ok = matches(alternate.toSign);
  // A client on Node's HTTP stack sends a header value's characters as latin1 bytes but hashes the value's UTF-8
  // (the AWS SDK for JavaScript does); botocore sends and hashes the same UTF-8 bytes. Both readings are a
  // one-to-one function of the bytes received, so either binds exactly what arrived.
  if (!ok && /[\u0080-\u00ff]/.test(primary.canonical)) {
    ok = [primary, alternate].some((c) => c !== undefined && matches(stringToSign(signed.amzDate, scope, c.canonical, 'utf8')));
  }
  if (!ok) {
    throw signatureMismatch({
      accessKeyId: signed.credential.accessKeyId,
      stringToSign: primary.toSign,
      signatureProvided: signed.signature,
      canonicalRequest: primary.canonical,
      canonicalRequestBytes: canonicalBytes(primary.canonical),
    });
  }
  const seed = { signingKey, seedSignature: signed.signature.toLowerCase(), amzDate: signed.amzDate, scope };
  return { principal: credential.principal, payload: payloadModeFor(payloadHash, seed), signedRegion: region };
}
