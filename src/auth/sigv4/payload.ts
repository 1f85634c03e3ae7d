// The request body as the handlers read it: raw bytes run through the check the payload mode calls for.
import { pipeline, type Readable, type Transform } from 'node:stream';
import { AwsChunkedDecoder } from './chunked-decoder.js';
import type { PayloadMode } from './payload-mode.js';
import { Sha256Verifier } from './sha256-verifier.js';

export interface VerifiedBody {
  body: Readable;
  /** Trailing headers of an aws-chunked body: valid after `body` ended; empty when there were none. */
  trailers(): Map<string, string>;
}

export interface VerifiedBodyOptions {
  /** Content-Encoding lists aws-chunked: the body is framed even when its payload is not signed. */
  contentEncodingChunked: boolean;
  /** x-amz-decoded-content-length, checked against the decoded size of an aws-chunked body. */
  decodedLength?: number;
}

const NO_TRAILERS: ReadonlyMap<string, string> = new Map();

export function verifiedBody(raw: Readable, mode: PayloadMode, opts: VerifiedBodyOptions): VerifiedBody {
  const stages: Transform[] = [];
  let decoder: AwsChunkedDecoder | undefined;
  // A hex x-amz-content-sha256 covers the bytes as sent, framing included, so it is checked before decoding.
  if (mode.kind === 'sha256') stages.push(new Sha256Verifier(mode.expectedHex));
  if (mode.kind === 'chunked') {
    if (mode.signed && !mode.seed) throw new Error('a signed chunked payload needs its signing seed');
    decoder = new AwsChunkedDecoder({ seed: mode.signed ? mode.seed : undefined, trailer: mode.trailer, decodedLength: opts.decodedLength });
  } else if (opts.contentEncodingChunked) {
    decoder = new AwsChunkedDecoder({ trailer: true, decodedLength: opts.decodedLength });
  }
  if (decoder) stages.push(decoder);
  const last = stages.at(-1);
  if (!last) return { body: raw, trailers: () => new Map(NO_TRAILERS) };
  // pipeline, not pipe: an aborted or failed request destroys every stage with the error, so the consumer rejects.
  pipeline([raw, ...stages], () => {});
  return { body: last, trailers: () => new Map(decoder?.trailers ?? NO_TRAILERS) };
}
