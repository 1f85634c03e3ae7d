// SigV4 primitives: HMAC and SHA-256 helpers, and the derived signing key with a small bounded cache.
import * as crypto from 'node:crypto';
import { createHash, createHmac } from 'node:crypto';

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function hmacSha256(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

// crypto.hash (Node 20.12 and later) digests in one call, without building a Hash object: every signed request
// hashes its canonical request. Looked up on the namespace so an older runtime falls back to createHash.
const oneShotHash: ((algorithm: string, data: string | Buffer, encoding: 'hex') => string) | undefined =
  typeof crypto.hash === 'function' ? crypto.hash : undefined;

export function sha256Hex(data: string | Buffer): string {
  if (oneShotHash !== undefined) return oneShotHash('sha256', data, 'hex');
  return createHash('sha256').update(data).digest('hex');
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmacSha256('AWS4' + secret, date);
  return hmacSha256(hmacSha256(hmacSha256(kDate, region), service), 'aws4_request');
}

/**
 * Derivation costs four HMACs on every request, but a key only changes daily, so keys are memoised per
 * (secret, date, region, service). The oldest entry goes first once `capacity` is reached.
 */
export class SigningKeyCache {
  readonly #keys = new Map<string, Buffer>();

  constructor(readonly capacity = 256) {}

  get(secret: string, date: string, region: string, service: string): Buffer {
    const id = `${date}\n${region}\n${service}\n${secret}`;
    const hit = this.#keys.get(id);
    if (hit) return hit;
    const key = deriveSigningKey(secret, date, region, service);
    if (this.#keys.size >= this.capacity) {
      const oldest = this.#keys.keys().next();
      if (!oldest.done) this.#keys.delete(oldest.value);
    }
    this.#keys.set(id, key);
    return key;
  }

  get size(): number {
    return this.#keys.size;
  }
}
