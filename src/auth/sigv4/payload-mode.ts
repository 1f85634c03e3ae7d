// How the request body is protected, read from x-amz-content-sha256 (AWS "Authenticating Requests: Using the
// Authorization Header", table of x-amz-content-sha256 values).
import { S3Error } from '../../errors/s3-error.js';

export interface ChunkSigningSeed {
  signingKey: Buffer;
  /** The request's own signature: the "previous signature" of the first chunk. */
  seedSignature: string;
  amzDate: string;
  scope: string;
}

export type PayloadMode =
  | { kind: 'unsigned' }
  | { kind: 'sha256'; expectedHex: string }
  | { kind: 'chunked'; signed: boolean; trailer: boolean; seed?: ChunkSigningSeed };

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_PAYLOAD_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
const SIGV4A_STREAMING = 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD';

export function sigV4aNotImplemented(): S3Error {
  return new S3Error('NotImplemented', {
    message: 'SigV4a (AWS4-ECDSA-P256-SHA256) signing is not supported by this server; sign requests with SigV4 (AWS4-HMAC-SHA256).',
  });
}

/**
 * Maps an x-amz-content-sha256 value to the payload check the body must pass. `seed` is required for the signed
 * streaming values; without one (anonymous requests) their chunk signatures cannot be checked and are ignored.
 */
export function payloadModeFor(value: string, seed: ChunkSigningSeed | undefined): PayloadMode {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return { kind: 'sha256', expectedHex: value.toLowerCase() };
  switch (value) {
    case UNSIGNED_PAYLOAD:
      return { kind: 'unsigned' };
    case STREAMING_PAYLOAD:
    case STREAMING_PAYLOAD_TRAILER: {
      const trailer = value === STREAMING_PAYLOAD_TRAILER;
      return seed ? { kind: 'chunked', signed: true, trailer, seed } : { kind: 'chunked', signed: false, trailer };
    }
    case STREAMING_UNSIGNED_TRAILER:
      return { kind: 'chunked', signed: false, trailer: true };
  }
  if (value.startsWith(SIGV4A_STREAMING)) throw sigV4aNotImplemented();
  throw new S3Error('InvalidArgument', {
    message:
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, ' +
      'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
    fields: { ArgumentName: 'x-amz-content-sha256', ArgumentValue: value },
  });
}
