// SSE-C key verifiers. The customer's key is never stored: only HMAC-SHA256(salt, key) with a random
// salt, enough to tell whether a later request brings the same key and useless for recovering it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface KeyVerifier {
  /** base64 */
  verifierSalt: string;
  /** base64 */
  verifier: string;
}

function mac(salt: Buffer, key: Buffer): Buffer {
  return createHmac('sha256', salt).update(key).digest();
}

export function keyVerifier(key: Buffer): KeyVerifier {
  const salt = randomBytes(16);
  return { verifierSalt: salt.toString('base64'), verifier: mac(salt, key).toString('base64') };
}

export function matchesVerifier(key: Buffer, stored: KeyVerifier): boolean {
  const expected = Buffer.from(stored.verifier, 'base64');
  const got = mac(Buffer.from(stored.verifierSalt, 'base64'), key);
  return expected.length === got.length && timingSafeEqual(expected, got);
}
