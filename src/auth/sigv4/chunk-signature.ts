// The chained signatures of an aws-chunked body: each chunk's, then the trailer's, each over the previous one
// (AWS "Transferring Payload in Multiple Chunks" and "Signature calculations for trailing headers").
import type { ChunkSigningSeed } from './payload-mode.js';
import { EMPTY_SHA256, hmacSha256 } from './signing-key.js';
import { hexSignature, macsEqual, signatureMismatch } from '../signature-check.js';

export function chunkStringToSign(seed: ChunkSigningSeed, previous: string, dataSha256Hex: string): string {
  return `AWS4-HMAC-SHA256-PAYLOAD\n${seed.amzDate}\n${seed.scope}\n${previous}\n${EMPTY_SHA256}\n${dataSha256Hex}`;
}

/** `canonicalTrailerSha256Hex` hashes the trailer lines as `name:value\n` each, without the signature line. */
export function trailerStringToSign(seed: ChunkSigningSeed, previous: string, canonicalTrailerSha256Hex: string): string {
  return `AWS4-HMAC-SHA256-TRAILER\n${seed.amzDate}\n${seed.scope}\n${previous}\n${canonicalTrailerSha256Hex}`;
}

/** Walks the chain: every accepted signature becomes the "previous signature" of the next one. */
export class SignatureChain {
  #previous: string;

  constructor(readonly seed: ChunkSigningSeed) {
    this.#previous = seed.seedSignature;
  }

  /** Throws SignatureDoesNotMatch unless `provided` signs the chunk whose SHA-256 is `dataSha256Hex`. */
  acceptChunk(dataSha256Hex: string, provided: string): void {
    this.#accept(chunkStringToSign(this.seed, this.#previous, dataSha256Hex), provided, 'chunk');
  }

  acceptTrailer(canonicalTrailerSha256Hex: string, provided: string): void {
    this.#accept(trailerStringToSign(this.seed, this.#previous, canonicalTrailerSha256Hex), provided, 'trailer');
  }

  #accept(toSign: string, provided: string, what: 'chunk' | 'trailer'): void {
    const expected = hmacSha256(this.seed.signingKey, toSign);
    if (!macsEqual(expected, hexSignature(provided))) {
      throw signatureMismatch({
        stringToSign: toSign,
        signatureProvided: provided,
        message: `The ${what} signature we calculated does not match the signature you provided.`,
      });
    }
    this.#previous = expected.toString('hex');
  }
}
