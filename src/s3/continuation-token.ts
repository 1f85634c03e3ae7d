// Continuation tokens of ListObjectsV2 and ListBuckets: opaque to clients, the exclusive start name
// base64url-encoded. An empty token means none, as S3 treats it.
import { S3Error } from '../errors/s3-error.js';

export function encodeContinuationToken(after: string): string {
  return Buffer.from(after, 'utf8').toString('base64url');
}

/** The token's exclusive start, or undefined when the request carries none (absent or empty). */
export function decodeContinuationToken(token: string | null): string | undefined {
  if (token === null || token === '') return undefined;
  const after = Buffer.from(token, 'base64url').toString('utf8');
  // A start holding U+0000 names nothing sklad stores (see refuseNulNames): no token of ours carries one.
  if (encodeContinuationToken(after) !== token || after.includes('\0')) {
    throw new S3Error('InvalidArgument', { message: 'The continuation token provided is incorrect', fields: { ArgumentName: 'continuation-token' } });
  }
  return after;
}
