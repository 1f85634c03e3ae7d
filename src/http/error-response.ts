// Renders any thrown value as S3's <Error> document; unknown errors become InternalError and are logged.
import type { Logger } from 'pino';
import { S3Error } from '../errors/s3-error.js';
import type { S3Response } from '../s3/respond.js';
import { encodeXml } from '../xml/encode.js';
import type { ErrorDocument } from '../xml/shapes.js';

export function toS3Error(error: unknown, log: Logger, requestId: string): S3Error {
  if (error instanceof S3Error) return error;
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
