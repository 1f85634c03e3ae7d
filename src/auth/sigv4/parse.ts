// Reads a SigV4 signature from the Authorization header or from presigned X-Amz-* query parameters.
// Error codes and messages follow what S3 answers for each malformation.
import { S3Error } from '../../errors/s3-error.js';
import { queryCount, queryValue, type RawParam } from '../raw-target.js';
import { formatAmzDate, missingDate, parseAmzDate, parseHttpDate } from '../request-time.js';
import { sigV4aNotImplemented } from './payload-mode.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const SIGV4A_ALGORITHM = 'AWS4-ECDSA-P256-SHA256';

export interface CredentialScope {
  accessKeyId: string;
  /** YYYYMMDD */
  date: string;
  region: string;
  service: string;
  /** date/region/service/aws4_request, as it appears in the string to sign. */
  scope: string;
}

export interface SignedRequest {
  via: 'header' | 'query';
  credential: CredentialScope;
  /** Lower-case names, in the order the client listed them. */
  signedHeaders: string[];
  signature: string;
  /** The timestamp in the string to sign (ISO 8601 basic). */
  amzDate: string;
  requestTime: Date;
  /** The timestamp as the client sent it, for error documents. */
  sentTime: string;
  /** X-Amz-Expires, presigned requests only. */
  expiresSeconds?: number;
}

/** An error about the credential, worded as S3 words it for the header and the query form. */
export function credentialError(via: SignedRequest['via'], detail: string, fields?: Record<string, string>): S3Error {
  return via === 'header'
    ? new S3Error('AuthorizationHeaderMalformed', { message: `The authorization header is malformed; ${detail}`, fields })
    : new S3Error('AuthorizationQueryParametersError', { message: `Error parsing the X-Amz-Credential parameter; ${detail}`, fields });
}

function parseCredential(value: string, via: SignedRequest['via']): CredentialScope {
  const parts = value.split('/');
  const [accessKeyId, date, region, service, terminal] = parts;
  if (parts.length !== 5 || !accessKeyId || !date || !/^\d{8}$/.test(date) || !region || service === undefined || terminal === undefined) {
    throw credentialError(via, 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  if (service !== 's3') throw credentialError(via, `incorrect service "${service}". This endpoint belongs to "s3".`);
  if (terminal !== 'aws4_request') throw credentialError(via, `incorrect terminal "${terminal}". This endpoint uses "aws4_request".`);
  return { accessKeyId, date, region, service, scope: `${date}/${region}/${service}/${terminal}` };
}

function assertSameDay(credential: CredentialScope, amzDate: string, via: SignedRequest['via']): void {
  if (amzDate.startsWith(credential.date)) return;
  const detail = `Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`;
  throw via === 'header'
    ? new S3Error('AuthorizationHeaderMalformed', { message: `The authorization header is malformed; ${detail}` })
    : new S3Error('AuthorizationQueryParametersError', { message: detail });
}

function parseSignedHeaders(value: string): string[] {
  return value.split(';').map((h) => h.trim().toLowerCase());
}

/** `AWS4-HMAC-SHA256 Credential=…/…/…/s3/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorizationHeader(value: string, headers: Map<string, string>): SignedRequest {
  if (value.startsWith(SIGV4A_ALGORITHM)) throw sigV4aNotImplemented();
  const rest = value.slice(ALGORITHM.length);
  if (!value.startsWith(ALGORITHM) || !/^\s/.test(rest)) {
    throw new S3Error('AuthorizationHeaderMalformed', { message: 'The authorization header is malformed; the authorization type is not AWS4-HMAC-SHA256.' });
  }
  const components = new Map<string, string>();
  for (const part of rest.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw new S3Error('AuthorizationHeaderMalformed', {
        message: `The authorization header is malformed; the authorization component "${item}" is malformed.`,
      });
    }
    components.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  const credentialText = components.get('Credential');
  const signedHeaders = components.get('SignedHeaders');
  const signature = components.get('Signature');
  if (!credentialText || !signedHeaders || !signature) {
    throw new S3Error('AuthorizationHeaderMalformed', {
      message: 'The authorization header is malformed; the Authorization header requires three components: Credential, SignedHeaders, and Signature.',
    });
  }
  const credential = parseCredential(credentialText, 'header');

  // x-amz-date wins over Date (AWS "Handling dates in Signature Version 4").
  const amzDateHeader = headers.get('x-amz-date');
  const dateHeader = headers.get('date');
  let requestTime: Date | undefined;
  let amzDate: string;
  let sentTime: string;
  if (amzDateHeader !== undefined) {
    sentTime = amzDateHeader.trim();
    requestTime = parseAmzDate(sentTime);
    amzDate = sentTime;
  } else if (dateHeader !== undefined) {
    sentTime = dateHeader.trim();
    requestTime = parseHttpDate(sentTime);
    amzDate = requestTime ? formatAmzDate(requestTime) : '';
  } else {
    throw missingDate();
  }
  if (!requestTime) throw missingDate();
  assertSameDay(credential, amzDate, 'header');
  return { via: 'header', credential, signedHeaders: parseSignedHeaders(signedHeaders), signature, amzDate, requestTime, sentTime };
}

const PRESIGN_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'] as const;

/** Whether the query carries any SigV4 presigning parameter (then all of them are required). */
export function hasPresignParams(params: RawParam[]): boolean {
  return PRESIGN_PARAMS.some((name) => queryValue(params, name) !== undefined);
}

/** A presigning parameter given twice is refused: which of two signatures or expiries counts is not for us to guess. */
function assertNoRepeats(params: RawParam[]): void {
  for (const name of PRESIGN_PARAMS) {
    if (queryCount(params, name) > 1) {
      throw new S3Error('AuthorizationQueryParametersError', { message: `The ${name} query parameter must appear only once.` });
    }
  }
}

/** Query-string authentication (AWS "Authenticating Requests: Using Query Parameters"). */
export function parsePresignedQuery(params: RawParam[]): SignedRequest {
  assertNoRepeats(params);
  const [algorithm, credentialText, signature, amzDate, signedHeaders, expires] = PRESIGN_PARAMS.map((name) => queryValue(params, name));
  if (algorithm === SIGV4A_ALGORITHM) throw sigV4aNotImplemented();
  if (!algorithm || !credentialText || !signature || !amzDate || !signedHeaders || expires === undefined) {
    throw new S3Error('AuthorizationQueryParametersError', {
      message:
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    });
  }
  if (algorithm !== ALGORITHM) {
    throw new S3Error('AuthorizationQueryParametersError', { message: 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"' });
  }
  const credential = parseCredential(credentialText, 'query');
  const requestTime = parseAmzDate(amzDate);
  if (!requestTime) {
    throw new S3Error('AuthorizationQueryParametersError', { message: 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"' });
  }
  if (!/^-?\d{1,10}$/.test(expires)) {
    throw new S3Error('AuthorizationQueryParametersError', { message: 'X-Amz-Expires should be a number' });
  }
  assertSameDay(credential, amzDate, 'query');
  return {
    via: 'query',
    credential,
    signedHeaders: parseSignedHeaders(signedHeaders),
    signature,
    amzDate,
    requestTime,
    sentTime: amzDate,
    expiresSeconds: Number(expires),
  };
}
