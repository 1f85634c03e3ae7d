// Renders any thrown value as S3's <Error> document; unknown errors become InternalError and are logged.
import type { Logger } from 'pino';
import { MasterKeyUnavailableError } from '../crypto/keyring.js';
import { S3Error } from '../errors/s3-error.js';
import type { S3Response } from '../s3/respond.js';
import { encodeXml } from '../xml/encode.js';
import type { ErrorDocument } from '../xml/shapes.js';

/**
 * An object (or an access key's secret) is encrypted under a master key this server was not given: the
 * data is intact but cannot be read until the operator configures that key again. A 503 says the server,
 * not the request, is at fault and that the same request can succeed later; the message names the key.
 */
function masterKeyMissing(error: MasterKeyUnavailableError): S3Error {
  return new S3Error('ServiceUnavailable', {
    message: `The data is encrypted under master key ${error.keyId}, which this server does not hold; the operator must configure it (SKLAD_OLD_MASTER_KEYS) or restore it.`,
    cause: error,
  });
}

export function toS3Error(error: unknown, log: Logger, requestId: string): S3Error {
  if (error instanceof S3Error) return error;
  if (error instanceof MasterKeyUnavailableError) {
    log.warn({ requestId, masterKeyId: error.keyId }, 'master key unavailable');
    return masterKeyMissing(error);
  }
  // The client went away or sent less than it announced: its request is abandoned, nothing was stored.
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (error as Error | undefined)?.message === 'aborted') {
    return new S3Error('IncompleteBody', { cause: error });
  }
  log.error({ err: error, requestId }, 'internal error');
  return new S3Error('InternalError', { cause: error });
}

export function errorResponse(error: S3Error, method: string, resource: string, requestId: string): S3Response {
  const headers: Record<string, string> = { ...error.headers };
  // HEAD responses carry no body (RFC 9110); S3 answers HEAD errors with the status alone.
  if (method === 'HEAD' || error.status === 304) return { status: error.status, headers };
  const doc: ErrorDocument = { Code: error.code, Message: error.message, ...error.fields, Resource: resource, RequestId: requestId };
  return {
    status: error.status,
    headers: { ...headers, 'content-type': 'application/xml' },
    body: encodeXml('Error', doc, null),
  };
}
