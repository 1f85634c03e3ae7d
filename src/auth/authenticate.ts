// The single entry point of request authentication: picks the scheme the request uses and verifies it.
// SigV4 (header or presigned query), SigV2 (header or query), or none at all (anonymous).
import { S3Error } from '../errors/s3-error.js';
import { parseRawTarget, type RawTarget } from './raw-target.js';
import type { AuthOptions, AuthResult, RequestView } from './request.js';
import { hasSigV2QueryParams, verifySigV2Header, verifySigV2Query } from './sigv2/verify.js';
import { ALGORITHM, hasPresignParams, parseAuthorizationHeader, parsePresignedQuery, SIGV4A_ALGORITHM } from './sigv4/parse.js';
import { payloadModeFor, sigV4aNotImplemented, type PayloadMode } from './sigv4/payload-mode.js';
import { verifySigV4 } from './sigv4/verify.js';

export type { AuthOptions, AuthResult, RequestView } from './request.js';
export type { ChunkSigningSeed, PayloadMode } from './sigv4/payload-mode.js';

function onlyOneMechanism(): S3Error {
  return new S3Error('InvalidArgument', {
    message:
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    fields: { ArgumentName: 'Authorization' },
  });
}

/** Anonymous requests cannot sign their payload, but a declared SHA-256 or aws-chunked framing still applies. */
function anonymousPayload(req: RequestView): PayloadMode {
  const declared = req.headers.get('x-amz-content-sha256')?.trim();
  if (declared === undefined) return { kind: 'unsigned' };
  try {
    return payloadModeFor(declared, undefined);
  } catch {
    return { kind: 'unsigned' };
  }
}

export async function authenticate(req: RequestView, opts: AuthOptions): Promise<AuthResult> {
  // Two Authorization headers reach us joined with ','; which one was meant is not for the server to guess.
  if (req.repeatedHeaders?.has('authorization')) {
    throw new S3Error('InvalidArgument', {
      message: 'Only one Authorization header may be specified',
      fields: { ArgumentName: 'Authorization' },
    });
  }
  const target: RawTarget = parseRawTarget(req.rawTarget);
  const authorization = req.headers.get('authorization')?.trim();
  const presignedV4 = hasPresignParams(target.params);
  const presignedV2 = !presignedV4 && hasSigV2QueryParams(target);

  if (authorization !== undefined && authorization !== '') {
    if (presignedV4 || presignedV2) throw onlyOneMechanism();
    if (authorization.startsWith(SIGV4A_ALGORITHM)) throw sigV4aNotImplemented();
    if (authorization.startsWith(ALGORITHM)) {
      return verifySigV4(req, target, parseAuthorizationHeader(authorization, req.headers), opts);
    }
    if (authorization.startsWith('AWS ')) return verifySigV2Header(req, target, authorization, opts);
    throw new S3Error('InvalidArgument', {
      message: 'Unsupported Authorization Type',
      fields: { ArgumentName: 'Authorization', ArgumentValue: authorization },
    });
  }
  if (presignedV4) return verifySigV4(req, target, parsePresignedQuery(target.params), opts);
  if (presignedV2) return verifySigV2Query(req, target, opts);
  return { principal: null, payload: anonymousPayload(req) };
}
