// New access key pairs in the shape AWS issues them, so tools that sanity-check key formats accept them.
import { randomBytes, randomInt } from 'node:crypto';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export interface AccessKeyPair {
  accessKeyId: string;
  secretKey: string;
}

export function newAccessKeyPair(): AccessKeyPair {
  let id = 'SK';
  for (let i = 0; i < 18; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  // 30 random bytes → 40 base64 characters, the length of an AWS secret access key.
  const secretKey = randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'z');
  return { accessKeyId: id, secretKey };
}

/** User names: what IAM allows (letters, digits and + = , . @ _ -), up to 64 characters. */
export function isValidUserName(name: string): boolean {
  // Reserved names in any case: names are compared without case, as IAM compares them.
  const folded = name.toLowerCase();
  return /^[A-Za-z0-9+=,.@_-]{1,64}$/.test(name) && folded !== 'root' && folded !== 'anonymous';
}
